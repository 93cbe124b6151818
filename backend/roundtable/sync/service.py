"""``submit``: the one write path. Every change to domain state goes through here.

One transaction per op:
  1. take the workshop's next seq (``UPDATE ... SET head_seq = head_seq + 1``: the row
     lock serialises writers of one workshop, and a rollback gives the number back, so
     the sequence is gapless);
  2. skip the op if ``(client_id, op_id)`` was handled already;
  3. resolve the member again (a removed member's ops are refused);
  4. validate, authorise and apply it through the domain's handler;
  5. append the event with the resulting values and record the op id;
  6. commit; then ring the notifier's doorbell.
A refused op rolls everything back, and its op id is recorded so a resend is answered
as a duplicate rather than applied. Recording takes the same workshop row lock as a
submit, so the idempotency record only ever moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import Engine, bindparam, insert, select, text, update
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlmodel import Session, col

from roundtable.db import write_session
from roundtable.errors import OpRejected
from roundtable.groups.models import Member
from roundtable.sync.models import Event, SyncClient
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry
from roundtable.timeutil import utcnow
from roundtable.workshops.models import Workshop

# The write path's fixed statements, built once (building them costs more than running
# them). Bumping the counter returns the whole workshop row, loaded into the session like
# a ``get`` (an op may change the workshop).
_BUMP = (
    update(Workshop)
    .where(col(Workshop.id) == bindparam("workshop_id"))
    .values(head_seq=col(Workshop.head_seq) + 1)
    .returning(Workshop)
    .execution_options(synchronize_session=False)
)
# The idempotency record, checked and raised at once (SQLite >= 3.35 and PostgreSQL).
_TAKE_OP_ID = text(
    "INSERT INTO sync_client (client_id, workshop_id, last_op_id)"
    " VALUES (:client_id, :workshop_id, :op_id)"
    " ON CONFLICT (client_id, workshop_id) DO UPDATE SET last_op_id = excluded.last_op_id"
    " WHERE sync_client.last_op_id < excluded.last_op_id RETURNING last_op_id"
)
# Core, not the unit of work: an event is only ever inserted.
_INSERT_EVENT = insert(Event.__table__)  # type: ignore[attr-defined]


class Doorbell(Protocol):
    """What ``submit`` needs of a notifier."""

    def stage(self, session: Session, workshop_id: int, seq: int) -> None:
        """Called inside the transaction, before commit."""

    def rung(self, workshop_id: int, seq: int) -> None:
        """Called after commit."""


@dataclass
class Submitted:
    seq: int | None
    event: Event | None
    outcome: OpOutcome | None
    duplicate: bool = False


def format_validation_error(exc: ValidationError, prefix: str = "args") -> OpRejected:
    first = exc.errors()[0]
    loc = ".".join(str(part) for part in (prefix, *first["loc"]))
    return OpRejected("invalid", f"{loc}: {first['msg']}", field=loc)


def submit(
    engine: Engine,
    registry: OpRegistry,
    doorbell: Doorbell | None,
    *,
    workshop_id: int,
    member_id: int | None,
    kind: str,
    args: Any,
    client_id: str | None = None,
    op_id: int | None = None,
    system: bool = False,
    on_commit: Callable[[Event], None] | None = None,
) -> Submitted:
    """Applies one op (see the module's docstring). ``on_commit`` gets the committed event
    right after commit, before the doorbell rings: the local hub hands it to its room."""
    spec = registry.get(kind)
    if spec is None:
        raise OpRejected("unknown_op", f"kind: unknown op kind {kind!r}", field="kind")
    if spec.system_only and not system:
        raise OpRejected("forbidden", f"kind: {kind!r} cannot be sent by clients", field="kind")
    try:
        parsed = spec.args.model_validate(args if args is not None else {})
    except ValidationError as exc:
        rejected = format_validation_error(exc)
        raise _recorded(engine, workshop_id, client_id, op_id, rejected) from None

    try:
        with write_session(engine) as session:
            workshop = session.execute(_BUMP, {"workshop_id": workshop_id}).scalar_one_or_none()
            if workshop is None:
                raise OpRejected("not_found", f"workshop {workshop_id} does not exist")
            if workshop.archived_at is not None and not spec.archived_ok:
                raise OpRejected("forbidden", "this workshop is archived: it is read-only")
            seq = workshop.head_seq
            if (
                client_id is not None
                and op_id is not None
                and not _take_op_id(session, client_id, workshop_id, op_id)
            ):
                # Handled before: say where its event is (None: it was refused).
                original = session.execute(
                    select(col(Event.seq)).where(
                        col(Event.workshop_id) == workshop_id,
                        col(Event.client_id) == client_id,
                        col(Event.op_id) == op_id,
                    )
                ).scalar_one_or_none()
                session.rollback()
                return Submitted(seq=original, event=None, outcome=None, duplicate=True)
            member = _resolve_member(session, workshop_id, member_id, system)
            ctx = OpContext(session, workshop, member, seq, client_id)
            outcome = spec.apply(ctx, parsed)
            event = Event(
                workshop_id=workshop_id,
                seq=seq,
                client_id=client_id,
                op_id=op_id,
                actor_id=ctx.actor_id,
                kind=kind,
                scope=outcome.scope,
                changes=outcome.changes,
                resync=outcome.changes_visibility,
                created_at=utcnow(),
            )
            session.execute(
                _INSERT_EVENT,
                {
                    "workshop_id": workshop_id,
                    "seq": seq,
                    "client_id": client_id,
                    "op_id": op_id,
                    "actor_id": event.actor_id,
                    "kind": kind,
                    "scope": event.scope,
                    "changes": event.changes,
                    "resync": event.resync,
                    "created_at": event.created_at,
                },
            )
            if doorbell is not None:
                doorbell.stage(session, workshop_id, seq)
            session.commit()
    except OpRejected as exc:
        raise _recorded(engine, workshop_id, client_id, op_id, exc) from None
    except IntegrityError as exc:
        raise _recorded(
            engine,
            workshop_id,
            client_id,
            op_id,
            OpRejected("conflict", f"{kind}: conflicts with existing data ({_short(exc)})"),
        ) from exc
    except DataError as exc:
        # E.g. a value longer than its column (an ordering key past 64 characters) on
        # PostgreSQL: the arguments' schemas should refuse it first, naming the field;
        # this keeps it a refusal rather than a crash.
        raise _recorded(
            engine,
            workshop_id,
            client_id,
            op_id,
            OpRejected("invalid", f"args: a value is too long or out of range for {kind}"),
        ) from exc
    except OperationalError as exc:
        # Database unavailable or locked: nothing was committed; the client may retry.
        raise OpRejected("unavailable", f"the database is unavailable ({_short(exc)})") from exc
    if on_commit is not None:
        on_commit(event)
    if doorbell is not None:
        doorbell.rung(workshop_id, seq)
    return Submitted(seq=seq, event=event, outcome=outcome)


def _take_op_id(session: Session, client_id: str, workshop_id: int, op_id: int) -> bool:
    """Raises the client's op id to ``op_id`` in one statement; False if it was there
    already (the op was handled before). Inside the op's transaction, so a refusal
    rolls it back too (and ``_recorded`` then records the refused id)."""
    params = {"client_id": client_id, "workshop_id": workshop_id, "op_id": op_id}
    return session.execute(_TAKE_OP_ID, params).first() is not None


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0][:200]


def _resolve_member(
    session: Session, workshop_id: int, member_id: int | None, system: bool
) -> Member | None:
    if member_id is None:
        if system:
            return None
        raise OpRejected("unauthenticated", "sign in or join a group first")
    member = session.get(Member, member_id)
    if member is None or member.workshop_id != workshop_id or member.removed:
        raise OpRejected("forbidden", "you are not a member of this workshop")
    return member


def _recorded(
    engine: Engine, workshop_id: int, client_id: str | None, op_id: int | None, exc: OpRejected
) -> OpRejected:
    """Remember a refused op's id so a resend is a duplicate, not a second try."""
    if client_id is None or op_id is None:
        return exc
    try:
        with write_session(engine) as session:
            locked = session.execute(
                select(col(Workshop.id)).where(col(Workshop.id) == workshop_id).with_for_update()
            ).first()
            if locked is None:
                return exc
            record = session.get(SyncClient, (client_id, workshop_id))
            if record is None:
                session.add(
                    SyncClient(client_id=client_id, workshop_id=workshop_id, last_op_id=op_id)
                )
            elif op_id > record.last_op_id:
                record.last_op_id = op_id
            session.commit()
    except (OperationalError, IntegrityError, DataError):
        pass  # the reject still reaches the client; a resend is then refused again
    return exc
