"""Facilitators' decisions on merge suggestions: dismissing one, and taking that back.

``consolidation.dismiss`` stores "these items are not one point" for the workshop: no two
of them are suggested together again, and what tells them apart weighs on later
suggestions (``learning.py``). ``consolidation.undismiss`` takes it back (the board's undo).
Both are idempotent: dismissing the same set again changes nothing, and taking back a
dismissal that is not there is not an error. Accepting a suggestion needs no record of its
own: it is a merge, and merges are what ``learning.py`` reads as "the same point".

The rows reach readers of the consolidated checklist as entity ``dismissal``
(``{"id", "item_ids", "created_seq"}``): the same facilitators who see the suggestions.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.consolidation.models import SuggestionDismissal
from roundtable.consolidation.ops import is_consolidated, require_consolidating, workshop_item
from roundtable.errors import invalid
from roundtable.ids import new_id
from roundtable.schemas import ClientId, Input
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import removal, upsert
from roundtable.workshops.service import consolidated_checklist

MAX_DISMISSED = 20


class DismissArgs(Input):
    item_ids: list[ClientId] = Field(min_length=2, max_length=MAX_DISMISSED)


class UndismissArgs(Input):
    item_ids: list[ClientId] = Field(min_length=2, max_length=MAX_DISMISSED)


def register(registry: OpRegistry) -> None:
    op(registry, "consolidation.dismiss", DismissArgs)(dismiss)
    op(registry, "consolidation.undismiss", UndismissArgs)(undismiss)


def dismissal_key(item_ids: list[str]) -> str:
    """The same for any order of the same ids."""
    return hashlib.sha256(",".join(sorted(set(item_ids))).encode()).hexdigest()


def dismissal_values(row: SuggestionDismissal) -> dict[str, Any]:
    return {"id": row.id, "item_ids": list(row.item_ids), "created_seq": row.created_seq}


def dismiss(ctx: OpContext, args: DismissArgs) -> OpOutcome:
    require_consolidating(ctx)
    return store_dismissal(ctx, args.item_ids)


def store_dismissal(ctx: OpContext, item_ids: list[str]) -> OpOutcome:
    """Stores the dismissal of ``item_ids`` (group items) unless that set is stored already;
    the change carries the row either way. Callers check who may."""
    ids = _distinct(item_ids)
    for n, item_id in enumerate(ids):
        item = workshop_item(ctx, item_id, f"args.item_ids.{n}", include_deleted=True)
        if is_consolidated(ctx, item):
            raise invalid(f"args.item_ids.{n}", f"item {item_id} is a consolidated item")
    key = dismissal_key(ids)
    row = _find(ctx, key)
    if row is None:
        row = SuggestionDismissal(
            id=new_id(),
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            key=key,
            item_ids=sorted(ids),
            created_seq=ctx.seq,
        )
        ctx.session.add(row)
        ctx.session.flush()
    return OpOutcome(
        [upsert("dismissal", row.id, dismissal_values(row))], scope=_scope(ctx), result=row
    )


def undismiss(ctx: OpContext, args: UndismissArgs) -> OpOutcome:
    require_consolidating(ctx)
    row = _find(ctx, dismissal_key(_distinct(args.item_ids)))
    if row is None:
        return OpOutcome([], scope=_scope(ctx))  # taken back already: nothing to do
    ctx.session.delete(row)
    return OpOutcome([removal("dismissal", row.id)], scope=_scope(ctx))


def dismissals_of(session: Session, workshop_id: int) -> list[SuggestionDismissal]:
    """A workshop's dismissals, oldest first."""
    return list(
        session.execute(
            select(SuggestionDismissal)
            .where(col(SuggestionDismissal.workshop_id) == workshop_id)
            .order_by(col(SuggestionDismissal.created_seq), col(SuggestionDismissal.id))
        ).scalars()
    )


def _distinct(item_ids: list[str]) -> list[str]:
    if len(set(item_ids)) != len(item_ids):
        raise invalid("args.item_ids", "names an item more than once")
    return item_ids


def _find(ctx: OpContext, key: str) -> SuggestionDismissal | None:
    return ctx.session.execute(
        select(SuggestionDismissal).where(
            col(SuggestionDismissal.workshop_id) == ctx.workshop.id,
            col(SuggestionDismissal.key) == key,
        )
    ).scalar_one_or_none()


def _scope(ctx: OpContext) -> int | None:
    return consolidated_checklist(ctx.session, ctx.workshop.id).id  # type: ignore[arg-type]
