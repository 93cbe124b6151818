from __future__ import annotations

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

KINDS = ("need", "response", "practice")
ITEM_STATUSES = ("open", "parked", "agreed")


class Checklist(SQLModel, table=True):
    """A group's working list, or (``group_id`` null) the workshop's consolidated list."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    group_id: int | None = Field(default=None, foreign_key="workshop_group.id", index=True)
    title: str = Field(max_length=200)


class Item(SQLModel, table=True):
    # Client-generated (see ``ids.py``) so an item made offline can be edited before it syncs.
    id: str = Field(primary_key=True, max_length=40)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    checklist_id: int = Field(foreign_key="checklist.id", index=True)
    kind: str = Field(max_length=16)
    title: str
    detail: str = ""
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    actors: list[str] = Field(default_factory=list, sa_type=JSON)
    references: list[str] = Field(default_factory=list, sa_type=JSON)
    position: str = Field(max_length=64)
    status: str = Field(default="open", max_length=16)
    flags: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_seq: int = 0
    # The item's version: seq of the last event that changed it (If-Match compares this).
    updated_seq: int = 0
    # Per-field seq and client of the last change, to tell a writer whose edit replaced whose.
    field_seqs: dict[str, list[object]] = Field(default_factory=dict, sa_type=JSON)
    deleted: bool = False
    merged_into: str | None = Field(default=None, foreign_key="item.id")
    # Consolidated items: the display number (12 for "K12"), given at creation, never reused.
    ref_number: int | None = None
    # Consolidated items: the agreement level the facilitator recorded, and a note on it.
    agreement_level: str | None = Field(default=None, max_length=16)
    agreement_note: str = ""


class Comment(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    item_id: str = Field(foreign_key="item.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="member.id")
    body: str
    created_seq: int = 0
    updated_seq: int = 0
    deleted: bool = False


class Vote(SQLModel, table=True):
    """Priority votes one member gives one item (several allowed, within the budget)."""

    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    checklist_id: int = Field(foreign_key="checklist.id", index=True)
    item_id: str = Field(foreign_key="item.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    count: int = 1
