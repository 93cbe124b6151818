"""What one member may see of a workshop, at one seq."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.access import can_read_checklist
from roundtable.attribution import render_values
from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.consolidation.agreement import agreement_values
from roundtable.consolidation.decisions import dismissal_values
from roundtable.consolidation.models import Agreement, SuggestionDismissal
from roundtable.consolidation.provenance import with_provenance
from roundtable.groups.models import Group, Member
from roundtable.values import (
    checklist_values,
    comment_values,
    group_values,
    item_values,
    member_values,
    theme_values,
    vote_values,
    workshop_values,
)
from roundtable.workshops.models import Theme, Workshop


def readable_checklist_ids(session: Session, workshop: Workshop, member: Member) -> set[int]:
    checklists = session.execute(
        select(Checklist).where(Checklist.workshop_id == workshop.id)  # type: ignore[arg-type]
    ).scalars()
    return {
        c.id for c in checklists if c.id is not None and can_read_checklist(member, workshop, c)
    }


def build_snapshot(session: Session, workshop: Workshop, member: Member) -> dict[str, Any]:
    """The whole visible state at ``workshop.head_seq``. Call inside one read transaction."""
    assert workshop.id is not None
    policy, viewer = workshop.attribution, member.id
    wid = workshop.id

    def rows(model: Any, *conds: Any) -> list[Any]:
        return list(
            session.execute(select(model).where(model.workshop_id == wid, *conds)).scalars()
        )

    checklists = [c for c in rows(Checklist) if can_read_checklist(member, workshop, c)]
    visible = {c.id for c in checklists}
    items = [i for i in rows(Item, col(Item.deleted).is_(False)) if i.checklist_id in visible]
    item_ids = {i.id for i in items}
    comments = [c for c in rows(Comment, col(Comment.deleted).is_(False)) if c.item_id in item_ids]
    votes = [v for v in rows(Vote) if v.checklist_id in visible]
    agreements = [a for a in rows(Agreement) if a.checklist_id in visible]
    # Dismissed suggestions go to those who see the consolidated checklist (as their events).
    consolidated_visible = any(c.group_id is None for c in checklists)
    dismissals = rows(SuggestionDismissal) if consolidated_visible else []
    item_rows = with_provenance(
        session, [item_values(i) for i in sorted(items, key=lambda i: (i.position, i.id))]
    )

    def render(entity: str, values: dict[str, Any]) -> dict[str, Any]:
        return render_values(entity, values, policy, viewer)

    return {
        "type": "snapshot",
        "seq": workshop.head_seq,
        "workshop": workshop_values(workshop),
        "themes": [
            theme_values(t)
            for t in sorted(rows(Theme, Theme.deleted.is_(False)), key=lambda t: t.position)  # type: ignore[attr-defined]
        ],
        "groups": [
            group_values(g)
            for g in sorted(rows(Group, Group.deleted.is_(False)), key=lambda g: g.position)  # type: ignore[attr-defined]
        ],
        "members": [
            render("member", member_values(m))
            for m in rows(Member, Member.removed.is_(False))  # type: ignore[attr-defined]
        ],
        "checklists": [checklist_values(c) for c in checklists],
        "items": [render("item", values) for values in item_rows],
        "comments": [render("comment", comment_values(c)) for c in comments],
        "votes": [render("vote", vote_values(v)) for v in votes],
        "agreements": [render("agreement", agreement_values(a)) for a in agreements],
        "dismissals": [
            dismissal_values(d) for d in sorted(dismissals, key=lambda d: (d.created_seq, d.id))
        ],
    }
