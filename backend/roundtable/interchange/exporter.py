"""Reading a workshop back out as a ``roundtable/v1`` document.

Group refs are generated, never stored, and depend only on order: the groups in position order
get letters (A, B, … skipping K, then AA, AB …), their items 1-based numbers in position
order (A1, A2, B1); consolidated items keep their display numbers (K1, K2 …, gaps where
items were deleted). Deleted groups and items are left
out. No member data leaves: no names, no authors, no member ids (the attribution policy
of an export is "nobody", whatever the workshop's own policy): the agreement round
leaves only its tally and the reservations' text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select

from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.agreement import agreements_of, outcome_of
from roundtable.consolidation.decisions import dismissals_of
from roundtable.consolidation.models import Agreement
from roundtable.groups.models import Group
from roundtable.interchange.document import (
    FORMAT,
    ConsolidatedItem,
    GroupEntry,
    GroupItem,
    RoundtableDocument,
    ThemeEntry,
    WorkshopInfo,
)
from roundtable.interchange.validation import InterchangeError
from roundtable.workshops.models import Theme, Workshop
from roundtable.workshops.service import consolidated_checklist

CONSOLIDATED_PREFIX = "K"
# Positions are an implementation detail: the order of the lists says the same thing.
_WITHOUT_POSITIONS: Any = {"groups": {"__all__": {"items": {"__all__": {"position"}}}}}


def export_document(session: Session, workshop_id: int) -> dict[str, Any]:
    """The workshop as a JSON-ready ``roundtable/v1`` document."""
    document = build_document(session, workshop_id).model_dump(
        mode="json", exclude=_WITHOUT_POSITIONS
    )
    for entry in document["consolidated"]:
        if entry.get("agreement") is None:
            entry.pop("agreement", None)  # no agreement round on it: nothing to say
    if not document["dismissed"]:
        document.pop("dismissed")  # nothing dismissed: documents stay as they were
    return document


def build_document(session: Session, workshop_id: int) -> RoundtableDocument:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise InterchangeError(f"workshop {workshop_id} does not exist", code="not_found")
    themes = _themes(session, workshop_id)
    known = {theme.key for theme in themes}
    items = _items_by_checklist(session, workshop_id)
    sources: dict[str, list[str]] = defaultdict(list)  # consolidated item id → refs
    refs: dict[str, str] = {}  # group item id → ref
    groups = []
    labels = group_labels()
    for group, checklist_id in _groups(session, workshop_id):
        label = next(labels)
        entries = []
        for n, item in enumerate(items[checklist_id], start=1):
            ref = refs[item.id] = f"{label}{n}"
            entries.append(GroupItem(**_item_fields(item, ref, known)))
            if item.merged_into is not None:
                sources[item.merged_into].append(ref)
        groups.append(
            GroupEntry(
                name=group.name,
                colour=group.colour,
                focus_themes=[k for k in group.focus_themes if k in known],
                items=entries,
            )
        )
    consolidated_id = consolidated_checklist(session, workshop_id).id
    assert consolidated_id is not None
    return RoundtableDocument(
        format=FORMAT,
        workshop=_workshop_info(workshop),
        themes=themes,
        groups=groups,
        consolidated=_consolidated(session, workshop_id, items[consolidated_id], sources, known),
        dismissed=_dismissed(session, workshop_id, refs),
    )


def _dismissed(session: Session, workshop_id: int, refs: dict[str, str]) -> list[list[str]]:
    """Dismissed suggestions as refs in document order, oldest first, leaving out deleted
    items (and entries left with one)."""
    order = {ref: n for n, ref in enumerate(refs.values())}
    found = []
    for row in dismissals_of(session, workshop_id):
        kept = sorted((refs[i] for i in row.item_ids if i in refs), key=order.__getitem__)
        if len(kept) > 1:
            found.append(kept)
    return found


def group_labels() -> Iterator[str]:
    """A … Z, AA, AB …: spreadsheet column names, skipping the consolidated prefix."""
    n = 0
    while True:
        n += 1
        label = ""
        rest = n
        while rest:
            rest, digit = divmod(rest - 1, 26)
            label = chr(ord("A") + digit) + label
        if label != CONSOLIDATED_PREFIX:  # group K's "K1" would clash with consolidated K1
            yield label


def _workshop_info(w: Workshop) -> WorkshopInfo:
    return WorkshopInfo(
        title=w.title,
        starts_on=w.starts_on,
        ends_on=w.ends_on,
        venue=w.venue,
        organisers=list(w.organisers),
        description=w.description,
        attribution=w.attribution,
        phase=w.phase,
    )


def _themes(session: Session, workshop_id: int) -> list[ThemeEntry]:
    """Top-level themes in order, each followed by its sub-themes in order."""
    rows = session.exec(
        select(Theme)
        .where(Theme.workshop_id == workshop_id, col(Theme.deleted).is_(False))
        .order_by(col(Theme.position), col(Theme.id))
    ).all()
    keys = {theme.id: theme.key for theme in rows}
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in rows:
        children[theme.parent_id].append(theme)
    ordered: list[ThemeEntry] = []
    for parent in children[None]:
        for theme in (parent, *children[parent.id]):
            ordered.append(
                ThemeEntry(
                    key=theme.key,
                    label=theme.label,
                    description=theme.description,
                    parent=keys.get(theme.parent_id) if theme.parent_id is not None else None,
                )
            )
    return ordered


def _groups(session: Session, workshop_id: int) -> list[tuple[Group, int]]:
    rows = session.exec(
        select(Group, Checklist.id)
        .join(Checklist, col(Checklist.group_id) == col(Group.id))
        .where(Group.workshop_id == workshop_id, col(Group.deleted).is_(False))
        .order_by(col(Group.position), col(Group.id))
    ).all()
    return [(group, checklist_id) for group, checklist_id in rows if checklist_id is not None]


def _items_by_checklist(session: Session, workshop_id: int) -> dict[int, list[Item]]:
    rows = session.exec(
        select(Item)
        .where(Item.workshop_id == workshop_id, col(Item.deleted).is_(False))
        .order_by(col(Item.position), col(Item.id))
    ).all()
    items: dict[int, list[Item]] = defaultdict(list)
    for item in rows:
        items[item.checklist_id].append(item)
    return items


def _item_fields(item: Item, ref: str, known_themes: set[str]) -> dict[str, Any]:
    return {
        "ref": ref,
        "kind": item.kind,
        # A theme deleted after tagging leaves a dangling key; dropping it keeps every
        # export importable.
        "themes": [k for k in item.themes if k in known_themes],
        "title": item.title,
        "detail": item.detail,
        "actors": list(item.actors),
        "references": list(item.references),
        "status": item.status,
        "flags": list(item.flags),
    }


def _consolidated(
    session: Session,
    workshop_id: int,
    items: list[Item],
    sources: dict[str, list[str]],
    known_themes: set[str],
) -> list[ConsolidatedItem]:
    # ``sources`` was filled in document order, so each item's sources are in that order.
    # Consolidated items keep their display numbers (K12 on the board is K12 here).
    agreements: dict[str, list[Agreement]] = defaultdict(list)
    for row in agreements_of(session, workshop_id):
        agreements[row.item_id].append(row)
    return [
        ConsolidatedItem(
            **_item_fields(item, _consolidated_ref(item, n), known_themes),
            sources=sources.get(item.id, []),
            agreement=outcome_of(item, agreements[item.id]),
        )
        for n, item in enumerate(items, start=1)
    ]


def _consolidated_ref(item: Item, n: int) -> str:
    return f"{CONSOLIDATED_PREFIX}{item.ref_number if item.ref_number is not None else n}"
