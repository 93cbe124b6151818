from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger
from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow


class Event(SQLModel, table=True):
    """One committed op: the log clients replay. ``changes`` holds resulting values."""

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    client_id: str | None = Field(default=None, max_length=64)
    op_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_id: int | None = None  # member id; rendered per attribution policy
    kind: str = Field(max_length=40)
    # Checklist whose readers may see this event; null = everyone in the workshop.
    scope: int | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Who may read what changed (phase, reveal, groups, roles): receivers re-snapshot.
    resync: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class EventRecord(Protocol):
    """What readers of an event use: a row of the log (``Event``) or the values ``submit``
    just wrote (``CommittedEvent``)."""

    @property
    def workshop_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def op_id(self) -> int | None: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def scope(self) -> int | None: ...
    @property
    def changes(self) -> list[dict[str, Any]]: ...
    @property
    def resync(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class CommittedEvent:
    """An event as ``submit`` wrote it: the same values as its row, without the ORM."""

    workshop_id: int
    seq: int
    client_id: str | None
    op_id: int | None
    actor_id: int | None
    kind: str
    scope: int | None
    changes: list[dict[str, Any]]
    resync: bool
    created_at: datetime


class SyncClient(SQLModel, table=True):
    """The idempotency record: the highest op id handled per client and workshop."""

    __tablename__ = "sync_client"

    client_id: str = Field(primary_key=True, max_length=64)
    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    last_op_id: int = Field(default=0, sa_type=BigInteger)
