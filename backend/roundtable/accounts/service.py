"""Accounts and browser sessions. Functions add and flush; the caller commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from roundtable.accounts.models import Account, LoginSession
from roundtable.groups.models import Member
from roundtable.security import hash_password, hash_token, new_token, verify_password
from roundtable.timeutil import utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_account(session: Session, email: str, password: str) -> Account:
    account = Account(email=normalise_email(email), password_hash=hash_password(password))
    session.add(account)
    session.flush()
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    account.password_hash = hash_password(password)


def find_account(session: Session, email: str) -> Account | None:
    return session.execute(
        select(Account).where(Account.email == normalise_email(email))  # type: ignore[arg-type]
    ).scalar_one_or_none()


def authenticate(session: Session, email: str, password: str) -> Account | None:
    account = find_account(session, email)
    ok = verify_password(account.password_hash if account else None, password)
    return account if ok else None


def open_session(
    session: Session, *, hours: int, account_id: int | None = None, member_id: int | None = None
) -> tuple[str, LoginSession]:
    """Returns the cookie token (never stored) and the row."""
    token = new_token()
    row = LoginSession(
        token_hash=hash_token(token),
        account_id=account_id,
        member_id=member_id,
        csrf_token=new_token(),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str | None) -> LoginSession | None:
    if not token or len(token) > 100:
        return None
    row = session.get(LoginSession, hash_token(token))
    if row is None or row.expires_at < utcnow():
        return None
    return row


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))  # type: ignore[arg-type]


def member_in_workshop(session: Session, login: LoginSession, workshop_id: int) -> Member | None:
    """The member this browser session acts as in one workshop, if any."""
    if login.member_id is not None:
        member = session.get(Member, login.member_id)
        if member is not None and member.workshop_id == workshop_id and not member.removed:
            return member
        return None
    if login.account_id is not None:
        return (
            session.execute(
                select(Member).where(
                    Member.workshop_id == workshop_id,  # type: ignore[arg-type]
                    Member.account_id == login.account_id,  # type: ignore[arg-type]
                    Member.removed.is_(False),  # type: ignore[attr-defined]
                )
            )
            .scalars()
            .first()
        )
    return None
