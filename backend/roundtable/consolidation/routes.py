"""Merge suggestions over HTTP: the engine run on a workshop's group items (facilitators).

Items are named by refs in the interchange export's scheme (groups by position get letters,
skipping K; items get 1-based numbers by position), so ``B3`` here is ``B3`` in
``export.json``. Deleted items, items already merged into the consolidated list and the
consolidated list itself are left out. The engine is pure and deterministic, so the same
checklists always give the same answer; it runs in a worker thread, off the event loop
(about 0.2 s for 200 items).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.api import router as board_router
from roundtable.consolidation.decisions import dismissals_of
from roundtable.consolidation.learning import Decision, pairs_of
from roundtable.consolidation.models import ItemSource, Suggestions, SuggestItem
from roundtable.consolidation.suggest import NEAREST, natural_key, suggest
from roundtable.deps import DbDep, FacilitatorDep
from roundtable.groups.models import Group
from roundtable.interchange.exporter import group_labels

router = APIRouter(prefix="/api/workshops/{workshop_id}", tags=["consolidation"])
router.include_router(board_router)  # coverage and the consolidation ops (api.py)

MAX_NEAREST = 20


class SuggestedMerge(BaseModel):
    """Items that seem to make the same point; each item is in at most one."""

    refs: list[str] = Field(description="The items' refs (A1, B3 …), in ref order")
    item_ids: list[str] = Field(description="The items' ids, in the order of ``refs``")
    score: float = Field(description="Mean similarity of the items, 0 to 1")
    reason: str = Field(description="What the items share, and which groups they come from")


class MergeSuggestions(BaseModel):
    """The ``roundtable suggest --json`` shape, plus each ref's item id."""

    clusters: list[SuggestedMerge] = Field(description="Suggested merges, best first")
    similar: dict[str, list[tuple[str, float]]] = Field(
        description="For every ref, its nearest other items as [ref, score], best first"
    )
    items: dict[str, str] = Field(description="Every ref's item id")


@dataclass(frozen=True, slots=True)
class RefItem:
    ref: str
    item_id: str
    engine_item: SuggestItem
    merged: bool = False


@router.get("/suggestions", operation_id="listMergeSuggestions", response_model=MergeSuggestions)
async def list_merge_suggestions(
    viewer: FacilitatorDep,
    db: DbDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_NEAREST, description="How many nearest items per ref")
    ] = NEAREST,
) -> MergeSuggestions:
    """Suggested merges among the groups' items, and each item's nearest others
    (facilitators). Suggestions never apply themselves."""
    return await anyio.to_thread.run_sync(
        partial(merge_suggestions, db, viewer.workshop_id, nearest=limit)
    )


def merge_suggestions(db: Session, workshop_id: int, *, nearest: int = NEAREST) -> MergeSuggestions:
    everything = group_items(db, workshop_id, merged=True)
    items = [i for i in everything if not i.merged]
    result = suggest(
        [i.engine_item for i in items],
        nearest=nearest,
        decisions=workshop_decisions(db, workshop_id, everything),
    )
    return to_response(result, {i.ref: i.item_id for i in items})


def workshop_decisions(db: Session, workshop_id: int, items: list[RefItem]) -> list[Decision]:
    """The facilitators' decisions so far: every two sources of one consolidated item are
    the same point; every two items of one dismissed suggestion are not (deleted items are
    left out)."""
    by_id = {i.item_id: i.engine_item for i in items}
    decisions: list[Decision] = []
    sources: dict[str, list[SuggestItem]] = {}
    links = db.exec(
        select(ItemSource, Item.ref_number)
        .join(Item, col(Item.id) == col(ItemSource.consolidated_id))
        .where(ItemSource.workshop_id == workshop_id, col(Item.deleted).is_(False))
        .order_by(col(ItemSource.merged_seq), col(ItemSource.source_id))
    ).all()
    origins: dict[str, str] = {}
    for link, number in links:
        if link.source_id in by_id:
            sources.setdefault(link.consolidated_id, []).append(by_id[link.source_id])
            origins[link.consolidated_id] = f"K{number}"
    for consolidated_id, merged in sources.items():
        for first, second in pairs_of(merged):
            decisions.append(Decision(first, second, True, origins[consolidated_id]))
    for dismissal in dismissals_of(db, workshop_id):
        kept = [by_id[i] for i in dismissal.item_ids if i in by_id]
        origin = "dismissed " + " + ".join(sorted((k.ref for k in kept), key=natural_key))
        for first, second in pairs_of(kept):
            decisions.append(Decision(first, second, False, origin))
    return decisions


def group_items(db: Session, workshop_id: int, *, merged: bool = False) -> list[RefItem]:
    """The groups' live items with their export refs, in document order; merged ones only
    when ``merged``."""
    groups = db.exec(
        select(Group, Checklist.id)
        .join(Checklist, col(Checklist.group_id) == col(Group.id))
        .where(Group.workshop_id == workshop_id, col(Group.deleted).is_(False))
        .order_by(col(Group.position), col(Group.id))
    ).all()
    rows = db.exec(
        select(Item)
        .join(Checklist, col(Checklist.id) == col(Item.checklist_id))
        .where(
            Item.workshop_id == workshop_id,
            col(Checklist.group_id).is_not(None),
            col(Item.deleted).is_(False),
        )
        .order_by(col(Item.position), col(Item.id))
    ).all()
    by_checklist: dict[int, list[Item]] = {}
    for item in rows:
        by_checklist.setdefault(item.checklist_id, []).append(item)
    found: list[RefItem] = []
    for (group, checklist_id), label in zip(groups, group_labels(), strict=False):
        # Merged items keep their number, so the other refs match the export's.
        for n, item in enumerate(by_checklist.get(checklist_id or 0, []), start=1):
            if item.merged_into is not None and not merged:
                continue
            ref = f"{label}{n}"
            engine_item = SuggestItem(
                ref=ref,
                group=group.name,
                kind=item.kind,
                title=item.title,
                detail=item.detail,
                themes=tuple(item.themes),
            )
            found.append(
                RefItem(
                    ref=ref,
                    item_id=item.id,
                    engine_item=engine_item,
                    merged=item.merged_into is not None,
                )
            )
    return found


def to_response(result: Suggestions, item_ids: dict[str, str]) -> MergeSuggestions:
    return MergeSuggestions(
        clusters=[
            SuggestedMerge(
                refs=list(c.refs),
                item_ids=[item_ids[ref] for ref in c.refs],
                score=c.score,
                reason=c.reason,
            )
            for c in result.clusters
        ],
        similar={ref: list(nearest) for ref, nearest in result.similar.items()},
        items={ref: item_ids[ref] for ref in result.similar},
    )
