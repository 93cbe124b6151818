"""REST for consolidation: the coverage matrix, and merging for REST clients.

Thin: a merge submits the same op a live client sends, so the rules, the event and
the errors (naming ``args.<field>``) are the same. Unmerge, split, undo and the
agreement round are live ops only (``consolidation.*``, ``agreement.*``). Mounted under the
suggestions router's ``/api/workshops/{workshop_id}`` prefix.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from roundtable.attribution import render_values
from roundtable.checklists.models import Item
from roundtable.consolidation.board import group_columns, theme_rows
from roundtable.consolidation.coverage import coverage
from roundtable.consolidation.ops import MergeArgs
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
