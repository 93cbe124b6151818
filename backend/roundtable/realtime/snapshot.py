"""What one member may see of a workshop, at one seq."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Rows:
    """A workshop's rows at one seq, read once: every member's snapshot at that seq is cut
    from them (what each may see, rendered for them), so a crowd joining at once costs
    one read of the workshop, not one each. Values are never changed once read."""

    seq: int
    workshop: Workshop  # detached; its columns were loaded
    checklists: list[Checklist]
    themes: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    members: list[dict[str, Any]]
    items: list[dict[str, Any]]  # with provenance, in order
    comments: list[tuple[str, dict[str, Any]]]  # (item id, values)
    votes: list[tuple[int, dict[str, Any]]]  # (checklist id, values)
    agreements: list[tuple[int, dict[str, Any]]]  # (checklist id, values)
    dismissals: list[dict[str, Any]]


def read_rows(session: Session, workshop: Workshop) -> Rows:
    """Everything of ``workshop`` at its ``head_seq``. Call inside one read transaction."""
    assert workshop.id is not None
    wid = workshop.id

    def rows(model: Any, *conds: Any) -> list[Any]:
        return list(
            session.execute(select(model).where(model.workshop_id == wid, *conds)).scalars()
        )

    items = sorted(rows(Item, col(Item.deleted).is_(False)), key=lambda i: (i.position, i.id))
    themes = sorted(rows(Theme, col(Theme.deleted).is_(False)), key=lambda t: t.position)
    groups = sorted(rows(Group, col(Group.deleted).is_(False)), key=lambda g: g.position)
    dismissals = sorted(rows(SuggestionDismissal), key=lambda d: (d.created_seq, d.id))
    return Rows(
        seq=workshop.head_seq,
        workshop=workshop,
        checklists=rows(Checklist),
        themes=[theme_values(t) for t in themes],
        groups=[group_values(g) for g in groups],
        members=[member_values(m) for m in rows(Member, col(Member.removed).is_(False))],
        items=with_provenance(session, [item_values(i) for i in items]),
        comments=[
            (c.item_id, comment_values(c)) for c in rows(Comment, col(Comment.deleted).is_(False))
        ],
        votes=[(v.checklist_id, vote_values(v)) for v in rows(Vote)],
        agreements=[(a.checklist_id, agreement_values(a)) for a in rows(Agreement)],
        dismissals=[dismissal_values(d) for d in dismissals],
    )


def cut_snapshot(rows: Rows, member: Member) -> dict[str, Any]:
    """What ``member`` may see of ``rows``, rendered under the workshop's policy for them."""
    workshop = rows.workshop
    policy, viewer = workshop.attribution, member.id
    checklists = [c for c in rows.checklists if can_read_checklist(member, workshop, c)]
    visible = {c.id for c in checklists}
    items = [v for v in rows.items if v["checklist_id"] in visible]
    item_ids = {v["id"] for v in items}
    # Dismissed suggestions go to those who see the consolidated checklist (as their events).
    consolidated_visible = any(c.group_id is None for c in checklists)

    def render(entity: str, values: dict[str, Any]) -> dict[str, Any]:
        return render_values(entity, values, policy, viewer)

    return {
        "type": "snapshot",
        "seq": rows.seq,
        "workshop": workshop_values(workshop),
        "themes": rows.themes,
        "groups": rows.groups,
        "members": [render("member", values) for values in rows.members],
        "checklists": [checklist_values(c) for c in checklists],
        "items": [render("item", values) for values in items],
        "comments": [render("comment", v) for item, v in rows.comments if item in item_ids],
        "votes": [render("vote", v) for checklist, v in rows.votes if checklist in visible],
        "agreements": [
            render("agreement", v) for checklist, v in rows.agreements if checklist in visible
        ],
        "dismissals": rows.dismissals if consolidated_visible else [],
    }


def build_snapshot(session: Session, workshop: Workshop, member: Member) -> dict[str, Any]:
    """The whole visible state at ``workshop.head_seq``. Call inside one read transaction."""
    return cut_snapshot(read_rows(session, workshop), member)


class SnapshotCache:
    """A room's latest :class:`Rows`, shared by the read threads (a lost race only reads
    the rows twice)."""

    def __init__(self) -> None:
        self._latest: Rows | None = None

    def at(self, seq: int) -> Rows | None:
        latest = self._latest
        return latest if latest is not None and latest.seq == seq else None

    def keep(self, rows: Rows) -> None:
        latest = self._latest
        if latest is None or rows.seq >= latest.seq:
            self._latest = rows
