"""Creating workshops (the one write outside ``submit``: a new workshop has no log yet)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from roundtable.checklists.models import Checklist
from roundtable.errors import invalid
from roundtable.groups.models import Member
from roundtable.ordering import key_between
from roundtable.vocab import DEFAULT_THEMES
from roundtable.workshops.models import Theme, Workshop


def create_workshop(
    session: Session,
    *,
    title: str,
    owner_account_id: int | None,
    facilitator_name: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    venue: str = "",
    organisers: list[str] | None = None,
    description: str = "",
    attribution: str = "chatham_house",
    default_themes: bool = True,
) -> tuple[Workshop, Member]:
    """Adds a workshop, its consolidated checklist and its first facilitator. No commit."""
    workshop = Workshop(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=venue,
        organisers=organisers or [],
        description=description,
        attribution=attribution,
        owner_account_id=owner_account_id,
    )
    session.add(workshop)
    session.flush()
    assert workshop.id is not None
    session.add(Checklist(workshop_id=workshop.id, group_id=None, title="Consolidated checklist"))
    facilitator = Member(
        workshop_id=workshop.id,
        account_id=owner_account_id,
        display_name=facilitator_name,
        role="facilitator",
        number=1,
    )
    session.add(facilitator)
    if default_themes:
        add_default_themes(session, workshop.id)
    session.flush()
    return workshop, facilitator


def add_default_themes(session: Session, workshop_id: int) -> None:
    position: str | None = None
    for key, label, description, children in DEFAULT_THEMES:
        position = key_between(position, None)
        parent = Theme(
            workshop_id=workshop_id,
            key=key,
            label=label,
            description=description,
            position=position,
        )
        session.add(parent)
        session.flush()
        child_position: str | None = None
        for child_key, child_label in children:
            child_position = key_between(child_position, None)
            session.add(
                Theme(
                    workshop_id=workshop_id,
                    key=child_key,
                    label=child_label,
                    parent_id=parent.id,
                    position=child_position,
                )
            )


def next_member_number(session: Session, workshop_id: int) -> int:
    count = session.execute(
        select(func.count()).select_from(Member).where(Member.workshop_id == workshop_id)  # type: ignore[arg-type]
    ).scalar_one()
    return int(count) + 1


def consolidated_checklist(session: Session, workshop_id: int) -> Checklist:
    checklist: Checklist = session.execute(
        select(Checklist).where(
            col(Checklist.workshop_id) == workshop_id,
            col(Checklist.group_id).is_(None),
        )
    ).scalar_one()
    return checklist


def known_theme_keys(session: Session, workshop: Workshop) -> set[str]:
    """The keys of the workshop's live (not deleted) themes."""
    return set(
        session.execute(
            select(col(Theme.key)).where(
                col(Theme.workshop_id) == workshop.id, col(Theme.deleted).is_(False)
            )
        ).scalars()
    )


def check_theme_keys(session: Session, workshop: Workshop, keys: list[str], field: str) -> None:
    """Refuses the first key that names no theme of the workshop."""
    if not keys:
        return
    known = known_theme_keys(session, workshop)
    for key in keys:
        if key not in known:
            raise invalid(field, f"unknown theme {key!r}")
