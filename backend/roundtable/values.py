"""The public shape of every row, as carried by events and snapshots.

Join codes, password hashes and session data never appear here. Member references are
left as ids: ``attribution`` decides, per viewer, what they may reveal.
"""

from __future__ import annotations

from typing import Any

from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.groups.models import Group, Member
from roundtable.timeutil import isoformat
from roundtable.workshops.models import Theme, Workshop


def workshop_values(w: Workshop) -> dict[str, Any]:
    return {
        "id": w.id,
        "title": w.title,
        "starts_on": w.starts_on.isoformat() if w.starts_on else None,
        "ends_on": w.ends_on.isoformat() if w.ends_on else None,
        "venue": w.venue,
        "organisers": list(w.organisers),
        "description": w.description,
        "attribution": w.attribution,
        "phase": w.phase,
        "reveal": w.reveal,
        "vote_budget": w.vote_budget,
        "breakout_ends_at": isoformat(w.breakout_ends_at),
        "announcement": w.announcement,
        "announced_at": isoformat(w.announced_at),
        "archived_at": isoformat(w.archived_at),
    }


def theme_values(t: Theme) -> dict[str, Any]:
    return {
        "id": t.id,
        "key": t.key,
        "label": t.label,
        "description": t.description,
        "parent_id": t.parent_id,
        "position": t.position,
    }


def group_values(g: Group) -> dict[str, Any]:
    return {
        "id": g.id,
        "name": g.name,
        "colour": g.colour,
        "focus_themes": list(g.focus_themes),
        "position": g.position,
    }


def member_values(m: Member) -> dict[str, Any]:
    return {
        "id": m.id,
        "display_name": m.display_name,
        "affiliation": m.affiliation,
        "role": m.role,
        "group_id": m.group_id,
        "number": m.number,
    }


def checklist_values(c: Checklist) -> dict[str, Any]:
    return {"id": c.id, "group_id": c.group_id, "title": c.title}


def item_values(i: Item) -> dict[str, Any]:
    return {
        "id": i.id,
        "checklist_id": i.checklist_id,
        "kind": i.kind,
        "title": i.title,
        "detail": i.detail,
        "themes": list(i.themes),
        "actors": list(i.actors),
        "references": list(i.references),
        "position": i.position,
        "status": i.status,
        "flags": list(i.flags),
        "created_by": i.created_by,
        "updated_seq": i.updated_seq,
        "merged_into": i.merged_into,
        # Consolidated items; ``merged_ref`` and ``sources`` are added by
        # ``consolidation.provenance.with_provenance`` (they need other rows).
        "ref": None if i.ref_number is None else f"K{i.ref_number}",
        "agreement_level": i.agreement_level,
        "agreement_note": i.agreement_note,
    }


def comment_values(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "item_id": c.item_id,
        "author_id": c.author_id,
        "body": c.body,
        "created_seq": c.created_seq,
        "updated_seq": c.updated_seq,
    }


def vote_values(v: Vote) -> dict[str, Any]:
    return {
        "id": v.id,
        "item_id": v.item_id,
        "checklist_id": v.checklist_id,
        "member_id": v.member_id,
        "count": v.count,
    }


def upsert(entity: str, ident: object, values: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "id": ident, "values": values}


def removal(entity: str, ident: object) -> dict[str, Any]:
    return {"entity": entity, "id": ident, "deleted": True}
