"""Ops that build the consolidated checklist from the groups' items, keeping provenance.

``consolidation.merge`` creates or extends a consolidated item from group items;
``consolidation.unmerge`` unlinks one source; ``consolidation.split`` moves some sources
into new consolidated items; ``consolidation.undo`` reverts one of those while nothing
it touched has changed since; ``consolidation.ack_source`` clears a stale mark.

Sources are never deleted or edited: only their ``merged_into`` changes. A consolidated
item made by a merge and not edited by hand since is always the pre-fill of its current
sources (see ``prefill.py``), so unmerging or splitting restores what it was before. Once
a person edits it, its text is theirs: merging more sources adds tags and paragraphs,
and unmerging keeps the text. Each op is one event; undo needs ``consolidation_step``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import func, select
from sqlmodel import col

from roundtable.access import can_consolidate, why_not_consolidate
from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation import prefill as fill
from roundtable.consolidation.models import ConsolidationStep, ItemSource
from roundtable.consolidation.provenance import (
    event_reach,
    next_ref_number,
    provenance_change,
    with_provenance,
)
from roundtable.consolidation.steps import StepRecorder, changed_since, restore
from roundtable.errors import OpRejected, forbidden, invalid
from roundtable.groups.models import Group
from roundtable.ids import new_id
from roundtable.ordering import is_valid_key, key_between
from roundtable.safeguards.service import screen_item
from roundtable.schemas import MAX_VERSION, ClientId, Input, OrderKey
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import item_values, removal, upsert
from roundtable.workshops.service import consolidated_checklist

MAX_SOURCES = 100
PREFILLED_FIELDS = ("kind", "title", "detail", "themes", "actors", "references")
UNDOABLE = ("consolidation.merge", "consolidation.unmerge", "consolidation.split")


class MergeArgs(Input):
    source_ids: list[ClientId] = Field(min_length=1, max_length=MAX_SOURCES)
    target_id: ClientId | None = Field(default=None, description="Consolidated item to extend")
    id: ClientId | None = Field(default=None, description="Id for the new consolidated item")
    position: OrderKey | None = None


class UnmergeArgs(Input):
    source_id: ClientId


class SplitPart(Input):
    id: ClientId | None = None
    source_ids: list[ClientId] = Field(min_length=1, max_length=MAX_SOURCES)


class SplitArgs(Input):
    id: ClientId
    parts: list[SplitPart] = Field(min_length=1, max_length=20)


class UndoArgs(Input):
    seq: int = Field(ge=1, le=MAX_VERSION)


class AckSourceArgs(Input):
    id: ClientId
    source_id: ClientId


def register(registry: OpRegistry) -> None:
    op(registry, "consolidation.merge", MergeArgs)(merge)
    op(registry, "consolidation.unmerge", UnmergeArgs)(unmerge)
    op(registry, "consolidation.split", SplitArgs)(split)
    op(registry, "consolidation.undo", UndoArgs)(undo)
    op(registry, "consolidation.ack_source", AckSourceArgs)(ack_source)


# -- the ops -----------------------------------------------------------------------------
def merge(ctx: OpContext, args: MergeArgs) -> OpOutcome:
    require_consolidating(ctx)
    if args.target_id is not None and (args.id is not None or args.position is not None):
        raise invalid("args.target_id", "give target_id to extend an item, or id and position")
    target = consolidated_item(ctx, args.target_id, "args.target_id") if args.target_id else None
    _no_repeats(args.source_ids, "args.source_ids")
    sources = [
        mergeable_source(ctx, source_id, f"args.source_ids.{n}", target)
        for n, source_id in enumerate(args.source_ids)
    ]
    step = StepRecorder(ctx.session)
    if target is None:
        target = new_consolidated_item(ctx, step, args.id, "args.id", args.position, sources)
    else:
        step.touch_item(target.id)
    for source in sources:
        link_source(ctx, step, source, target)
    refill(ctx, target, sources)
    return finish(ctx, step, "consolidation.merge", target)


def unmerge(ctx: OpContext, args: UnmergeArgs) -> OpOutcome:
    require_consolidating(ctx)
    source = workshop_item(ctx, args.source_id, "args.source_id", include_deleted=True)
    link = ctx.session.get(ItemSource, source.id)
    if link is None or source.merged_into is None:
        raise invalid("args.source_id", f"item {source.id} is not merged into anything")
    target = ctx.session.get(Item, link.consolidated_id)
    assert target is not None
    step = StepRecorder(ctx.session)
    for item_id in (target.id, source.id):
        step.touch_item(item_id)
    step.touch_link(source.id)
    ctx.session.delete(link)
    source.merged_into = None
    ctx.session.flush()
    remaining = current_sources(ctx, target)
    if is_prefilled(ctx, target):
        if remaining:
            fill.apply_prefill(target, fill.prefill(remaining))
        else:
            target.deleted = True
    target.updated_seq = ctx.seq
    return finish(ctx, step, "consolidation.unmerge", target)


def split(ctx: OpContext, args: SplitArgs) -> OpOutcome:
    require_consolidating(ctx)
    target = consolidated_item(ctx, args.id, "args.id")
    linked = {link.source_id: link for link in links_of(ctx, target.id)}
    taken: set[str] = set()
    for n, part in enumerate(args.parts):
        for m, source_id in enumerate(part.source_ids):
            field = f"args.parts.{n}.source_ids.{m}"
            if source_id not in linked:
                raise invalid(field, f"item {source_id} is not a source of {ref(target)}")
            if source_id in taken:
                raise invalid(field, f"item {source_id} is named twice")
            taken.add(source_id)
    if taken == set(linked):
        raise invalid("args.parts", f"leave at least one source in {ref(target)}")
    _no_repeats([p.id for p in args.parts if p.id is not None], "args.parts")
    step = StepRecorder(ctx.session)
    step.touch_item(target.id)
    position = target.position
    following = next_position(ctx, target)
    parts: list[Item] = []
    for n, part in enumerate(args.parts):
        sources = [
            workshop_item(ctx, s, "args.parts", include_deleted=True) for s in part.source_ids
        ]
        position = key_between(position, following)
        item = new_consolidated_item(ctx, step, part.id, f"args.parts.{n}.id", position, sources)
        for source in sources:
            step.touch_item(source.id)
            step.touch_link(source.id)
            link = linked[source.id]
            link.consolidated_id = item.id
            link.merged_seq = ctx.seq
            source.merged_into = item.id
        parts.append(item)
    ctx.session.flush()
    for item in parts:
        refill(ctx, item, [])
    refill(ctx, target, [])
    target.updated_seq = ctx.seq
    return finish(ctx, step, "consolidation.split", target, *parts)


def undo(ctx: OpContext, args: UndoArgs) -> OpOutcome:
    require_consolidating(ctx)
    step = ctx.session.get(ConsolidationStep, (ctx.workshop.id, args.seq))
    if step is None or step.kind not in UNDOABLE:
        raise OpRejected(
            "not_found", f"args.seq: no merge, unmerge or split at seq {args.seq}", field="args.seq"
        )
    if step.undone_seq is not None:
        raise OpRejected(
            "conflict",
            f"args.seq: seq {args.seq} was undone at seq {step.undone_seq}",
            field="args.seq",
        )
    changed = changed_since(ctx.session, step)
    if changed:
        names = ", ".join(describe(ctx, i) for i in changed)
        raise OpRejected(
            "conflict",
            f"args.seq: cannot undo seq {args.seq}: changed since: {names}",
            field="args.seq",
        )
    items = restore(ctx.session, step, ctx.seq)
    step.undone_seq = ctx.seq
    return outcome_for(ctx, items)


def ack_source(ctx: OpContext, args: AckSourceArgs) -> OpOutcome:
    require_consolidating(ctx)
    target = consolidated_item(ctx, args.id, "args.id")
    link = ctx.session.get(ItemSource, args.source_id)
    if link is None or link.consolidated_id != target.id:
        raise invalid("args.source_id", f"item {args.source_id} is not a source of {ref(target)}")
    source = ctx.session.get(Item, args.source_id)
    assert source is not None
    link.source_version = source.updated_seq
    ctx.session.flush()
    return OpOutcome(
        [provenance_change(ctx.session, target)], scope=target.checklist_id, result=target
    )


# -- checks ------------------------------------------------------------------------------
def require_consolidating(ctx: OpContext) -> None:
    if ctx.member is not None and not can_consolidate(ctx.member, ctx.workshop):
        raise forbidden(why_not_consolidate(ctx.member, ctx.workshop))


def workshop_item(ctx: OpContext, item_id: str, field: str, *, include_deleted: bool) -> Item:
    item = ctx.session.get(Item, item_id)
    if item is None or item.workshop_id != ctx.workshop.id:
        raise OpRejected(
            "not_found", f"{field}: item {item_id} does not exist in this workshop", field=field
        )
    if item.deleted and not include_deleted:
        raise invalid(field, f"item {item_id} is deleted; restore it first")
    return item


def is_consolidated(ctx: OpContext, item: Item) -> bool:
    checklist = ctx.session.get(Checklist, item.checklist_id)
    return checklist is not None and checklist.group_id is None


def consolidated_item(ctx: OpContext, item_id: str, field: str) -> Item:
    item = workshop_item(ctx, item_id, field, include_deleted=False)
    if not is_consolidated(ctx, item):
        raise invalid(field, f"item {item_id} is a group item, not a consolidated item")
    return item


def mergeable_source(ctx: OpContext, item_id: str, field: str, target: Item | None) -> Item:
    item = workshop_item(ctx, item_id, field, include_deleted=False)
    if is_consolidated(ctx, item):
        raise invalid(field, f"item {item_id} is a consolidated item; merge group items")
    if item.merged_into is not None:
        into = ctx.session.get(Item, item.merged_into)
        where = ref(into) if into is not None else item.merged_into
        if target is not None and item.merged_into == target.id:
            raise invalid(field, f"item {item_id} is a source of {where} already")
        raise OpRejected(
            "conflict",
            f"{field}: item {item_id} is merged into {where}; unmerge it first",
            field=field,
        )
    return item


def _no_repeats(ids: list[str], field: str) -> None:
    if len(set(ids)) != len(ids):
        raise invalid(field, "names an item more than once")


# -- rows --------------------------------------------------------------------------------
def ref(item: Item | None) -> str:
    if item is None:
        return "?"
    return f"K{item.ref_number}" if item.ref_number is not None else f"item {item.id}"


def describe(ctx: OpContext, item_id: str) -> str:
    item = ctx.session.get(Item, item_id)
    return ref(item) if item is not None and item.ref_number is not None else f"item {item_id}"


def new_consolidated_item(
    ctx: OpContext,
    step: StepRecorder,
    item_id: str | None,
    field: str,
    position: str | None,
    sources: list[Item],
) -> Item:
    item_id = item_id or new_id()
    if ctx.session.get(Item, item_id) is not None:
        raise OpRejected("conflict", f"{field}: an item {item_id!r} exists already", field=field)
    step.touch_item(item_id)
    checklist = consolidated_checklist(ctx.session, ctx.workshop.id)  # type: ignore[arg-type]
    item = Item(
        id=item_id,
        workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
        checklist_id=checklist.id,  # type: ignore[arg-type]
        kind="need",
        title="",
        position=position or last_position(ctx, checklist),
        flags=fill.union((s.flags for s in sources), limit=50),
        created_by=ctx.actor_id,
        created_seq=ctx.seq,
        updated_seq=ctx.seq,
        field_seqs={},
        ref_number=next_ref_number(ctx.session, ctx.workshop.id),  # type: ignore[arg-type]
    )
    fill.apply_prefill(item, fill.prefill(sources))
    ctx.session.add(item)
    ctx.session.flush()
    return item


def link_source(ctx: OpContext, step: StepRecorder, source: Item, target: Item) -> None:
    step.touch_item(source.id)
    step.touch_link(source.id)
    ctx.session.add(
        ItemSource(
            source_id=source.id,
            consolidated_id=target.id,
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            source_version=source.updated_seq,
            merged_seq=ctx.seq,
        )
    )
    source.merged_into = target.id


def links_of(ctx: OpContext, consolidated_id: str) -> list[ItemSource]:
    return list(
        ctx.session.execute(
            select(ItemSource).where(col(ItemSource.consolidated_id) == consolidated_id)
        ).scalars()
    )


def current_sources(ctx: OpContext, target: Item) -> list[Item]:
    """``target``'s sources in a fixed order (group, then position in the group), so the
    same set of sources always gives the same pre-fill, whatever order they came in."""
    ctx.session.flush()
    return list(
        ctx.session.execute(
            select(Item)
            .join(ItemSource, col(ItemSource.source_id) == col(Item.id))
            .join(Checklist, col(Checklist.id) == col(Item.checklist_id))
            .join(Group, col(Group.id) == col(Checklist.group_id))
            .where(col(ItemSource.consolidated_id) == target.id)
            .order_by(col(Group.position), col(Group.id), col(Item.position), col(Item.id))
        ).scalars()
    )


def is_prefilled(ctx: OpContext, item: Item) -> bool:
    """Made by a merge or split, and none of its pre-filled fields edited by a person since
    (a status or a flag is not its text)."""
    if any(name in (item.field_seqs or {}) for name in PREFILLED_FIELDS):
        return False
    made_by = ctx.session.get(ConsolidationStep, (ctx.workshop.id, item.created_seq))
    return made_by is not None and made_by.kind in ("consolidation.merge", "consolidation.split")


def refill(ctx: OpContext, target: Item, added: list[Item]) -> None:
    if is_prefilled(ctx, target) or target.created_seq == ctx.seq:
        sources = current_sources(ctx, target)
        if sources:
            fill.apply_prefill(target, fill.prefill(sources))
    elif added:
        fill.extend(target, added)
    target.updated_seq = ctx.seq


def last_position(ctx: OpContext, checklist: Checklist) -> str:
    last = ctx.session.execute(
        select(func.max(Item.position)).where(col(Item.checklist_id) == checklist.id)
    ).scalar_one_or_none()
    try:
        return key_between(last if is_valid_key(last) else None, None)
    except ValueError:
        raise invalid("args.position", "no room left at the end; give a position") from None


def next_position(ctx: OpContext, item: Item) -> str | None:
    following = ctx.session.execute(
        select(func.min(Item.position)).where(
            col(Item.checklist_id) == item.checklist_id,
            col(Item.position) > item.position,
            col(Item.deleted).is_(False),
        )
    ).scalar_one_or_none()
    return following if is_valid_key(following) else None


# -- the event ---------------------------------------------------------------------------
def finish(ctx: OpContext, step: StepRecorder, kind: str, *result: Item) -> OpOutcome:
    step.save(ctx.workshop.id, ctx.seq, kind)  # type: ignore[arg-type]
    touched = [ctx.session.get(Item, i) for i in step.item_ids]
    outcome = outcome_for(ctx, [i for i in touched if i is not None])
    outcome.result = result[0]
    return outcome


def outcome_for(ctx: OpContext, items: list[Item]) -> OpOutcome:
    """The event's changes: consolidated items whole (or removed, when tombstoned), group
    items only their link (``merged_into``, ``merged_ref``)."""
    ctx.session.flush()
    changes: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = []
    for item in items:
        if not is_consolidated(ctx, item):
            values = {"id": item.id, "merged_into": item.merged_into, "merged_ref": None}
        elif item.deleted:
            changes.append(removal("item", item.id))
            continue
        else:
            screen_item(ctx.session, item, ctx.seq)  # merged text is checked like typed text
            values = item_values(item)
        shown.append(values)
        changes.append(upsert("item", item.id, values))
    with_provenance(ctx.session, shown)
    scope, resync = event_reach(ctx, {i.checklist_id for i in items})
    return OpOutcome(changes, scope=scope, changes_visibility=resync)
