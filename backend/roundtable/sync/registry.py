"""Op kinds and their handlers. Domains register here at start-up; ``sync`` imports none.

An op handler receives an :class:`OpContext` (the open transaction, the locked workshop
row, the acting member, the seq this op will get) and its validated arguments. It checks
authorisation, changes rows and returns the *resulting values* as a list of changes:

    {"entity": "item", "id": "k3J9...", "values": {"title": "...", "updated_seq": 57}}
    {"entity": "item", "id": "k3J9...", "deleted": true}

Handlers never commit; they raise :class:`roundtable.errors.OpRejected` to refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection
from sqlmodel import Session

from roundtable.groups.models import Member
from roundtable.sync.statements import Runner
from roundtable.workshops.models import Workshop

A = TypeVar("A", bound=BaseModel)

Change = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WorkshopState:
    """The workshop's fields that authorisation reads, as the seq bump returned them
    (current: read under the op's row lock)."""

    id: int
    phase: str
    reveal: bool
    archived_at: datetime | None


@dataclass(frozen=True, slots=True)
class MemberState:
    """The acting member's fields that authorisation reads, read in the op's transaction."""

    id: int
    workshop_id: int
    group_id: int | None
    role: str
    removed: bool


def member_state(member: Member) -> MemberState:
    assert member.id is not None
    return MemberState(member.id, member.workshop_id, member.group_id, member.role, member.removed)


class OpContext:
    """What a handler gets besides its arguments. ``workshop_state`` and ``member_state``
    are plain values (enough for the access rules); ``workshop`` and ``member`` are the
    ORM rows: given by ``submit`` to ordinary handlers, loaded on first use for those
    registered ``values_only`` (which then mostly never pay for them). ``session`` is made
    on first use; ``sql`` runs prepared statements (``sync.statements``) in the same
    transaction, without SQLAlchemy's per-statement cost."""

    __slots__ = (
        "_existing_session",
        "_member",
        "_workshop",
        "client_id",
        "connection",
        "member_state",
        "seq",
        "session",
        "sql",
        "workshop_state",
    )

    def __init__(
        self,
        session: Session,
        workshop: WorkshopState,
        member: MemberState | None,  # None for system ops (joining, importing)
        seq: int,
        client_id: str | None,
        connection: Connection | None = None,
        sql: Runner | None = None,
        existing_session: Callable[[], Session | None] | None = None,
    ) -> None:
        self.session = session
        self._existing_session = existing_session
        # The session's connection, for Core statements (they bypass the unit of work).
        self.connection = session.connection() if connection is None else connection
        self.sql = Runner(self.connection) if sql is None else sql
        self.workshop_state = workshop
        self.member_state = member
        self.seq = seq
        self.client_id = client_id
        self._workshop: Workshop | None = None
        self._member: Member | None = None

    def existing_session(self) -> Session | None:
        """The session if something made it already (to mend what it holds), else None."""
        if self._existing_session is None:
            return self.session
        return self._existing_session()

    @property
    def workshop(self) -> Workshop:
        if self._workshop is None:
            # Refreshed: the seq bump went around the session, and an earlier op of the
            # batch may have changed the row.
            workshop = self.session.get(Workshop, self.workshop_state.id, populate_existing=True)
            assert workshop is not None  # the bump found it, under its lock
            self._workshop = workshop
        return self._workshop

    @workshop.setter
    def workshop(self, workshop: Workshop) -> None:
        self._workshop = workshop

    @property
    def member(self) -> Member | None:
        if self._member is None and self.member_state is not None:
            self._member = self.session.get(Member, self.member_state.id)
        return self._member

    @member.setter
    def member(self, member: Member | None) -> None:
        """Makes ``member`` the actor (a join's joiner acts in their own join)."""
        self._member = member
        self.member_state = None if member is None else member_state(member)

    @property
    def actor_id(self) -> int | None:
        return None if self.member_state is None else self.member_state.id


class OpOutcome:
    """What a handler returns: the changes (resulting values) for the event, who sees
    them, and the REST caller's result (or how to make it, only if someone asks)."""

    def __init__(
        self,
        changes: list[Change],
        scope: int | None = None,  # checklist whose readers see it; None = whole workshop
        result: Any = None,  # returned to the REST caller (e.g. the created row)
        changes_visibility: bool = False,  # readers of some checklist changed: resnapshot
        extra: dict[str, Any] | None = None,
        *,
        make_result: Callable[[], Any] | None = None,
    ) -> None:
        self.changes = changes
        self.scope = scope
        self.changes_visibility = changes_visibility
        self.extra: dict[str, Any] = {} if extra is None else extra
        self._result = result
        self._make_result = make_result

    @property
    def result(self) -> Any:
        if self._make_result is not None:
            self._result, self._make_result = self._make_result(), None
        return self._result

    @result.setter
    def result(self, value: Any) -> None:
        self._result, self._make_result = value, None


@dataclass(frozen=True)
class OpSpec(Generic[A]):
    kind: str
    args: type[A]
    apply: Callable[[OpContext, A], OpOutcome]
    system_only: bool = False  # may not be sent by clients (e.g. member.join)
    archived_ok: bool = False  # may change an archived (read-only) workshop
    # Works on values (``workshop_state``, ``member_state``): submit then reads the
    # workshop and the member without the ORM; other handlers get the ORM rows at once.
    values_only: bool = False


class OpRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, OpSpec[Any]] = {}

    def register(self, spec: OpSpec[Any]) -> None:
        if spec.kind in self._specs:
            raise ValueError(f"op kind {spec.kind!r} is registered twice")
        self._specs[spec.kind] = spec

    def get(self, kind: str) -> OpSpec[Any] | None:
        return self._specs.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._specs)


def op(
    registry: OpRegistry,
    kind: str,
    args: type[A],
    *,
    system_only: bool = False,
    archived_ok: bool = False,
    values_only: bool = False,
) -> Callable[[Callable[[OpContext, A], OpOutcome]], Callable[[OpContext, A], OpOutcome]]:
    """Decorator: ``@op(REGISTRY, "item.create", ItemCreateArgs)``."""

    def wrap(fn: Callable[[OpContext, A], OpOutcome]) -> Callable[[OpContext, A], OpOutcome]:
        registry.register(OpSpec(kind, args, fn, system_only, archived_ok, values_only))
        return fn

    return wrap
