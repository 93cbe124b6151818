"""Who may read and change what: the one place the role and phase rules live.

Every REST route and every op asks these functions, with the member resolved from the
session (never from the request body).
"""

from __future__ import annotations

from typing import Protocol

from roundtable.checklists.models import Checklist
from roundtable.groups.models import Member
from roundtable.workshops.models import Workshop


class MemberLike(Protocol):
    """What the rules read of a member: the row, or the values the write path read."""

    @property
    def role(self) -> str: ...
    @property
    def removed(self) -> bool: ...
    @property
    def group_id(self) -> int | None: ...


class WorkshopLike(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def phase(self) -> str: ...
    @property
    def reveal(self) -> bool: ...


class ChecklistLike(Protocol):
    @property
    def workshop_id(self) -> int: ...
    @property
    def group_id(self) -> int | None: ...


COMMENT_PHASES = ("breakout", "consolidation", "review")
VOTE_PHASES = ("breakout", "review")
CONSOLIDATED_VISIBLE_PHASES = ("review", "published")
CONSOLIDATION_PHASES = ("consolidation", "review")
AGREEMENT_PHASES = ("review",)


def is_facilitator(member: MemberLike | None) -> bool:
    return member is not None and member.role == "facilitator" and not member.removed


def can_read_checklist(
    member: MemberLike, workshop: WorkshopLike, checklist: ChecklistLike
) -> bool:
    if member.removed or checklist.workshop_id != workshop.id:
        return False
    if is_facilitator(member):
        return True
    if checklist.group_id is None:
        return workshop.phase in CONSOLIDATED_VISIBLE_PHASES
    return checklist.group_id == member.group_id or workshop.reveal


def can_edit_items(member: MemberLike, workshop: WorkshopLike, checklist: ChecklistLike) -> bool:
    if is_facilitator(member):
        return checklist.workshop_id == workshop.id
    return (
        member.role == "participant"
        and not member.removed
        and checklist.group_id is not None
        and checklist.group_id == member.group_id
        and workshop.phase == "breakout"
    )


def can_comment(member: Member, workshop: Workshop, checklist: Checklist) -> bool:
    if is_facilitator(member):
        return True
    return (
        member.role == "participant"
        and workshop.phase in COMMENT_PHASES
        and can_read_checklist(member, workshop, checklist)
    )


def can_vote(member: Member, workshop: Workshop, checklist: Checklist) -> bool:
    return (
        member.role in ("participant", "facilitator")
        and not member.removed
        and workshop.phase in VOTE_PHASES
        and can_read_checklist(member, workshop, checklist)
    )


def can_consolidate(member: Member | None, workshop: Workshop) -> bool:
    """Merging, unmerging, splitting and recording agreement: facilitators, while the
    consolidated checklist is being made."""
    return is_facilitator(member) and workshop.phase in CONSOLIDATION_PHASES


def can_agree(member: Member, workshop: Workshop, checklist: Checklist) -> bool:
    """Marking one's agreement with a consolidated item (the agreement round)."""
    return (
        member.role in ("participant", "facilitator")
        and not member.removed
        and checklist.group_id is None
        and workshop.phase in AGREEMENT_PHASES
        and can_read_checklist(member, workshop, checklist)
    )


def why_not_consolidate(member: Member | None, workshop: Workshop) -> str:
    if not is_facilitator(member):
        return "only facilitators merge, split and record agreement"
    phases = " and ".join(CONSOLIDATION_PHASES)
    return f"consolidation happens in the {phases} phases, not in {workshop.phase}"


def why_not_agree(member: Member, workshop: Workshop, checklist: Checklist) -> str:
    if member.role == "observer":
        return "observers do not take part in the agreement round"
    if checklist.group_id is not None:
        return "agreement is marked on consolidated items, not on group items"
    return f"the agreement round is open in the review phase, not in {workshop.phase}"


def can_review_personal_data(member: Member | None) -> bool:
    """Who sees the personal-data review queue and clears or redacts flags."""
    return is_facilitator(member)


def why_not_edit(member: MemberLike, workshop: WorkshopLike, checklist: ChecklistLike) -> str:
    """A message for a refused edit that names the rule, not just 'forbidden'."""
    if member.role == "observer":
        return "observers cannot change checklists"
    if checklist.group_id is None:
        return "only facilitators edit the consolidated checklist"
    if checklist.group_id != member.group_id:
        return "you can only edit your own group's checklist"
    if workshop.phase != "breakout":
        return f"group checklists are closed for editing in the {workshop.phase} phase"
    return "not allowed"


def why_not_comment(member: Member, workshop: Workshop) -> str:
    """A message for a refused comment on a checklist the member can read."""
    if member.role == "observer":
        return "observers cannot comment"
    return f"comments are closed in the {workshop.phase} phase"


def why_not_vote(member: Member, workshop: Workshop) -> str:
    """A message for a refused vote on a checklist the member can read."""
    if member.role == "observer":
        return "observers cannot vote"
    return f"voting is open in the {' and '.join(VOTE_PHASES)} phases, not in {workshop.phase}"


def require_facilitator(member: Member | None, what: str = "this") -> Member:
    from roundtable.errors import forbidden

    if member is None or not is_facilitator(member):
        raise forbidden(f"only facilitators can do {what}")
    return member
