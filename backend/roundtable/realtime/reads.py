"""The blocking reads of the live path, each one read transaction, run in worker threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Engine, or_, select
from sqlmodel import Session, col

from roundtable.access import can_read_checklist
from roundtable.accounts.service import find_session, member_in_workshop
from roundtable.checklists.models import Checklist
from roundtable.db import read_session
from roundtable.groups.models import Member
from roundtable.realtime.deflated import Deflated
from roundtable.realtime.snapshot import (
    RESETTING_KINDS,
    Rows,
    SnapshotCache,
    SnapshotTexts,
    Viewer,
    read_rows,
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
        place = _place(session, workshop_id)
        if place is None:
            return Resolved(True, False, None, 0)
        member = member_in_workshop(session, login, workshop_id)
        if member is None:
            return Resolved(True, True, None, 0)
        last_op_id = session.execute(
            select(col(SyncClient.last_op_id)).where(
                col(SyncClient.client_id) == client_id, col(SyncClient.workshop_id) == workshop_id
            )
        ).scalar()
        return Resolved(
            True,
            True,
            member.id,
            int(last_op_id or 0),
            _readable(session, place, member),
            int(place.head_seq),
        )


@dataclass(frozen=True)
class SnapshotText:
    """A member's snapshot, as the JSON text to send."""

    seq: int
    text: str
    visible: set[int]  # the checklists it shows
    # The text compressed once for everyone of the view it is the same for, if it names
    # nobody in particular (see ``realtime.deflated``).
    deflated: Deflated | None = None


@dataclass(frozen=True)
class CatchUp:
    head: int
    events: list[Event] | None  # None: too far behind, ahead, or visibility changed
    visible: set[int]
    # With ``with_snapshot``, when ``events`` is None: the snapshot, read in the same
    # transaction (its seq is ``head``).
    snapshot: SnapshotText | None = None


def read_catchup(
    workshop_id: int,
    member_id: int,
    after: int,
    threshold: int,
    engine: Engine,
    *,
    with_snapshot: bool = False,
    cache: SnapshotCache | None = None,
    shared_lag: int = 0,
) -> CatchUp | None:
    """What a client at ``after`` needs: the events since (``events`` is ``None`` when it
    needs a snapshot instead, and ``with_snapshot`` puts that snapshot in ``snapshot``,
    from ``cache`` as in ``read_snapshot_text``, ``shared_lag`` included: its seq may then
    be below ``head``); ``None`` when the member was removed."""
    with read_session(engine) as session:
        place = _place(session, workshop_id)
        viewer = _viewer(session, member_id)
        if place is None or viewer is None:
            return None
        head = int(place.head_seq)
        events: list[Event] | None = None
        if 0 < after <= head and head - after <= threshold:
            events = read_since(session, workshop_id, after, limit=head - after)
            if len(events) != head - after or any(e.resync for e in events):
                events = None
        if events is None:
            if not with_snapshot:
                return CatchUp(head, None, set())
            shot = _snapshot_text(
                session, place, viewer, cache, shared_lag=shared_lag, not_before=after
            )
            return CatchUp(head, None, set(), shot) if shot is not None else None
        return CatchUp(head, events, _readable(session, place, viewer))


def read_range(workshop_id: int, after: int, limit: int, engine: Engine) -> list[Event]:
    with read_session(engine) as session:
        return read_since(session, workshop_id, after, limit=limit)


def _place(session: Session, workshop_id: int) -> Any:
    """The workshop's columns the catch-up reads (its head, what readability depends on,
    and its attribution policy), or None."""
    return session.execute(
        select(
            col(Workshop.id),
            col(Workshop.head_seq),
            col(Workshop.phase),
            col(Workshop.reveal),
            col(Workshop.attribution),
        ).where(col(Workshop.id) == workshop_id)
    ).first()


def _readable(session: Session, workshop: Any, viewer: Viewer) -> set[int]:
    """As ``readable_checklist_ids``, from columns."""
    rows = session.execute(
        select(col(Checklist.id), col(Checklist.workshop_id), col(Checklist.group_id)).where(
            col(Checklist.workshop_id) == workshop.id
        )
    ).all()
    return {int(c.id) for c in rows if can_read_checklist(viewer, workshop, c)}


def _viewer(session: Session, member_id: int) -> Viewer | None:
    """The member's columns a snapshot depends on; ``None`` if gone or removed."""
    row = session.execute(
        select(col(Member.id), col(Member.role), col(Member.group_id), col(Member.removed)).where(
            col(Member.id) == member_id
        )
    ).first()
    return None if row is None or row.removed else cast(Viewer, row)


def _snapshot_text(
    session: Session,
    place: Any,
    viewer: Viewer,
    cache: SnapshotCache | None,
    *,
    shared_lag: int = 0,
    not_before: int = 0,
) -> SnapshotText | None:
    """``viewer``'s snapshot, at ``place``'s head (read in ``session``'s transaction) or,
    with ``shared_lag``, at the seq of the rows ``cache`` already holds when that is at
    most ``shared_lag`` behind the head and they may stand in for it (``_shareable``)."""
    head = int(place.head_seq)
    rows = cache.at(head) if cache is not None else None
    if rows is None and cache is not None and shared_lag > 0:
        rows = _shareable(session, place, cache.latest(), shared_lag, not_before)
    if rows is None:
        workshop = session.get(Workshop, place.id)
        if workshop is None:
            return None
        rows = read_rows(session, workshop)
        if cache is not None:
            cache.keep(rows)
    texts = cache.texts(rows) if cache is not None else SnapshotTexts(rows)
    text, visible = texts.text_for(viewer)
    return SnapshotText(rows.seq, text, visible, texts.deflated_for(viewer))


def _shareable(
    session: Session, place: Any, rows: Rows | None, lag: int, not_before: int
) -> Rows | None:
    """``rows`` if a snapshot cut from them, followed by the events after their seq, gives
    a member what a snapshot at the head would: they are at most ``lag`` behind the head
    and not behind ``not_before``, and nothing since their seq changed who may read what
    or rewrote the log (a resync, a redaction, names erased, a new attribution policy).
    So a redacted text or a name that may no longer be shown is never sent from them,
    and a connection re-snapshotted for a resync is never sent a snapshot before it."""
    head = int(place.head_seq)
    if rows is None or not (max(head - lag, not_before) <= rows.seq <= head):
        return None
    if rows.workshop.attribution != place.attribution:
        return None
    reset = session.execute(
        select(col(Event.seq))
        .where(
            col(Event.workshop_id) == place.id,
            col(Event.seq) > rows.seq,
            col(Event.seq) <= head,
            or_(col(Event.resync).is_(True), col(Event.kind).in_(RESETTING_KINDS)),
        )
        .limit(1)
    ).first()
    return rows if reset is None else None


def read_snapshot_text(
    workshop_id: int,
    member_id: int,
    engine: Engine,
    cache: SnapshotCache | None = None,
    *,
    shared_lag: int = 0,
    not_before: int = 0,
) -> SnapshotText | None:
    """``member``'s snapshot now, encoded (``cut_snapshot`` of the workshop's rows for
    them, compactly); ``None`` when the member was removed. With ``cache``, members
    joining at one seq share the workshop's rows and the encoded text of their view
    (see ``SnapshotTexts``): per member, only the rows that name them are encoded.

    With ``shared_lag`` too, the snapshot may be the one at the seq of the rows
    ``cache`` holds, up to ``shared_lag`` events behind the head and not behind
    ``not_before`` (see ``_shareable``): its receiver must then be sent the events after
    its seq, as a live connection is. While the head moves (a crowd joins while others
    write) joiners so share one read of the workshop, not one each."""
    with read_session(engine) as session:
        place = _place(session, workshop_id)
        viewer = _viewer(session, member_id)
        if place is None or viewer is None:
            return None
        return _snapshot_text(
            session, place, viewer, cache, shared_lag=shared_lag, not_before=not_before
        )
