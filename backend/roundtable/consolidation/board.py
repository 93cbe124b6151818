"""Reading a workshop's rows into the inputs of ``coverage``."""

from __future__ import annotations

from sqlmodel import Session, col, select

from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.coverage import CoverageItem, GroupColumn, ThemeRow
from roundtable.groups.models import Group
from roundtable.workshops.models import Theme


def theme_rows(session: Session, workshop_id: int) -> list[ThemeRow]:
    return [
        ThemeRow(t.id, t.key, t.label, t.parent_id, t.position)  # type: ignore[arg-type]
        for t in session.exec(
            select(Theme).where(Theme.workshop_id == workshop_id, col(Theme.deleted).is_(False))
        )
    ]


def group_columns(session: Session, workshop_id: int) -> list[GroupColumn]:
    groups = session.exec(
        select(Group, Checklist.id)
        .join(Checklist, col(Checklist.group_id) == col(Group.id))
        .where(Group.workshop_id == workshop_id, col(Group.deleted).is_(False))
        .order_by(col(Group.position), col(Group.id))
    ).all()
    items = session.exec(
        select(Item)
        .where(Item.workshop_id == workshop_id, col(Item.deleted).is_(False))
        .order_by(col(Item.position), col(Item.id))
    ).all()
    by_checklist: dict[int, list[CoverageItem]] = {}
    for item in items:
        by_checklist.setdefault(item.checklist_id, []).append(
            CoverageItem(item.id, tuple(item.themes), item.status, item.merged_into)
        )
    return [
        GroupColumn(group.id, group.name, by_checklist.get(checklist_id or 0, []))  # type: ignore[arg-type]
        for group, checklist_id in groups
    ]
