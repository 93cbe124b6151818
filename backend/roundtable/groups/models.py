from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow

ROLES = ("facilitator", "participant", "observer")


class Group(SQLModel, table=True):
    """A breakout group. Its join code is a bearer secret shown only to facilitators."""

    __tablename__ = "workshop_group"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    colour: str = Field(default="#3b6ea5", max_length=7)
    focus_themes: list[str] = Field(default_factory=list, sa_type=JSON)
    join_code: str = Field(unique=True, index=True, max_length=16)
    position: str = Field(max_length=64)
    deleted: bool = False


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    group_id: int | None = Field(default=None, foreign_key="workshop_group.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    display_name: str = Field(max_length=80)
    affiliation: str = Field(default="", max_length=200)
    role: str = Field(default="participant", max_length=20)
    number: int = 0  # 1-based order of joining; the pseudonym shown when names are withheld
    removed: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime | None = None
