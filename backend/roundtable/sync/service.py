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

``submit_batch`` runs several ops in one transaction (group commit, see ``writer``):
each op inside its own savepoint, so a refused op rolls back only its own changes (its
seq included: the sequence stays gapless) and its op id is recorded in the same
transaction; one commit, one fsync, then every op's result. Nothing is reported before
that commit, so "acknowledged means committed" holds for every op of the batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col

from roundtable.db import write_session
from roundtable.errors import OpRejected
from roundtable.groups.models import Member
from roundtable.sync.models import CommittedEvent, Event, SyncClient
from roundtable.sync.registry import (
    MemberState,
    OpContext,
    OpOutcome,
    OpRegistry,
    OpSpec,
    WorkshopState,
)
from roundtable.sync.statements import Prepared, Runner
from roundtable.timeutil import utcnow
from roundtable.workshops.models import Workshop

# The write path's fixed statements, compiled once per dialect and run on the driver (see
# ``statements``): no ORM object is made for the workshop or the member unless a handler
# asks for one (see ``OpContext``). Bumping the counter returns what the access rules
# read of the workshop, current under the row lock the bump takes.
log = logging.getLogger("roundtable.sync")
_WORKSHOPS = Workshop.__table__  # type: ignore[attr-defined]
_MEMBERS = Member.__table__  # type: ignore[attr-defined]
_EVENTS = Event.__table__  # type: ignore[attr-defined]
_BUMP = Prepared(
    update(_WORKSHOPS)
    .where(_WORKSHOPS.c.id == bindparam("workshop_id"))
    .values(head_seq=_WORKSHOPS.c.head_seq + 1)
    .returning(
        _WORKSHOPS.c.head_seq,
        _WORKSHOPS.c.phase,
        _WORKSHOPS.c.reveal,
        _WORKSHOPS.c.archived_at,
    )
)
# For handlers that work on ORM rows: the bump loads the workshop's row, as a ``get``
# would (one round trip less while the row lock is held).
_BUMP_ROW = (
    update(Workshop)
    .where(col(Workshop.id) == bindparam("workshop_id"))
    .values(head_seq=col(Workshop.head_seq) + 1)
    .returning(Workshop)
    .execution_options(synchronize_session=False, populate_existing=True)
)
_MEMBER = Prepared(
    select(
        _MEMBERS.c.workshop_id,
        _MEMBERS.c.group_id,
        _MEMBERS.c.role,
        _MEMBERS.c.removed,
    ).where(_MEMBERS.c.id == bindparam("member_id"))
)
_WORKSHOP_EXISTS = Prepared(
    select(_WORKSHOPS.c.id).where(_WORKSHOPS.c.id == bindparam("workshop_id"))
)
# The idempotency record, checked and raised at once (SQLite >= 3.35 and PostgreSQL).
_TAKE_OP_ID = Prepared(
    text(
        "INSERT INTO sync_client (client_id, workshop_id, last_op_id)"
        " VALUES (:client_id, :workshop_id, :op_id)"
        " ON CONFLICT (client_id, workshop_id) DO UPDATE SET last_op_id = excluded.last_op_id"
        " WHERE sync_client.last_op_id < excluded.last_op_id RETURNING last_op_id"
    )
)
_ORIGINAL_SEQ = Prepared(
    select(_EVENTS.c.seq).where(
        _EVENTS.c.workshop_id == bindparam("workshop_id"),
        _EVENTS.c.client_id == bindparam("client_id"),
        _EVENTS.c.op_id == bindparam("op_id"),
    )
)
# An event is only ever inserted.
_EVENT_KEYS = (
    "workshop_id",
    "seq",
    "client_id",
    "op_id",
    "actor_id",
    "kind",
    "scope",
    "changes",
    "resync",
    "created_at",
)
_INSERT_EVENT = Prepared(insert(_EVENTS), _EVENT_KEYS)
_SAVEPOINT = "op"  # the raw savepoint around each op of a batch


class _Tx:
    """One write transaction on one connection.

    On SQLite it is begun on the driver (``BEGIN IMMEDIATE``) and the fixed statements run
    there; SQLAlchemy's own transaction and a :class:`Session` (joined to it, never
    committing or closing it) are started only when a handler first uses the ORM. On
    PostgreSQL SQLAlchemy's transaction is begun by the first statement.

    In a batch each op runs inside a savepoint taken with plain SQL (cheap); when the op
    uses the session, a session savepoint nested inside it keeps the session's state right
    if the op is then refused.
    """

    __slots__ = ("_nested", "_owned", "_session", "conn", "in_op", "sql")

    def __init__(self, engine: Engine, held: HeldConnection | None = None) -> None:
        self.conn = engine.connect() if held is None else held.get()
        self._owned = held is None
        self._session: Session | None = None
        self._nested: SessionTransaction | None = None
        self.in_op = False
        self.sql = Runner(self.conn)
        try:
            if self.sql.direct:
                self.sql.plain("BEGIN IMMEDIATE")
        except BaseException:
            self.close()
            raise

    def session(self) -> Session:
        session = self._session
        if session is None:
            if not self.conn.in_transaction():
                # SQLAlchemy's transaction over the driver's (``db`` begins nothing more).
                self.conn.begin()
            session = self._session = Session(bind=self.conn, expire_on_commit=False)
        if self.in_op and self._nested is None:
            self._nested = session.begin_nested()
        return session

    def existing(self) -> Session | None:
        return self._session

    @property
    def lazy_session(self) -> Session:
        """The session, made when something first uses it (most item ops never do)."""
        return cast(Session, _LazySession(self))

    def begin_op(self) -> None:
        self.sql.plain(f"SAVEPOINT {_SAVEPOINT}")
        self.in_op = True

    def end_op(self, keep: bool) -> None:
        """Releases (``keep``) or rolls back the op's savepoint."""
        nested, self._nested, self.in_op = self._nested, None, False
        if keep:
            if nested is not None:
                nested.commit()  # flushes the op's ORM changes inside its savepoint
        else:
            if nested is not None and nested.is_active:
                nested.rollback()
            self.sql.plain(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        self.sql.plain(f"RELEASE SAVEPOINT {_SAVEPOINT}")

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def commit(self) -> None:
        self.flush()
        if self.conn.in_transaction():
            self.conn.commit()
        elif self.sql.direct:
            self.sql.commit_driver()
        # Otherwise (PostgreSQL) nothing ran, so nothing was begun.

    def close(self) -> None:
        """Rolls back whatever was not committed (SQLAlchemy's transaction, or the pool's
        reset for one begun on the driver) and gives the connection back; a held
        connection is rolled back and kept."""
        try:
            if self._session is not None:
                self._session.close()
            if self._owned:
                self.conn.close()
            else:
                # ``get_transaction``, not ``in_transaction``: a commit that failed (a full
                # disk) leaves an inactive transaction that only a rollback clears, and
                # that rollback does not reach the database; the driver's own does (and
                # ends one begun on the driver). Neither costs anything after a commit.
                if self.conn.get_transaction() is not None:
                    self.conn.rollback()
                self.conn.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
        except DBAPIError:
            # The connection died (a database restart): this must not replace the error
            # the caller is already answering with.
            self.conn.invalidate()


class HeldConnection:
    """A connection kept from one transaction to the next by the thread that owns it (the
    SQLite writer): taking one from the pool and giving it back, with the pool's reset,
    cost about a sixth of a single op's CPU. One that broke is replaced at the next use."""

    __slots__ = ("_conn", "engine")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    def get(self) -> Connection:
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._conn = self.engine.connect()
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class _LazySession:
    """Stands for the transaction's session; makes it on first use."""

    __slots__ = ("_tx",)

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx.session(), name)

    # The session's own operators (looked up on the type, not through ``__getattr__``).
    def __contains__(self, instance: object) -> bool:
        return instance in self._tx.session()

    def __iter__(self) -> Iterator[object]:
        return iter(self._tx.session())


class Doorbell(Protocol):
    """What ``submit`` needs of a notifier."""

    def stage(self, session: Session, workshop_id: int, seq: int) -> None:
        """Called inside the transaction, before commit."""

    def rung(self, workshop_id: int, seq: int) -> None:
        """Called after commit."""


@dataclass
class Submitted:
    seq: int | None
    event: CommittedEvent | None
    outcome: OpOutcome | None
    duplicate: bool = False


@dataclass(frozen=True)
class OpRequest:
    """One op as ``submit`` takes it."""

    workshop_id: int
    member_id: int | None
    kind: str
    args: Any
    client_id: str | None = None
    op_id: int | None = None
    system: bool = False


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
    on_commit: Callable[[CommittedEvent], None] | None = None,
    announce: bool = True,
    held: HeldConnection | None = None,
) -> Submitted:
    """Applies one op (see the module's docstring). ``on_commit`` gets the committed event
    right after commit, before the doorbell rings: the local hub hands it to its room.
    ``announce=False``: neither (the caller hands the event over and rings itself).
    ``held``: the transaction runs on that connection instead of one from the pool."""
    req = OpRequest(workshop_id, member_id, kind, args, client_id, op_id, system)
    try:
        spec, parsed = _parse(registry, req)
    except OpRejected as exc:
        raise _recorded(engine, workshop_id, client_id, op_id, exc) from None
    try:
        tx = _Tx(engine, held)
        try:
            result = _apply(tx, spec, parsed, req, doorbell)
            if not result.duplicate:
                tx.commit()
        finally:
            tx.close()  # a duplicate (or a refusal) rolls back here
    except OpRejected as exc:
        raise _recorded(engine, workshop_id, client_id, op_id, exc) from None
    except (IntegrityError, DataError) as exc:
        raise _recorded(engine, workshop_id, client_id, op_id, _refusal(kind, exc)) from exc
    except OperationalError as exc:
        raise _unavailable(exc) from exc
    if announce and not result.duplicate:
        _announce([result], on_commit, doorbell)
    return result


BatchResult = Submitted | BaseException


def submit_batch(
    engine: Engine,
    registry: OpRegistry,
    doorbell: Doorbell | None,
    requests: Sequence[OpRequest],
    *,
    on_commit: Callable[[CommittedEvent], None] | None = None,
    announce: bool = True,
    held: HeldConnection | None = None,
) -> list[BatchResult]:
    """Applies ``requests`` in order in one transaction (see the module's docstring).
    Each result is a :class:`Submitted` or the exception ``submit`` would have raised
    for that op. Anything unforeseen (a bug in a handler, the database going away) rolls
    the whole batch back and runs its ops one by one through ``submit`` instead.
    ``announce=False``: no ``on_commit`` and no doorbell after commit; the caller hands
    the results' events over (in order) and rings."""
    if len(requests) == 1:
        return [_one(engine, registry, doorbell, requests[0], on_commit, announce, held)]
    results: list[BatchResult] = []
    try:
        tx = _Tx(engine, held)
        try:
            for req in requests:
                results.append(_apply_nested(tx, registry, doorbell, req))
            tx.commit()
        finally:
            tx.close()
    except Exception:
        return [
            _one(engine, registry, doorbell, req, on_commit, announce, held) for req in requests
        ]
    if announce:
        _announce([r for r in results if isinstance(r, Submitted)], on_commit, doorbell)
    return results


def _one(
    engine: Engine,
    registry: OpRegistry,
    doorbell: Doorbell | None,
    req: OpRequest,
    on_commit: Callable[[CommittedEvent], None] | None,
    announce: bool,
    held: HeldConnection | None = None,
) -> BatchResult:
    try:
        return submit(
            engine,
            registry,
            doorbell,
            workshop_id=req.workshop_id,
            member_id=req.member_id,
            kind=req.kind,
            args=req.args,
            client_id=req.client_id,
            op_id=req.op_id,
            system=req.system,
            on_commit=on_commit,
            announce=announce,
            held=held,
        )
    except Exception as exc:  # handed to the op's caller, as ``submit`` would raise it
        return exc


def _apply_nested(
    tx: _Tx, registry: OpRegistry, doorbell: Doorbell | None, req: OpRequest
) -> BatchResult:
    """One op of a batch, in a savepoint. A refusal rolls back to the savepoint and
    records the op id; a database error other than a refusal propagates (the batch is
    then retried op by op)."""
    try:
        spec, parsed = _parse(registry, req)
    except OpRejected as exc:
        _record_nested(tx, req, exc)
        return exc
    tx.begin_op()
    try:
        result = _apply(tx, spec, parsed, req, doorbell)
        # A duplicate gives its seq back; the op's ORM changes are flushed inside its
        # savepoint, so a refusal of the database still rolls back this op only.
        tx.end_op(keep=not result.duplicate)
        return result
    except OpRejected as exc:
        tx.end_op(keep=False)
        _record_nested(tx, req, exc)
        return exc
    except (IntegrityError, DataError) as exc:
        tx.end_op(keep=False)
        refusal = _refusal(req.kind, exc)
        _record_nested(tx, req, refusal)
        return refusal


def _record_nested(tx: _Tx, req: OpRequest, exc: OpRejected) -> None:
    """``_recorded`` inside a batch: the batch holds the write lock already."""
    if req.client_id is None or req.op_id is None:
        return
    if tx.sql.first(_WORKSHOP_EXISTS, {"workshop_id": req.workshop_id}) is not None:
        _take_op_id(tx, req.client_id, req.workshop_id, req.op_id)


def _parse(registry: OpRegistry, req: OpRequest) -> tuple[OpSpec[Any], Any]:
    spec = registry.get(req.kind)
    if spec is None:
        raise OpRejected("unknown_op", f"kind: unknown op kind {req.kind!r}", field="kind")
    if spec.system_only and not req.system:
        raise OpRejected("forbidden", f"kind: {req.kind!r} cannot be sent by clients", field="kind")
    try:
        parsed = spec.args.model_validate(req.args if req.args is not None else {})
    except ValidationError as exc:
        raise format_validation_error(exc) from None
    return spec, parsed


def _apply(
    tx: _Tx, spec: OpSpec[Any], parsed: Any, req: OpRequest, doorbell: Doorbell | None
) -> Submitted:
    """Steps 1-5 of the module's docstring, in the open transaction; raises to refuse."""
    workshop_id, client_id, op_id = req.workshop_id, req.client_id, req.op_id
    sql = tx.sql
    row: Workshop | None = None
    if spec.values_only:
        bumped = sql.first(_BUMP, {"workshop_id": workshop_id})
        if bumped is None:
            raise OpRejected("not_found", f"workshop {workshop_id} does not exist")
        seq, phase, reveal, archived_at = bumped
    else:
        row = tx.session().execute(_BUMP_ROW, {"workshop_id": workshop_id}).scalar_one_or_none()
        if row is None:
            raise OpRejected("not_found", f"workshop {workshop_id} does not exist")
        seq, phase, reveal, archived_at = row.head_seq, row.phase, row.reveal, row.archived_at
    if archived_at is not None and not spec.archived_ok:
        raise OpRejected("forbidden", "this workshop is archived: it is read-only")
    if (
        client_id is not None
        and op_id is not None
        and not _take_op_id(tx, client_id, workshop_id, op_id)
    ):
        # Handled before: say where its event is (None: it was refused).
        original = sql.first(
            _ORIGINAL_SEQ, {"workshop_id": workshop_id, "client_id": client_id, "op_id": op_id}
        )
        return Submitted(
            seq=None if original is None else original[0], event=None, outcome=None, duplicate=True
        )
    workshop = WorkshopState(workshop_id, phase, bool(reveal), archived_at)
    session = tx.lazy_session
    if spec.values_only:
        member = _resolve_member(tx, workshop_id, req.member_id, req.system)
        ctx = OpContext(session, workshop, member, seq, client_id, tx.conn, sql, tx.existing)
    else:
        ctx = OpContext(session, workshop, None, seq, client_id, tx.conn, sql, tx.existing)
        assert row is not None
        ctx.workshop = row
        ctx.member = _resolve_member_row(tx.session(), workshop_id, req.member_id, req.system)
    outcome = spec.apply(ctx, parsed)
    event = CommittedEvent(
        workshop_id=workshop_id,
        seq=seq,
        client_id=client_id,
        op_id=op_id,
        actor_id=ctx.actor_id,
        kind=req.kind,
        scope=outcome.scope,
        # The values as the log holds them (JSON), as a read-back would give them, and
        # a copy: nothing a later op of the batch changes can reach them.
        changes=json.loads(json.dumps(outcome.changes)),
        resync=outcome.changes_visibility,
        created_at=utcnow(),
    )
    # Not through the session: no autoflush here (the changed rows are flushed at
    # commit, or at the end of the op's savepoint in a batch).
    sql.run(
        _INSERT_EVENT,
        {
            "workshop_id": workshop_id,
            "seq": seq,
            "client_id": client_id,
            "op_id": op_id,
            "actor_id": event.actor_id,
            "kind": event.kind,
            "scope": event.scope,
            "changes": event.changes,
            "resync": event.resync,
            "created_at": event.created_at,
        },
    )
    if doorbell is not None:
        doorbell.stage(session, workshop_id, seq)
    return Submitted(seq=seq, event=event, outcome=outcome)


def _announce(
    results: list[Submitted],
    on_commit: Callable[[CommittedEvent], None] | None,
    doorbell: Doorbell | None,
) -> None:
    """After commit: each event to ``on_commit`` in order, then one doorbell per workshop.
    Nothing here fails the ops: they are committed, and an event ``on_commit`` could not
    take is read back at the doorbell (or the next poll)."""
    heads: dict[int, int] = {}
    for result in results:
        event = result.event
        if event is None:
            continue
        if on_commit is not None:
            try:
                on_commit(event)
            except Exception:
                log.exception("handing over event %s of workshop %s", event.seq, event.workshop_id)
        heads[event.workshop_id] = event.seq
    if doorbell is not None:
        for workshop_id, seq in heads.items():
            doorbell.rung(workshop_id, seq)


def _refusal(kind: str, exc: IntegrityError | DataError) -> OpRejected:
    if isinstance(exc, IntegrityError):
        return OpRejected("conflict", f"{kind}: conflicts with existing data ({_short(exc)})")
    # E.g. a value longer than its column (an ordering key past 64 characters) on
    # PostgreSQL: the arguments' schemas should refuse it first, naming the field; this
    # keeps it a refusal rather than a crash.
    return OpRejected("invalid", f"args: a value is too long or out of range for {kind}")


def _unavailable(exc: OperationalError) -> OpRejected:
    # Database unavailable or locked: nothing was committed; the client may retry.
    return OpRejected("unavailable", f"the database is unavailable ({_short(exc)})")


def _take_op_id(tx: _Tx, client_id: str, workshop_id: int, op_id: int) -> bool:
    """Raises the client's op id to ``op_id`` in one statement; False if it was there
    already (the op was handled before). Inside the op's transaction, so a refusal
    rolls it back too (and ``_recorded`` then records the refused id)."""
    params = {"client_id": client_id, "workshop_id": workshop_id, "op_id": op_id}
    return tx.sql.first(_TAKE_OP_ID, params) is not None


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0][:200]


def _resolve_member(
    tx: _Tx, workshop_id: int, member_id: int | None, system: bool
) -> MemberState | None:
    if member_id is None:
        if system:
            return None
        raise OpRejected("unauthenticated", "sign in or join a group first")
    row = tx.sql.first(_MEMBER, {"member_id": member_id})
    if row is None or row[0] != workshop_id or row[3]:
        raise OpRejected("forbidden", "you are not a member of this workshop")
    return MemberState(member_id, row[0], row[1], row[2], bool(row[3]))


def _resolve_member_row(
    session: Session, workshop_id: int, member_id: int | None, system: bool
) -> Member | None:
    """``_resolve_member`` for handlers that work on ORM rows."""
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
