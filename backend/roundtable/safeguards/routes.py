"""The facilitator's review queue, and a workshop's retention: archive, erase names, delete.

Clearing, redacting, archiving and erasing are ops (``submit_as``); deleting a workshop
removes its log with it, so it is the one write here that is not an op: one transaction
that deletes every row that belongs to the workshop, then closes its live connections.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Query, Response
from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.attribution import render_actor
from roundtable.checklists.models import Checklist, Comment, Item
from roundtable.db import read_session, write_session
from roundtable.deps import ClientIdPath, DbDep, FacilitatorDep, ServicesDep, Viewer, submit_as
from roundtable.errors import OpRejected, not_found
from roundtable.safeguards.models import PersonalDataFlag
from roundtable.safeguards.schemas import ArchiveBody, FlagPublic, Retention
from roundtable.safeguards.scrub import delete_workshop_rows
from roundtable.safeguards.service import get_flag
from roundtable.safeguards.storage import compact, erase_freed_pages
from roundtable.services import Services
from roundtable.timeutil import isoformat
from roundtable.workshops.models import Workshop

router = APIRouter(prefix="/api/workshops/{workshop_id}", tags=["safeguards"])
Entity = Literal["item", "comment"]


@router.get(
    "/safeguards/flags", operation_id="listPersonalDataFlags", response_model=list[FlagPublic]
)
def list_flags(
    viewer: FacilitatorDep,
    db: DbDep,
    status: Literal["open", "all"] = Query(default="open"),
) -> list[FlagPublic]:
    """The review queue: items and comments that look like they hold personal data, with
    what was found where. ``status=all`` adds the ones already cleared or redacted."""
    query = select(PersonalDataFlag).where(col(PersonalDataFlag.workshop_id) == viewer.workshop_id)
    if status == "open":
        query = query.where(col(PersonalDataFlag.status) == "open")
    flags = db.execute(
        query.order_by(col(PersonalDataFlag.detected_seq), col(PersonalDataFlag.id))
    ).scalars()
    return [_public(db, viewer, flag) for flag in flags]


@router.post(
    "/safeguards/flags/{entity}/{entity_id}/clear",
    operation_id="clearPersonalDataFlag",
    response_model=FlagPublic,
)
async def clear(
    entity: Entity, entity_id: ClientIdPath, viewer: FacilitatorDep, services: ServicesDep
) -> FlagPublic:
    """Nothing personal here: the item may be published. Recorded with who and when."""
    await submit_as(services, viewer, "safeguards.clear", {"entity": entity, "id": entity_id})
    return _read_flag(services, viewer, entity, entity_id)


@router.post(
    "/safeguards/flags/{entity}/{entity_id}/redact",
    operation_id="redactPersonalData",
    response_model=FlagPublic,
)
async def redact(
    entity: Entity,
    entity_id: ClientIdPath,
    viewer: FacilitatorDep,
    services: ServicesDep,
    later: BackgroundTasks,
) -> FlagPublic:
    """Replaces the details with "[redacted]" in the row, its history and everywhere else
    in the workshop's data, and tells connected clients."""
    await submit_as(services, viewer, "safeguards.redact", {"entity": entity, "id": entity_id})
    later.add_task(services.hub.run_write, lambda: compact(services.engine))
    return _read_flag(services, viewer, entity, entity_id)


@router.put("/archive", operation_id="archiveWorkshop", response_model=Retention)
async def archive(body: ArchiveBody, viewer: FacilitatorDep, services: ServicesDep) -> Retention:
    """An archived workshop is read-only: every change is refused until it is reopened."""
    await submit_as(services, viewer, "workshop.archive", body.model_dump())
    with read_session(services.engine) as db:
        workshop = db.get(Workshop, viewer.workshop_id)
        assert workshop is not None
        return Retention(archived_at=isoformat(workshop.archived_at))


@router.post("/erase-names", operation_id="eraseMemberNames", status_code=204)
async def erase_names(
    viewer: FacilitatorDep, services: ServicesDep, later: BackgroundTasks
) -> Response:
    """Replaces every member's name with their pseudonym ("Participant 7") and drops
    affiliations, in the rows and the log; published editions stay as they are."""
    await submit_as(services, viewer, "workshop.erase_names", {})
    later.add_task(services.hub.run_write, lambda: compact(services.engine))
    return Response(status_code=204)


@router.delete("", operation_id="deleteWorkshop", status_code=204)
async def delete_workshop(
    viewer: FacilitatorDep, services: ServicesDep, later: BackgroundTasks
) -> Response:
    """Deletes an archived workshop for good: members, groups, items, events, editions,
    assessments. Archive it first (so nobody is still writing)."""
    if viewer.workshop.archived_at is None:
        raise OpRejected("conflict", "archive the workshop before deleting it")
    workshop_id = viewer.workshop_id
    await services.hub.run_write(lambda: _delete(services, workshop_id))
    await services.hub.close_workshop(workshop_id)  # in every process
    later.add_task(services.hub.run_write, lambda: compact(services.engine))
    return Response(status_code=204)


def _delete(services: Services, workshop_id: int) -> None:
    with write_session(services.engine) as db:
        erase_freed_pages(db)
        delete_workshop_rows(db, workshop_id)
        db.commit()


def _read_flag(services: Services, viewer: Viewer, entity: str, entity_id: str) -> FlagPublic:
    with read_session(services.engine) as db:
        flag = get_flag(db, entity, entity_id)
        if flag is None:
            raise not_found(entity, entity_id)
        return _public(db, viewer, flag)


def _public(db: Session, viewer: Viewer, flag: PersonalDataFlag) -> FlagPublic:
    item: Item | None
    if flag.entity == "comment":
        comment = db.get(Comment, flag.entity_id)
        item = db.get(Item, comment.item_id) if comment is not None else None
        fields = {"body": comment.body} if comment is not None else {}
        deleted = comment is None or comment.deleted
    else:
        item = db.get(Item, flag.entity_id)
        fields = {"title": item.title, "detail": item.detail} if item is not None else {}
        deleted = item is None or item.deleted
    checklist = db.get(Checklist, item.checklist_id) if item is not None else None
    return FlagPublic(
        entity=flag.entity,
        id=flag.entity_id,
        item_id=item.id if item is not None else None,
        checklist_id=checklist.id if checklist is not None else None,
        group_id=checklist.group_id if checklist is not None else None,
        status=flag.status,
        findings=flag.findings,
        fields=fields,
        deleted=deleted,
        detected_seq=flag.detected_seq,
        decided_by=render_actor(flag.decided_by, viewer.policy, viewer.member_id),
        decided_at=isoformat(flag.decided_at),
    )
