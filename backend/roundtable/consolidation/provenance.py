"""Where consolidated items came from: their sources, display numbers and stale links.

A consolidated item's values carry ``ref`` ("K12") and ``sources``: one entry per group
item merged into it, ``{"id", "checklist_id", "group_id", "version", "stale"}``, where
``stale`` says the source was edited after it was merged (or last acknowledged):
its ``updated_seq`` passed ``version``. A merged group item's values carry
``merged_into`` and ``merged_ref``, so its group can show "merged into K12".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from roundtable.access import can_read_checklist
from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.models import ItemSource
from roundtable.groups.models import Group, Member
from roundtable.sync.registry import OpContext, OpOutcome
from roundtable.values import upsert


def ref_of(number: int | None) -> str | None:
    return None if number is None else f"K{number}"


def next_ref_number(session: Session, workshop_id: int) -> int:
    """One past the highest number ever given (deleted items keep theirs): never reused.
    Writers of one workshop are serialised by ``submit``'s row lock."""
    highest = session.execute(
        select(func.max(Item.ref_number)).where(col(Item.workshop_id) == workshop_id)
    ).scalar_one_or_none()
    return int(highest or 0) + 1


def links_of(session: Session, consolidated_id: str) -> list[ItemSource]:
    return list(
        session.execute(
            select(ItemSource)
            .where(col(ItemSource.consolidated_id) == consolidated_id)
            .order_by(col(ItemSource.merged_seq), col(ItemSource.source_id))
        ).scalars()
    )


def sources_by_item(session: Session, consolidated_ids: Iterable[str]) -> dict[str, list[Any]]:
    """``sources`` values for each of ``consolidated_ids`` (two queries in all)."""
    ids = list(set(consolidated_ids))
    found: dict[str, list[Any]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(ItemSource, col(Item.checklist_id), col(Item.updated_seq), col(Checklist.group_id))
        .join(Item, col(Item.id) == col(ItemSource.source_id))
        .join(Checklist, col(Checklist.id) == col(Item.checklist_id))
        .join(Group, col(Group.id) == col(Checklist.group_id))
        .where(col(ItemSource.consolidated_id).in_(ids))
        # The order the pre-fill reads them in: by group, then by place in the group.
        .order_by(col(Group.position), col(Group.id), col(Item.position), col(Item.id))
    ).all()
    for link, checklist_id, updated_seq, group_id in rows:
        found[link.consolidated_id].append(
            {
                "id": link.source_id,
                "checklist_id": checklist_id,
                "group_id": group_id,
                "version": link.source_version,
                "stale": updated_seq > link.source_version,
            }
        )
    return found


def with_provenance(session: Session, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds ``merged_ref`` to merged items and ``sources`` to consolidated ones (in place);
    other items' values stay as ``item_values`` made them (no queries for those)."""
    targets = {v["merged_into"] for v in values if v.get("merged_into")}
    refs: dict[str, str | None] = {}
    if targets:
        refs = {
            item_id: ref_of(number)
            for item_id, number in session.execute(
                select(col(Item.id), col(Item.ref_number)).where(col(Item.id).in_(targets))
            ).all()
        }
    consolidated = [v["id"] for v in values if v.get("ref") is not None]
    # (consolidated items made before display numbers existed have ``ref`` None too, but
    # the migration numbered them all.)
    sources = sources_by_item(session, consolidated)
    for v in values:
        if v.get("merged_into"):
            v["merged_ref"] = refs.get(v["merged_into"])
        if v.get("ref") is not None:
            v["sources"] = sources.get(v["id"], [])
    return values


def provenance_change(session: Session, consolidated: Item) -> dict[str, Any]:
    """The change that tells readers a consolidated item's ``sources`` changed."""
    return upsert(
        "item",
        consolidated.id,
        {
            "sources": sources_by_item(session, [consolidated.id])[consolidated.id],
            "updated_seq": consolidated.updated_seq,
        },
    )


def event_reach(ctx: OpContext, checklist_ids: set[int]) -> tuple[int | None, bool]:
    """``(scope, resync)`` for an event that touches items in ``checklist_ids``.

    One checklist: scoped to it. Several: sent to everyone when every member may read all
    of them; otherwise receivers take a fresh snapshot, so nobody is sent an item from a
    checklist hidden from them.
    """
    if len(checklist_ids) == 1:
        return next(iter(checklist_ids)), False
    checklists = [ctx.session.get(Checklist, cid) for cid in checklist_ids]
    members = ctx.session.execute(
        select(Member).where(
            col(Member.workshop_id) == ctx.workshop.id, col(Member.removed).is_(False)
        )
    ).scalars()
    everyone_reads = all(
        c is not None and can_read_checklist(m, ctx.workshop, c)
        for m in members
        for c in checklists
    )
    return None, not everyone_reads


def on_source_changed(ctx: OpContext, item: Item, outcome: OpOutcome) -> OpOutcome:
    """A merged group item was edited, moved, deleted or restored: its consolidated item's
    ``sources`` now mark it stale, and the same event says so. A consolidated item was
    deleted: its sources are unmerged (``release_sources``)."""
    if item.deleted and item.ref_number is not None:
        return release_sources(ctx, item, outcome)
    if item.merged_into is None:
        return outcome
    consolidated = ctx.session.get(Item, item.merged_into)
    if consolidated is None:
        return outcome
    ctx.session.flush()
    outcome.changes.append(provenance_change(ctx.session, consolidated))
    scope, resync = event_reach(ctx, {item.checklist_id, consolidated.checklist_id})
    outcome.scope = scope
    outcome.changes_visibility = outcome.changes_visibility or resync
    return outcome


def release_sources(ctx: OpContext, consolidated: Item, outcome: OpOutcome) -> OpOutcome:
    """A deleted consolidated item lets go of its sources in the same event: each is unmerged,
    back on the facilitators' to-do list, instead of showing "merged into" an item nobody
    sees. Restoring the item brings back its text, not its sources: merge them into it again.
    (``item.delete`` calls this through ``on_source_changed``.)"""
    links = links_of(ctx.session, consolidated.id)
    if not links:
        return outcome
    checklists = {consolidated.checklist_id}
    for link in links:
        source = ctx.session.get(Item, link.source_id)
        ctx.session.delete(link)
        if source is None or source.merged_into != consolidated.id:
            continue  # a link left behind by an older move: the item went elsewhere
        source.merged_into = None
        checklists.add(source.checklist_id)
        outcome.changes.append(upsert("item", source.id, {"merged_into": None, "merged_ref": None}))
    ctx.session.flush()
    scope, resync = event_reach(ctx, checklists)
    outcome.scope = scope
    outcome.changes_visibility = outcome.changes_visibility or resync
    return outcome
