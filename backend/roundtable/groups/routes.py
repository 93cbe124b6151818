"""Breakout groups and members."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.attribution import render_member
from roundtable.checklists.models import Checklist
from roundtable.deps import DbDep, FacilitatorDep, RowIdPath, ServicesDep, ViewerDep, submit_as
from roundtable.groups.models import Group, Member
from roundtable.schemas import GroupCreate, GroupPublic, GroupUpdate, MemberPublic, MemberUpdate
from roundtable.values import group_values, member_values

router = APIRouter(prefix="/api/workshops/{workshop_id}", tags=["groups"])


def _group_public(group: Group, checklist_id: int | None, with_code: bool) -> GroupPublic:
    return GroupPublic(
        **group_values(group),
        checklist_id=checklist_id,
        join_code=group.join_code if with_code else None,
    )


def _checklist_of(db: Session, group_id: int) -> int | None:
    return db.execute(
        select(col(Checklist.id)).where(col(Checklist.group_id) == group_id)
    ).scalar_one_or_none()


@router.get("/groups", operation_id="listGroups", response_model=list[GroupPublic])
def list_groups(viewer: ViewerDep, db: DbDep) -> list[GroupPublic]:
    rows = db.execute(
        select(Group, col(Checklist.id))
        .join(Checklist, col(Checklist.group_id) == col(Group.id))
        .where(col(Group.workshop_id) == viewer.workshop_id, col(Group.deleted).is_(False))
        .order_by(col(Group.position))
    ).all()
    return [_group_public(g, cid, viewer.is_facilitator) for g, cid in rows]


@router.post("/groups", operation_id="createGroup", response_model=GroupPublic, status_code=201)
async def create_group(
    body: GroupCreate, viewer: FacilitatorDep, services: ServicesDep
) -> GroupPublic:
    args = body.model_dump(exclude_unset=True)
    group, checklist = await submit_as(services, viewer, "group.create", args)
    return _group_public(group, checklist.id, True)


@router.patch("/groups/{group_id}", operation_id="updateGroup", response_model=GroupPublic)
async def update_group(
    group_id: RowIdPath, body: GroupUpdate, viewer: FacilitatorDep, services: ServicesDep, db: DbDep
) -> GroupPublic:
    args = {"id": group_id, **body.model_dump(exclude_unset=True)}
    group = await submit_as(services, viewer, "group.update", args)
    return _group_public(group, _checklist_of(db, group.id), True)


@router.post(
    "/groups/{group_id}/rotate-code", operation_id="rotateJoinCode", response_model=GroupPublic
)
async def rotate_code(
    group_id: RowIdPath, viewer: FacilitatorDep, services: ServicesDep, db: DbDep
) -> GroupPublic:
    group = await submit_as(services, viewer, "group.rotate_code", {"id": group_id})
    return _group_public(group, _checklist_of(db, group.id), True)


@router.delete("/groups/{group_id}", operation_id="deleteGroup", status_code=204)
async def delete_group(group_id: RowIdPath, viewer: FacilitatorDep, services: ServicesDep) -> None:
    await submit_as(services, viewer, "group.delete", {"id": group_id})


@router.get("/members", operation_id="listMembers", response_model=list[MemberPublic])
def list_members(viewer: ViewerDep, db: DbDep) -> list[MemberPublic]:
    members = db.execute(
        select(Member)
        .where(Member.workshop_id == viewer.workshop_id, Member.removed.is_(False))  # type: ignore[arg-type, attr-defined]
        .order_by(Member.number)  # type: ignore[arg-type]
    ).scalars()
    return [
        MemberPublic(**render_member(member_values(m), viewer.policy, viewer.member_id))
        for m in members
    ]


@router.get("/me", operation_id="getMyMembership", response_model=MemberPublic)
def my_membership(viewer: ViewerDep) -> MemberPublic:
    return MemberPublic(**member_values(viewer.member))


@router.patch("/members/{member_id}", operation_id="updateMember", response_model=MemberPublic)
async def update_member(
    member_id: RowIdPath, body: MemberUpdate, viewer: ViewerDep, services: ServicesDep
) -> MemberPublic:
    args = {"id": member_id, **body.model_dump(exclude_unset=True)}
    member = await submit_as(services, viewer, "member.update", args)
    return MemberPublic(**render_member(member_values(member), viewer.policy, viewer.member_id))


@router.delete("/members/{member_id}", operation_id="removeMember", status_code=204)
async def remove_member(
    member_id: RowIdPath, viewer: FacilitatorDep, services: ServicesDep
) -> None:
    await submit_as(services, viewer, "member.remove", {"id": member_id})
