"""What an edition stores: the consolidated checklist as the ``roundtable/v1`` export
gives it, with codes, agreement and provenance, at the seq it was published.

The document is built from the interchange exporter, so whatever the export carries
about consolidated items (agreement level, tally, reservations) reaches editions
without a second reading of the rows. Where each item came from is read beside it: the
group items merged into it (their ids let the diff tell merges and splits apart, and
never leave the server) and their groups, rendered by the attribution policy.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from roundtable.attribution import render_raised_by, render_reservation
from roundtable.checklists.models import Checklist, Item
from roundtable.errors import OpRejected
from roundtable.groups.models import Group
from roundtable.interchange.exporter import build_document
from roundtable.publishing.codes import assign_codes, recorded_prefixes, theme_prefixes
from roundtable.workshops.models import Workshop
from roundtable.workshops.service import consolidated_checklist

HELD_BACK_FLAG = "personal_data"
# Item fields whose change is a rewording, and those whose change is a retagging.
WORDING = ("title", "detail")
TAGS = ("kind", "themes", "actors", "references")


def held_back_items(session: Session, workshop_id: int) -> list[tuple[int, Item]]:
    """Consolidated items flagged as possible personal data, with the number facilitators
    see on them ("K12": the stored display number, else the position)."""
    return [
        (item.ref_number or n, item)
        for n, item in enumerate(_consolidated_rows(session, workshop_id), start=1)
        if HELD_BACK_FLAG in (item.flags or [])
    ]


def build_edition_document(session: Session, workshop: Workshop, number: int) -> dict[str, Any]:
    """The document edition ``number`` will store, codes handed out (rows added, no commit)."""
    assert workshop.id is not None
    exported = build_document(session, workshop.id).model_dump(mode="json")
    rows = _consolidated_rows(session, workshop.id)
    entries: list[dict[str, Any]] = exported["consolidated"]
    if len(rows) != len(entries) or any(
        row.title != entry["title"] for row, entry in zip(rows, entries, strict=False)
    ):
        raise OpRejected("conflict", "the consolidated checklist changed while it was read")
    theme_keys = [t["key"] for t in exported["themes"]]
    known = set(theme_keys)
    codes = assign_codes(
        session,
        workshop.id,
        [(row.id, next((k for k in row.themes if k in known), None)) for row in rows],
        theme_keys,
        number,
    )
    prefixes = theme_prefixes(theme_keys, recorded_prefixes(session, workshop.id))
    session.flush()
    sources = _sources(session, workshop.id, [row.id for row in rows])
    policy = workshop.attribution
    items = []
    for position, (row, entry) in enumerate(zip(rows, entries, strict=True), start=1):
        found = sources.get(row.id, [])
        groups = list(dict.fromkeys((number, name) for number, name, _ in found))
        items.append(
            {
                "code": codes[row.id],
                "kind": entry["kind"],
                "title": entry["title"],
                "detail": entry.get("detail", ""),
                "themes": list(entry.get("themes", [])),
                "actors": list(entry.get("actors", [])),
                "references": list(entry.get("references", [])),
                "status": entry.get("status", "open"),
                "agreement": _agreement(entry, policy),
                "raised_by": render_raised_by(groups, policy),
                "position": position,
                "sources": sorted({source_id for _, _, source_id in found}),
            }
        )
    info = exported["workshop"]
    return {
        "format": exported["format"],
        "workshop": {
            "title": info["title"],
            "starts_on": info.get("starts_on"),
            "ends_on": info.get("ends_on"),
            "venue": info.get("venue", ""),
            "organisers": list(info.get("organisers", [])),
            "description": info.get("description", ""),
            "attribution": policy,
        },
        "themes": [
            {
                "key": t["key"],
                "label": t["label"],
                "parent": t.get("parent"),
                "prefix": prefixes[t["key"]],
            }
            for t in exported["themes"]
        ],
        "items": items,
    }


def _agreement(entry: dict[str, Any], policy: str) -> dict[str, Any] | None:
    """The agreement round's outcome as the export carries it: the recorded level (None
    until the facilitator records one), the note, the tally and the reservations' text."""
    outcome = entry.get("agreement")
    if not isinstance(outcome, dict):
        return None
    reservations = []
    for reservation in outcome.get("reservations") or []:
        text = reservation.get("text", "") if isinstance(reservation, dict) else str(reservation)
        name = reservation.get("name") if isinstance(reservation, dict) else None
        if text.strip():
            reservations.append(render_reservation(text, name, policy))
    tally = outcome.get("tally")
    return {
        "level": outcome.get("level"),
        "note": str(outcome.get("note") or ""),
        "tally": dict(tally) if isinstance(tally, dict) else {},
        "reservations": reservations,
    }


def _consolidated_rows(session: Session, workshop_id: int) -> list[Item]:
    checklist = consolidated_checklist(session, workshop_id)
    return list(
        session.exec(
            select(Item)
            .where(Item.checklist_id == checklist.id, col(Item.deleted).is_(False))
            .order_by(col(Item.position), col(Item.id))
        ).all()
    )


def _sources(
    session: Session, workshop_id: int, item_ids: list[str]
) -> dict[str, list[tuple[int, str, str]]]:
    """Consolidated item id → (group number, group name, source item id), in group order.
    Groups are numbered 1, 2 … in the workshop's group order."""
    groups = session.exec(
        select(Group)
        .where(Group.workshop_id == workshop_id, col(Group.deleted).is_(False))
        .order_by(col(Group.position), col(Group.id))
    ).all()
    numbers = {g.id: n for n, g in enumerate(groups, start=1)}
    names = {g.id: g.name for g in groups}
    if not item_ids:
        return {}
    rows = session.exec(
        select(Item.merged_into, Item.id, Checklist.group_id)
        .join(Checklist, col(Checklist.id) == col(Item.checklist_id))
        .where(col(Item.merged_into).in_(item_ids), col(Item.deleted).is_(False))
    ).all()
    found: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for target, source_id, group_id in rows:
        if target is not None and group_id in numbers:
            found[target].append((numbers[group_id], names[group_id], source_id))
    for listed in found.values():
        listed.sort()
    return found
