from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow

ATTRIBUTION_POLICIES = ("named", "groups_only", "chatham_house")
PHASES = ("setup", "breakout", "consolidation", "review", "published")


class Workshop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = ""
    organisers: list[str] = Field(default_factory=list, sa_type=JSON)
    description: str = ""
    attribution: str = Field(default="chatham_house", max_length=20)
    phase: str = Field(default="setup", max_length=20)
    reveal: bool = False
    vote_budget: int = 5
    # The shared breakout countdown and the one current announcement, shown on every screen.
    breakout_ends_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    announcement: str = Field(default="", max_length=500)
    announced_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # Set when archived: read-only from then on (see ``safeguards``).
    archived_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    owner_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    # Gapless per-workshop event counter, bumped inside each op's transaction.
    head_seq: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    label: str = Field(max_length=200)
    description: str = ""
    parent_id: int | None = Field(default=None, foreign_key="theme.id")
    position: str = Field(max_length=64)
    deleted: bool = False
