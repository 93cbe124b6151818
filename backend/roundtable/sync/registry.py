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
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Session

from roundtable.groups.models import Member
from roundtable.workshops.models import Workshop

A = TypeVar("A", bound=BaseModel)

Change = dict[str, Any]


@dataclass
class OpContext:
    session: Session
    workshop: Workshop
    member: Member | None  # None for system ops (joining, importing)
    seq: int
    client_id: str | None

    @property
    def actor_id(self) -> int | None:
        return None if self.member is None else self.member.id


@dataclass
class OpOutcome:
    changes: list[Change]
    scope: int | None = None  # checklist id whose readers see it; None = whole workshop
    result: Any = None  # returned to the REST caller (e.g. the created row)
    changes_visibility: bool = False  # readers of some checklist changed: resend snapshots
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpSpec(Generic[A]):
    kind: str
    args: type[A]
    apply: Callable[[OpContext, A], OpOutcome]
    system_only: bool = False  # may not be sent by clients (e.g. member.join)
    archived_ok: bool = False  # may change an archived (read-only) workshop


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
) -> Callable[[Callable[[OpContext, A], OpOutcome]], Callable[[OpContext, A], OpOutcome]]:
    """Decorator: ``@op(REGISTRY, "item.create", ItemCreateArgs)``."""

    def wrap(fn: Callable[[OpContext, A], OpOutcome]) -> Callable[[OpContext, A], OpOutcome]:
        registry.register(OpSpec(kind, args, fn, system_only, archived_ok))
        return fn

    return wrap
