"""Reading the event log."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.sync.models import Event
from roundtable.workshops.models import Workshop


def read_since(
    session: Session, workshop_id: int, after_seq: int, limit: int = 1000
) -> list[Event]:
    """Events with ``seq > after_seq`` in order, at most ``limit``."""
    rows = session.execute(
        select(Event)
        .where(Event.workshop_id == workshop_id, Event.seq > after_seq)  # type: ignore[arg-type]
        .order_by(Event.seq)  # type: ignore[arg-type]
        .limit(limit)
    ).scalars()
    return list(rows)


def read_head(session: Session, workshop_id: int) -> int | None:
    return session.execute(
        select(col(Workshop.head_seq)).where(col(Workshop.id) == workshop_id)
    ).scalar_one_or_none()
