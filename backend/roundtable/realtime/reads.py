"""The blocking reads of the live path, each one read transaction, run in worker threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from roundtable.accounts.service import find_session, member_in_workshop
from roundtable.db import read_session
from roundtable.groups.models import Member
from roundtable.realtime.snapshot import (
    SnapshotCache,
    SnapshotTexts,
    cut_snapshot,
    read_rows,
    readable_checklist_ids,
)
from roundtable.sync.log import read_since
from roundtable.sync.models import Event, SyncClient
from roundtable.workshops.models import Workshop


@dataclass(frozen=True)
class Resolved:
    """Who is saying hello, and what they may read (as of ``head``)."""

    signed_in: bool
    workshop_exists: bool
    member_id: int | None
    last_op_id: int
    visible: set[int] = field(default_factory=set)
    head: int = 0


def resolve_hello(token: str | None, workshop_id: int, client_id: str, engine: Engine) -> Resolved:
    """Everything a hello needs before its catch-up, in one read: when the room holds
    the events the client missed, nothing more is read for it."""
    with read_session(engine) as session:
        login = find_session(session, token)
        if login is None:
            return Resolved(False, False, None, 0)
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return Resolved(True, False, None, 0)
        member = member_in_workshop(session, login, workshop_id)
        if member is None:
            return Resolved(True, True, None, 0)
        record = session.get(SyncClient, (client_id, workshop_id))
        return Resolved(
            True,
            True,
            member.id,
            record.last_op_id if record else 0,
            readable_checklist_ids(session, workshop, member),
            workshop.head_seq,
        )


@dataclass(frozen=True)
class CatchUp:
    head: int
    events: list[Event] | None  # None: too far behind, ahead, or visibility changed
    visible: set[int]


def read_catchup(
    workshop_id: int, member_id: int, after: int, threshold: int, engine: Engine
) -> CatchUp | None:
    """What a client at ``after`` needs: the events since (``events`` is ``None`` when it
    needs a snapshot instead); ``None`` when the member was removed."""
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        if workshop is None or member is None or member.removed:
            return None
        head = workshop.head_seq
        if after == 0 or after > head or head - after > threshold:
            return CatchUp(head, None, set())
        events = read_since(session, workshop_id, after, limit=head - after)
        if len(events) != head - after or any(e.resync for e in events):
            return CatchUp(head, None, set())
        return CatchUp(head, events, readable_checklist_ids(session, workshop, member))


def read_range(workshop_id: int, after: int, limit: int, engine: Engine) -> list[Event]:
    with read_session(engine) as session:
        return read_since(session, workshop_id, after, limit=limit)


def read_snapshot(
    workshop_id: int, member_id: int, engine: Engine, cache: SnapshotCache | None = None
) -> tuple[dict[str, Any], set[int], Member | None]:
    """``member``'s snapshot now; the workshop's rows come from ``cache`` when it holds
    them at this seq (and go there when read)."""
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        if workshop is None or member is None or member.removed:
            return {}, set(), None
        rows = cache.at(workshop.head_seq) if cache is not None else None
        if rows is None:
            rows = read_rows(session, workshop)
            if cache is not None:
                cache.keep(rows)
        snapshot = cut_snapshot(rows, member)
        visible = {int(c["id"]) for c in snapshot["checklists"]}
        return snapshot, visible, member


@dataclass(frozen=True)
class SnapshotText:
    """A member's snapshot, as the JSON text to send."""

    seq: int
    text: str
    visible: set[int]  # the checklists it shows


def read_snapshot_text(
    workshop_id: int, member_id: int, engine: Engine, cache: SnapshotCache | None = None
) -> SnapshotText | None:
    """``member``'s snapshot now, encoded (the same text as ``read_snapshot``'s dict
    encoded compactly); ``None`` when the member was removed. With ``cache``, members
    joining at one seq share the workshop's rows and the encoded text of their view
    (see ``SnapshotTexts``): per member, only the rows that name them are encoded."""
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        if workshop is None or member is None or member.removed:
            return None
        rows = cache.at(workshop.head_seq) if cache is not None else None
        if rows is None:
            rows = read_rows(session, workshop)
            if cache is not None:
                cache.keep(rows)
        texts = cache.texts(rows) if cache is not None else SnapshotTexts(rows)
        text, visible = texts.text_for(member)
        return SnapshotText(rows.seq, text, visible)
