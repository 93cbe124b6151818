"""Signing in (facilitators), joining (participants), and who am I."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, Response

from roundtable.accounts import service
from roundtable.accounts.models import Account
from roundtable.attribution import render_member
from roundtable.db import write_session
from roundtable.deps import DbDep, LoginDep, ServicesDep, check_origin, client_address
from roundtable.errors import OpRejected, RateLimited
from roundtable.groups.models import Member
from roundtable.groups.service import find_joinable_group
from roundtable.schemas import JoinBody, LoginBody, Me, MemberPublic
from roundtable.security import CSRF_COOKIE, SESSION_COOKIE, normalise_join_code
from roundtable.services import Services
from roundtable.values import member_values

router = APIRouter(prefix="/api", tags=["auth"])


def _set_cookies(response: Response, services: Services, token: str, csrf: str) -> None:
    max_age = services.settings.session_hours * 3600
    secure = services.settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="lax", secure=secure, path="/"
    )


def _limited(services: Services, key: str, limiter_name: str) -> None:
    limiter = getattr(services, limiter_name)
    wait = limiter.retry_after(key)
    if wait is not None:
        raise RateLimited(f"too many failed attempts; try again in {wait} s", wait)


@router.post("/auth/login", operation_id="login", response_model=Me)
def login(body: LoginBody, request: Request, response: Response, services: ServicesDep) -> Me:
    check_origin(request, services)
    address = f"ip:{client_address(request, services)}"
    email_key = f"email:{service.normalise_email(body.email)}"
    _limited(services, address, "login_limiter")
    _limited(services, email_key, "login_limiter")
    with write_session(services.engine) as db:
        account = service.authenticate(db, body.email, body.password)
        if account is None:
            services.login_limiter.record_failure(address)
            services.login_limiter.record_failure(email_key)
            raise OpRejected("unauthenticated", "email or password is wrong")
        token, row = service.open_session(
            db, hours=services.settings.session_hours, account_id=account.id
        )
        db.commit()
    _set_cookies(response, services, token, row.csrf_token)
    return Me(account_email=account.email, csrf_token=row.csrf_token)


@router.post("/auth/logout", operation_id="logout", status_code=204)
def logout(request: Request, response: Response, services: ServicesDep, login: LoginDep) -> None:
    if login is not None:
        with write_session(services.engine) as db:
            service.close_session(db, request.cookies.get(SESSION_COOKIE))
            db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/auth/me", operation_id="getMe", response_model=Me)
def me(login: LoginDep, db: DbDep) -> Me:
    if login is None:
        raise OpRejected("unauthenticated", "sign in or join a group first")
    result = Me(csrf_token=login.csrf_token)
    if login.account_id is not None:
        account = db.get(Account, login.account_id)
        result.account_email = account.email if account else None
    if login.member_id is not None:
        member = db.get(Member, login.member_id)
        if member is not None and not member.removed:
            result.member = MemberPublic(**render_member(member_values(member), "named", member.id))
            result.workshop_id = member.workshop_id
    return result


@router.post("/join", operation_id="joinGroup", response_model=Me, status_code=201)
async def join(body: JoinBody, request: Request, response: Response, services: ServicesDep) -> Me:
    """Joins a breakout group with its code and a display name; no account needed."""
    check_origin(request, services)
    address = f"ip:{client_address(request, services)}"
    _limited(services, address, "join_limiter")
    code = normalise_join_code(body.code)
    group = await services.hub.run_read(partial(find_joinable_group, code=code))
    if group is None:
        services.join_limiter.record_failure(address)
        raise OpRejected("not_found", "code: no group has this join code", field="code")
    result = await services.submit(
        workshop_id=group.workshop_id,
        member_id=None,
        kind="member.join",
        args={
            "group_id": group.id,
            "display_name": body.display_name,
            "affiliation": body.affiliation,
            "role": "observer" if body.observer else "participant",
        },
        system=True,
    )
    assert result.outcome is not None
    member: Member = result.outcome.result
    with write_session(services.engine) as db:
        token, row = service.open_session(
            db, hours=services.settings.session_hours, member_id=member.id
        )
        db.commit()
    _set_cookies(response, services, token, row.csrf_token)
    return Me(
        member=MemberPublic(**render_member(member_values(member), "named", member.id)),
        workshop_id=member.workshop_id,
        csrf_token=row.csrf_token,
    )
