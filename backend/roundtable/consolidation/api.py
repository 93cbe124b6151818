"""REST for consolidation: the coverage matrix and the consolidation ops.

Thin: each write submits the same op a live client sends (``consolidation.*``),
so the rules, the event and the errors (naming ``args.<field>``) are the same. The
agreement round has no REST of its own: it is live (``agreement.*`` ops). Mounted under the
suggestions router's ``/api/workshops/{workshop_id}`` prefix.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from roundtable.attribution import render_values
from roundtable.checklists.models import Item
from roundtable.consolidation.board import group_columns, theme_rows
from roundtable.consolidation.coverage import coverage
from roundtable.consolidation.ops import MergeArgs, SplitArgs, UndoArgs, UnmergeArgs
from roundtable.consolidation.provenance import with_provenance
from roundtable.deps import (
    DbDep,
    FacilitatorDep,
    ServicesDep,
    Viewer,
    ViewerDep,
    submit_as,
)
from roundtable.schemas import ItemPublic
from roundtable.values import item_values

router = APIRouter(tags=["consolidation"])


class CoverageCell(BaseModel):
    group_id: int
    raised: int = Field(description="Live items the group raised under this theme")
    consolidated: int = Field(description="Of those, merged into the consolidated checklist")
    unhandled: list[str] = Field(description="Ids of the rest that are not parked")


class CoverageRow(BaseModel):
    key: str | None = Field(description="Theme key; null: items without a theme")
    label: str
    cells: list[CoverageCell]


class CoverageGroup(BaseModel):
    id: int
    name: str


class CoveragePublic(BaseModel):
    groups: list[CoverageGroup] = Field(description="The columns, in group order")
    rows: list[CoverageRow] = Field(description="Themes in tree order, then the no-theme row")
    totals: list[CoverageCell] = Field(description="Per group, each item once")
    todo: list[str] = Field(description="Every unhandled item id, by group then position")


@router.get("/coverage", operation_id="getCoverage", response_model=CoveragePublic)
def get_coverage(viewer: FacilitatorDep, db: DbDep) -> CoveragePublic:
    """Themes by groups: raised, consolidated and unhandled items (facilitators)."""
    groups = group_columns(db, viewer.workshop_id)
    result = coverage(theme_rows(db, viewer.workshop_id), groups)

    def cells(row: list[Any]) -> list[CoverageCell]:
        return [
            CoverageCell(
                group_id=g.id, raised=c.raised, consolidated=c.consolidated, unhandled=c.unhandled
            )
            for g, c in zip(groups, row, strict=True)
        ]

    return CoveragePublic(
        groups=[CoverageGroup(id=g.id, name=g.name) for g in groups],
        rows=[CoverageRow(key=r.key, label=r.label, cells=cells(r.cells)) for r in result.rows],
        totals=cells(result.totals),
        todo=result.todo(),
    )


def _item_public(viewer: Viewer, db: Any, item: Item) -> ItemPublic:
    [values] = with_provenance(db, [item_values(item)])
    return ItemPublic(**render_values("item", values, viewer.policy, viewer.member_id))


async def _submit(services: Any, viewer: Viewer, kind: str, body: BaseModel) -> Any:
    # The body is the op's arguments (one definition of the rules), checked again by the op.
    return await submit_as(services, viewer, kind, body.model_dump(exclude_unset=True))


@router.post("/consolidation/merge", operation_id="mergeItems", response_model=ItemPublic)
async def merge_items(
    body: MergeArgs, viewer: ViewerDep, services: ServicesDep, db: DbDep
) -> ItemPublic:
    """Merges group items into a new consolidated item, or into ``target_id``."""
    item = await _submit(services, viewer, "consolidation.merge", body)
    db.rollback()  # a fresh read: this session began before the op committed
    return _item_public(viewer, db, item)


@router.post("/consolidation/unmerge", operation_id="unmergeItem", status_code=204)
async def unmerge_item(body: UnmergeArgs, viewer: ViewerDep, services: ServicesDep) -> Response:
    """Unlinks one source from its consolidated item."""
    await _submit(services, viewer, "consolidation.unmerge", body)
    return Response(status_code=204)


@router.post("/consolidation/split", operation_id="splitItem", status_code=204)
async def split_item(body: SplitArgs, viewer: ViewerDep, services: ServicesDep) -> Response:
    """Moves some sources of a consolidated item into new consolidated items."""
    await _submit(services, viewer, "consolidation.split", body)
    return Response(status_code=204)


@router.post("/consolidation/undo", operation_id="undoConsolidation", status_code=204)
async def undo_consolidation(body: UndoArgs, viewer: ViewerDep, services: ServicesDep) -> Response:
    """Reverts the merge, unmerge or split at ``seq`` while nothing it touched changed."""
    await _submit(services, viewer, "consolidation.undo", body)
    return Response(status_code=204)
