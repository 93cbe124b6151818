from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow


class Account(SQLModel, table=True):
    """A facilitator's login. Participants have no account."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    password_hash: str
    created_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A browser session: the cookie holds a token, the table only its hash."""

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: int | None = Field(
        default=None, foreign_key="account.id", index=True, ondelete="CASCADE"
    )
    member_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="CASCADE"
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
