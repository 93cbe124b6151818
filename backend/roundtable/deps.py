"""Request dependencies shared by the routers: services, session, member, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlmodel import Session

from roundtable.access import is_facilitator
from roundtable.accounts.models import LoginSession
from roundtable.accounts.service import find_session, member_in_workshop
from roundtable.db import read_session
from roundtable.errors import OpRejected
from roundtable.groups.models import Member
from roundtable.ids import CLIENT_ID_PATTERN
from roundtable.schemas import MAX_ROW_ID
from roundtable.security import CSRF_HEADER, SESSION_COOKIE, origin_allowed, tokens_equal
from roundtable.services import Services
from roundtable.workshops.models import Workshop

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Path parameters: a row id the database can hold, or a client-minted id.
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
ClientIdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_db(services: ServicesDep) -> Iterator[Session]:
    with read_session(services.engine) as session:
        yield session


DbDep = Annotated[Session, Depends(get_db)]


def client_address(request: Request, services: Services) -> str:
    """The address rate limits count. Behind a trusted proxy it is the one that proxy
    added, the last in ``X-Forwarded-For``: the entries before it are whatever the
    client chose to send."""
    if services.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and forwarded.split(",")[-1].strip():
            return forwarded.split(",")[-1].strip()[:100]
    return request.client.host if request.client else "unknown"


def check_origin(request: Request, services: Services) -> None:
    """Refuses cross-site unsafe requests that carry an Origin not on the allow-list."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    if origin is not None and not origin_allowed(origin, services.settings.allowed_origins, host):
        raise OpRejected("forbidden", f"Origin {origin[:100]!r} is not allowed")


def get_login(request: Request, services: ServicesDep, db: DbDep) -> LoginSession | None:
    login = find_session(db, request.cookies.get(SESSION_COOKIE))
    if login is not None and request.method in UNSAFE_METHODS:
        check_origin(request, services)
        if not tokens_equal(request.headers.get(CSRF_HEADER), login.csrf_token):
            raise OpRejected(
                "forbidden", "X-CSRF-Token header is missing or does not match the session"
            )
    return login


LoginDep = Annotated[LoginSession | None, Depends(get_login)]


def require_login(login: LoginDep) -> LoginSession:
    if login is None:
        raise OpRejected("unauthenticated", "sign in or join a group first")
    return login


RequiredLogin = Annotated[LoginSession, Depends(require_login)]


@dataclass
class Viewer:
    """The member a request acts as, inside the workshop named by the path."""

    member: Member
    workshop: Workshop

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def workshop_id(self) -> int:
        assert self.workshop.id is not None
        return self.workshop.id

    @property
    def is_facilitator(self) -> bool:
        return is_facilitator(self.member)

    @property
    def policy(self) -> str:
        return self.workshop.attribution


def get_viewer(workshop_id: RowIdPath, login: RequiredLogin, db: DbDep) -> Viewer:
    workshop = db.get(Workshop, workshop_id)
    member = member_in_workshop(db, login, workshop_id) if workshop is not None else None
    if workshop is None or member is None:
        # The same answer whether it does not exist or is not yours: ids tell nothing.
        raise OpRejected(
            "not_found", f"workshop {workshop_id} does not exist or you are not a member"
        )
    return Viewer(member=member, workshop=workshop)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def require_facilitator_viewer(viewer: ViewerDep) -> Viewer:
    if not viewer.is_facilitator:
        raise OpRejected("forbidden", "only facilitators can do this")
    return viewer


FacilitatorDep = Annotated[Viewer, Depends(require_facilitator_viewer)]


async def submit_as(services: Services, viewer: Viewer, kind: str, args: dict[str, Any]) -> Any:
    """REST writes are ops too: same path, same checks, same event log."""
    result = await services.submit(
        workshop_id=viewer.workshop_id, member_id=viewer.member_id, kind=kind, args=args
    )
    assert result.outcome is not None
    return result.outcome.result
