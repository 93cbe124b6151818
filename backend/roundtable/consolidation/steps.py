"""The record ``consolidation.undo`` works from: rows before and after one op.

A :class:`StepRecorder` notes the item rows and provenance links an op is about to
touch, then, once applied, their new state; both go into ``consolidation_step``. Undo
reverts a step only while everything it touched is still exactly as it left it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from roundtable.checklists.models import Item
from roundtable.consolidation.models import ConsolidationStep, ItemSource

Row = dict[str, Any] | None

ITEM_COLUMNS = tuple(c.key for c in Item.__table__.columns)  # type: ignore[attr-defined]
LINK_COLUMNS = tuple(c.key for c in ItemSource.__table__.columns)  # type: ignore[attr-defined]


def item_row(item: Item | None) -> Row:
    return None if item is None else {name: getattr(item, name) for name in ITEM_COLUMNS}


def link_row(link: ItemSource | None) -> Row:
    return None if link is None else {name: getattr(link, name) for name in LINK_COLUMNS}


class StepRecorder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.item_ids: list[str] = []
        self.source_ids: list[str] = []
        self.before: dict[str, dict[str, Row]] = {"items": {}, "links": {}}

    def touch_item(self, item_id: str) -> None:
        """Notes an item before the op changes it (or, when it does not exist yet, that)."""
        if item_id not in self.before["items"]:
            self.item_ids.append(item_id)
            self.before["items"][item_id] = _copy(item_row(self.session.get(Item, item_id)))

    def touch_link(self, source_id: str) -> None:
        if source_id not in self.before["links"]:
            self.source_ids.append(source_id)
            self.before["links"][source_id] = _copy(
                link_row(self.session.get(ItemSource, source_id))
            )

    def current(self) -> dict[str, dict[str, Row]]:
        self.session.flush()
        return {
            "items": {i: _copy(item_row(self.session.get(Item, i))) for i in self.item_ids},
            "links": {s: _copy(link_row(self.session.get(ItemSource, s))) for s in self.source_ids},
        }

    def save(self, workshop_id: int, seq: int, kind: str) -> None:
        self.session.add(
            ConsolidationStep(
                workshop_id=workshop_id,
                seq=seq,
                kind=kind,
                before=self.before,
                after=self.current(),
            )
        )


def _copy(row: Row) -> Row:
    """A detached copy, so later changes to the row's JSON lists do not reach it."""
    if row is None:
        return None
    return {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in row.items()
    }


def changed_since(session: Session, step: ConsolidationStep) -> list[str]:
    """Ids of the items (and sources whose links) that differ from how ``step`` left them."""
    session.flush()
    changed = [
        item_id
        for item_id, row in step.after["items"].items()
        if _copy(item_row(session.get(Item, item_id))) != row
    ]
    changed += [
        source_id
        for source_id, row in step.after["links"].items()
        if _copy(link_row(session.get(ItemSource, source_id))) != row and source_id not in changed
    ]
    return changed


def restore(session: Session, step: ConsolidationStep, seq: int) -> list[Item]:
    """Puts back the rows ``step`` changed; items it created are tombstoned. Consolidated
    items get version ``seq`` (their values changed); group items keep theirs, which undo
    has just checked are what they were. Returns the touched items."""
    for source_id, row in step.before["links"].items():
        link = session.get(ItemSource, source_id)
        if row is None:
            if link is not None:
                session.delete(link)
        elif link is None:
            session.add(ItemSource(**row))
        else:
            for name, value in row.items():
                setattr(link, name, value)
    items = []
    for item_id, row in step.before["items"].items():
        item = session.get(Item, item_id)
        assert item is not None  # items are never removed, only tombstoned
        if row is None:
            item.deleted = True
        else:
            for name, value in row.items():
                setattr(item, name, value)
        if item.ref_number is not None:
            item.updated_seq = seq
        items.append(item)
    session.flush()
    return items
