"""Reads over checklists that more than one caller needs. Nothing here writes."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from roundtable.checklists.models import Item, Vote


def vote_tallies(session: Session, checklist_id: int, member_id: int) -> list[tuple[str, int, int]]:
    """``(item_id, total, mine)`` per live item with votes; a deleted item's votes stay
    stored (restoring the item brings them back) but count for nothing meanwhile."""
    item_id = col(Vote.item_id)
    mine = case((col(Vote.member_id) == member_id, col(Vote.count)), else_=0)
    rows = session.execute(
        select(item_id, func.sum(col(Vote.count)), func.sum(mine))
        .join(Item, col(Item.id) == item_id)
        .where(col(Vote.checklist_id) == checklist_id, col(Item.deleted).is_(False))
        .group_by(item_id)
        .order_by(item_id)
    ).all()
    return [(str(item), int(total), int(own)) for item, total, own in rows]
