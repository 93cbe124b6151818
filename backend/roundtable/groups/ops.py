"""Ops on breakout groups and members."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlmodel import col

from roundtable.access import is_facilitator, require_facilitator
from roundtable.checklists.models import Checklist
from roundtable.errors import changed_fields, forbidden, invalid, not_found
from roundtable.groups.models import Group, Member
from roundtable.ordering import key_between
from roundtable.schemas import (
    Affiliation,
    DisplayName,
    GroupCreate,
    GroupUpdate,
    Input,
    MemberUpdate,
    RowId,
)
from roundtable.security import new_join_code
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import checklist_values, group_values, member_values, removal, upsert
from roundtable.workshops.service import check_theme_keys, next_member_number


class GroupUpdateArgs(GroupUpdate):
    id: RowId


class GroupRef(Input):
    id: RowId


class MemberJoin(Input):
    group_id: RowId | None
    display_name: DisplayName
    affiliation: Affiliation = ""
    role: Literal["participant", "observer", "facilitator"] = "participant"
    account_id: RowId | None = None


class MemberUpdateArgs(MemberUpdate):
    id: RowId


class MemberRef(Input):
    id: RowId


def unique_join_code(ctx: OpContext) -> str:
    while True:
        code = new_join_code()
        taken = ctx.session.execute(select(col(Group.id)).where(col(Group.join_code) == code))
        if taken.first() is None:
            return code


def register(registry: OpRegistry) -> None:
    @op(registry, "group.create", GroupCreate)
    def create_group(ctx: OpContext, args: GroupCreate) -> OpOutcome:
        require_facilitator(ctx.member, "group changes")
        check_theme_keys(ctx.session, ctx.workshop, args.focus_themes, "args.focus_themes")
        s = ctx.session
        last = s.execute(
            select(col(Group.position))
            .where(col(Group.workshop_id) == ctx.workshop.id)
            .order_by(col(Group.position).desc())
            .limit(1)
        ).scalar_one_or_none()
        group = Group(
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            name=args.name,
            colour=args.colour,
            focus_themes=args.focus_themes,
            join_code=unique_join_code(ctx),
            position=key_between(last, None),
        )
        s.add(group)
        s.flush()
        checklist = Checklist(workshop_id=group.workshop_id, group_id=group.id, title=args.name)
        s.add(checklist)
        s.flush()
        return OpOutcome(
            [
                upsert("group", group.id, group_values(group)),
                upsert("checklist", checklist.id, checklist_values(checklist)),
            ],
            result=(group, checklist),
            changes_visibility=True,
        )

    @op(registry, "group.update", GroupUpdateArgs)
    def update_group(ctx: OpContext, args: GroupUpdateArgs) -> OpOutcome:
        require_facilitator(ctx.member, "group changes")
        group = _group(ctx, args.id)
        fields = changed_fields(args, exclude=frozenset({"id"}))
        check_theme_keys(
            ctx.session, ctx.workshop, fields.get("focus_themes") or [], "args.focus_themes"
        )
        for name, value in fields.items():
            setattr(group, name, value)
        return OpOutcome([upsert("group", group.id, group_values(group))], result=group)

    @op(registry, "group.rotate_code", GroupRef)
    def rotate_code(ctx: OpContext, args: GroupRef) -> OpOutcome:
        require_facilitator(ctx.member, "join codes")
        group = _group(ctx, args.id)
        group.join_code = unique_join_code(ctx)
        # The code itself never enters the log; facilitators read it over REST.
        return OpOutcome([upsert("group", group.id, {"code_rotated_seq": ctx.seq})], result=group)

    @op(registry, "group.delete", GroupRef)
    def delete_group(ctx: OpContext, args: GroupRef) -> OpOutcome:
        require_facilitator(ctx.member, "group changes")
        group = _group(ctx, args.id)
        group.deleted = True
        group.join_code = f"-{group.id}-{ctx.seq}"  # frees the code; no one can type this
        changes = [removal("group", group.id)]
        # Its people stay in the workshop, in no group, so nobody keeps writing to a
        # checklist whose group is gone (its items stay, for consolidation).
        members = ctx.session.execute(
            select(Member).where(col(Member.group_id) == group.id, col(Member.removed).is_(False))
        ).scalars()
        for member in members:
            member.group_id = None
            changes.append(upsert("member", member.id, _member_change(member, "group_id")))
        return OpOutcome(changes, changes_visibility=True)

    @op(registry, "member.join", MemberJoin, system_only=True)
    def join(ctx: OpContext, args: MemberJoin) -> OpOutcome:
        if args.group_id is not None:
            _group(ctx, args.group_id)
        member = Member(
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            group_id=args.group_id,
            account_id=args.account_id,
            display_name=args.display_name,
            affiliation=args.affiliation,
            role=args.role,
            number=next_member_number(ctx.session, ctx.workshop.id),  # type: ignore[arg-type]
        )
        ctx.session.add(member)
        ctx.session.flush()
        ctx.member = member  # the joiner is the actor of their own join
        return OpOutcome([upsert("member", member.id, member_values(member))], result=member)

    @op(registry, "member.update", MemberUpdateArgs)
    def update_member(ctx: OpContext, args: MemberUpdateArgs) -> OpOutcome:
        target = _member(ctx, args.id)
        fields = args.model_dump(exclude_unset=True, exclude={"id"})
        if not fields:
            raise invalid("args", "name at least one field to change")
        admin_fields = {"group_id", "role"} & fields.keys()
        if admin_fields and not is_facilitator(ctx.member):
            raise forbidden(f"only facilitators can change a member's {sorted(admin_fields)[0]}")
        if not admin_fields and ctx.member is not target and not is_facilitator(ctx.member):
            raise forbidden("you can only change your own name")
        if "role" in fields and target is ctx.member:
            # Like removing themselves: it could leave the workshop with no facilitator.
            raise forbidden("facilitators cannot change their own role")
        if "group_id" in fields and fields["group_id"] is not None:
            _group(ctx, fields["group_id"])
        for name, value in fields.items():
            if value is None and name != "group_id":
                raise invalid(f"args.{name}", "may not be null")
            setattr(target, name, value)
        return OpOutcome(
            [upsert("member", target.id, _member_change(target, *fields))],
            result=target,
            changes_visibility=bool(admin_fields),
        )

    @op(registry, "member.remove", MemberRef)
    def remove_member(ctx: OpContext, args: MemberRef) -> OpOutcome:
        require_facilitator(ctx.member, "removing members")
        target = _member(ctx, args.id)
        if target.id == ctx.actor_id:
            raise forbidden("facilitators cannot remove themselves")
        target.removed = True
        return OpOutcome([removal("member", target.id)], changes_visibility=True)


def _member_change(member: Member, *fields: str) -> dict[str, object]:
    """The changed fields, with what the attribution policy needs to render a member."""
    values = member_values(member)
    return {k: values[k] for k in ("id", "number", "role", *fields)}


def _group(ctx: OpContext, group_id: int) -> Group:
    group = ctx.session.get(Group, group_id)
    if group is None or group.workshop_id != ctx.workshop.id or group.deleted:
        raise not_found("group", group_id)
    return group


def _member(ctx: OpContext, member_id: int) -> Member:
    member = ctx.session.get(Member, member_id)
    if member is None or member.workshop_id != ctx.workshop.id or member.removed:
        raise not_found("member", member_id)
    return member
