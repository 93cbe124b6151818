"""Editions and the codes their items carry.

An edition is written once and never updated: ``document`` holds everything the public
page and the downloads show (workshop facts, themes, items with codes), as it was when
the edition was published. ``item_code`` remembers every code a workshop has handed out,
so an item keeps its code in later editions and a code is never given to another item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow


class Edition(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    number: int
    title: str = Field(max_length=500)
    notes: str = ""
    # The public link's secret part: 32 URL-safe characters (192 bits).
    slug: str = Field(max_length=64, unique=True)
    seq: int  # the workshop's seq of the publishing event
    published_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    published_by: int | None = Field(default=None, foreign_key="member.id")
    document: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class ItemCode(SQLModel, table=True):
    """A code handed out to a consolidated item, for good."""

    __tablename__ = "item_code"
    __table_args__ = (
        UniqueConstraint("workshop_id", "item_id"),
        UniqueConstraint("workshop_id", "prefix", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    item_id: str = Field(max_length=40)
    theme_key: str | None = Field(default=None, max_length=64)
    prefix: str = Field(max_length=8)
    number: int
    code: str = Field(max_length=16)
    first_edition: int
