"""Workshops, their themes and their event log."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlmodel import col

from roundtable.accounts.models import LoginSession
from roundtable.db import read_session, write_session
from roundtable.deps import (
    DbDep,
    FacilitatorDep,
    RequiredLogin,
    RowIdPath,
    ServicesDep,
    ViewerDep,
    submit_as,
)
from roundtable.errors import OpRejected
from roundtable.groups.models import Member
from roundtable.realtime.hub import render_event
from roundtable.realtime.snapshot import readable_checklist_ids
from roundtable.schemas import (
    Announcement,
    EventPublic,
    ThemeCreate,
    ThemePublic,
    ThemeUpdate,
    WorkshopCreate,
    WorkshopPublic,
    WorkshopSummary,
    WorkshopUpdate,
)
from roundtable.services import Services
from roundtable.sync.log import read_since
from roundtable.values import theme_values, workshop_values
from roundtable.workshops.models import Theme, Workshop
from roundtable.workshops.service import create_workshop

router = APIRouter(prefix="/api/workshops", tags=["workshops"])


def _public(workshop: Workshop) -> WorkshopPublic:
    return WorkshopPublic(**workshop_values(workshop), head_seq=workshop.head_seq)


@router.get("", operation_id="listWorkshops", response_model=list[WorkshopSummary])
def list_workshops(login: RequiredLogin, db: DbDep) -> list[WorkshopSummary]:
    query = select(Member, Workshop).join(Workshop, col(Workshop.id) == col(Member.workshop_id))
    if login.account_id is not None:
        query = query.where(col(Member.account_id) == login.account_id)
    else:
        query = query.where(col(Member.id) == login.member_id)
    rows = db.execute(query.where(col(Member.removed).is_(False)).order_by(col(Workshop.id)))
    return [
        WorkshopSummary.model_validate(
            {"id": w.id, "title": w.title, "phase": w.phase, "role": m.role}
        )
        for m, w in rows.all()
    ]


@router.post("", operation_id="createWorkshop", response_model=WorkshopPublic, status_code=201)
def create(body: WorkshopCreate, login: RequiredLogin, services: ServicesDep) -> WorkshopPublic:
    _require_account(login)
    if body.starts_on and body.ends_on and body.ends_on < body.starts_on:
        raise OpRejected(
            "invalid", "body.ends_on: must not be before starts_on", field="body.ends_on"
        )
    with write_session(services.engine) as db:
        workshop, _ = create_workshop(
            db,
            title=body.title,
            owner_account_id=login.account_id,
            facilitator_name=body.facilitator_name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            venue=body.venue,
            organisers=body.organisers,
            description=body.description,
            attribution=body.attribution,
            default_themes=body.default_themes,
        )
        db.commit()
    return _public(workshop)


def _require_account(login: LoginSession) -> None:
    if login.account_id is None:
        raise OpRejected("forbidden", "only facilitators with an account can create workshops")


@router.get("/{workshop_id}", operation_id="getWorkshop", response_model=WorkshopPublic)
def get_workshop(viewer: ViewerDep) -> WorkshopPublic:
    return _public(viewer.workshop)


@router.patch("/{workshop_id}", operation_id="updateWorkshop", response_model=WorkshopPublic)
async def update_workshop(
    body: WorkshopUpdate, viewer: FacilitatorDep, services: ServicesDep
) -> WorkshopPublic:
    args = body.model_dump(exclude_unset=True, mode="json")
    await submit_as(services, viewer, "workshop.update", args)
    return _read_public(services, viewer.workshop_id)


def _read_public(services: Services, workshop_id: int) -> WorkshopPublic:
    with read_session(services.engine) as db:
        workshop = db.get(Workshop, workshop_id)
        assert workshop is not None
        return _public(workshop)


@router.put("/{workshop_id}/announcement", operation_id="announce", response_model=WorkshopPublic)
async def announce(
    body: Announcement, viewer: FacilitatorDep, services: ServicesDep
) -> WorkshopPublic:
    """Shows ``text`` on every screen of the workshop; an empty text takes it down."""
    await submit_as(services, viewer, "workshop.announce", body.model_dump())
    return _read_public(services, viewer.workshop_id)


@router.get("/{workshop_id}/themes", operation_id="listThemes", response_model=list[ThemePublic])
def list_themes(viewer: ViewerDep, db: DbDep) -> list[ThemePublic]:
    themes = db.execute(
        select(Theme)
        .where(col(Theme.workshop_id) == viewer.workshop_id, col(Theme.deleted).is_(False))
        .order_by(col(Theme.position))
    ).scalars()
    return [ThemePublic(**theme_values(t)) for t in themes]


@router.post(
    "/{workshop_id}/themes", operation_id="createTheme", response_model=ThemePublic, status_code=201
)
async def create_theme(
    body: ThemeCreate, viewer: FacilitatorDep, services: ServicesDep
) -> ThemePublic:
    theme = await submit_as(services, viewer, "theme.create", body.model_dump(exclude_unset=True))
    return ThemePublic(**theme_values(theme))


@router.patch(
    "/{workshop_id}/themes/{theme_id}", operation_id="updateTheme", response_model=ThemePublic
)
async def update_theme(
    theme_id: RowIdPath, body: ThemeUpdate, viewer: FacilitatorDep, services: ServicesDep
) -> ThemePublic:
    args = {"id": theme_id, **body.model_dump(exclude_unset=True)}
    theme = await submit_as(services, viewer, "theme.update", args)
    return ThemePublic(**theme_values(theme))


@router.delete("/{workshop_id}/themes/{theme_id}", operation_id="deleteTheme", status_code=204)
async def delete_theme(theme_id: RowIdPath, viewer: FacilitatorDep, services: ServicesDep) -> None:
    await submit_as(services, viewer, "theme.delete", {"id": theme_id})


@router.get("/{workshop_id}/events", operation_id="listEvents", response_model=list[EventPublic])
def list_events(
    viewer: ViewerDep,
    db: DbDep,
    after: int = Query(default=0, ge=0, le=2**53),
    limit: int = Query(default=500, ge=1, le=1000),
) -> list[EventPublic]:
    """The log as this member may see it (the same filter and rendering as the live feed)."""
    visible = readable_checklist_ids(db, viewer.workshop, viewer.member)
    events = read_since(db, viewer.workshop_id, after, limit)
    return [
        EventPublic.model_validate(render_event(e, viewer.policy, viewer.member_id))
        for e in events
        if e.scope is None or e.scope in visible
    ]
