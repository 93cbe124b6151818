"""Ops on items, comments and votes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from roundtable.access import (
    can_comment,
    can_edit_items,
    can_read_checklist,
    can_vote,
    is_facilitator,
    why_not_comment,
    why_not_edit,
    why_not_vote,
)
from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.consolidation.provenance import next_ref_number, on_source_changed, with_provenance
from roundtable.errors import OpRejected, changed_fields, forbidden, invalid, not_found
from roundtable.ids import new_id
from roundtable.ordering import is_valid_key, key_between
from roundtable.safeguards.service import screen_comment, screen_item
from roundtable.schemas import (
    ClientId,
    CommentCreate,
    CommentUpdate,
    Input,
    ItemCreate,
    ItemMove,
    ItemUpdate,
    RowId,
    Version,
    VoteSet,
)
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import comment_values, item_values, removal, upsert, vote_values
from roundtable.vocab import ACTORS
from roundtable.workshops.service import check_theme_keys


class ItemCreateArgs(ItemCreate):
    checklist_id: RowId


class ItemUpdateArgs(ItemUpdate):
    id: ClientId
    # The version the writer last saw; fields changed since by someone else are reported.
    base_version: Version | None = None
    # REST ``If-Match``: refuse unless the item is still at exactly this version.
    if_version: Version | None = None


class ItemMoveArgs(ItemMove):
    id: ClientId


class ItemRef(Input):
    id: ClientId
    if_version: Version | None = None


class CommentCreateArgs(CommentCreate):
    item_id: ClientId


class CommentUpdateArgs(CommentUpdate):
    id: ClientId


class CommentRef(Input):
    id: ClientId


class VoteSetArgs(VoteSet):
    item_id: ClientId


def register(registry: OpRegistry) -> None:
    @op(registry, "item.create", ItemCreateArgs)
    def create_item(ctx: OpContext, args: ItemCreateArgs) -> OpOutcome:
        checklist = _checklist(ctx, args.checklist_id)
        _require_edit(ctx, checklist)
        item_id = args.id or new_id()
        if ctx.session.get(Item, item_id) is not None:
            raise OpRejected(
                "conflict", f"args.id: an item {item_id!r} exists already", field="args.id"
            )
        if args.position is not None:
            position = args.position
        else:
            last = ctx.session.execute(
                select(func.max(Item.position)).where(Item.checklist_id == checklist.id)  # type: ignore[arg-type]
            ).scalar_one_or_none()
            try:
                position = key_between(last if is_valid_key(last) else None, None)
            except ValueError:
                raise invalid("args.position", "no room left at the end; give a position") from None
        _check_tags(ctx, args.themes, args.actors)
        item = Item(
            id=item_id,
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            checklist_id=checklist.id,  # type: ignore[arg-type]
            kind=args.kind,
            title=args.title,
            detail=args.detail,
            themes=args.themes,
            actors=args.actors,
            references=args.references,
            status=args.status,
            position=position,
            created_by=ctx.actor_id,
            created_seq=ctx.seq,
            updated_seq=ctx.seq,
            field_seqs={},
            ref_number=None
            if checklist.group_id
            else next_ref_number(ctx.session, checklist.workshop_id),
        )
        screen_item(ctx.session, item, ctx.seq)
        ctx.session.add(item)
        ctx.session.flush()
        [values] = with_provenance(ctx.session, [item_values(item)])
        return OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)

    @op(registry, "item.update", ItemUpdateArgs)
    def update_item(ctx: OpContext, args: ItemUpdateArgs) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        _check_version(item, args.if_version)
        fields = changed_fields(
            args,
            exclude=frozenset({"id", "base_version", "if_version"}),
            nullable=frozenset({"detail"}),
        )
        _check_tags(ctx, fields.get("themes"), fields.get("actors"))
        overwrote = []
        field_seqs = dict(item.field_seqs or {})
        for name, value in fields.items():
            last = field_seqs.get(name)
            if (
                args.base_version is not None
                and last is not None
                and int(last[0]) > args.base_version  # type: ignore[call-overload]
                and last[1] != ctx.client_id
                and getattr(item, name) != value
            ):
                overwrote.append(name)
            setattr(item, name, value if value is not None else "")
            field_seqs[name] = [ctx.seq, ctx.client_id]
        item.field_seqs = field_seqs
        item.updated_seq = ctx.seq
        if ("title" in fields or "detail" in fields) and screen_item(ctx.session, item, ctx.seq):
            fields["flags"] = item.flags
        values = item_values(item)
        change: dict[str, Any] = upsert(
            "item", item.id, {"updated_seq": ctx.seq, **{k: values[k] for k in fields}}
        )
        if overwrote:
            change["overwrote"] = overwrote
        return on_source_changed(ctx, item, OpOutcome([change], scope=checklist.id, result=item))

    @op(registry, "item.move", ItemMoveArgs)
    def move_item(ctx: OpContext, args: ItemMoveArgs) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        item.position = args.position
        item.updated_seq = ctx.seq
        return on_source_changed(
            ctx,
            item,
            OpOutcome(
                [upsert("item", item.id, {"position": item.position, "updated_seq": ctx.seq})],
                scope=checklist.id,
                result=item,
            ),
        )

    @op(registry, "item.delete", ItemRef)
    def delete_item(ctx: OpContext, args: ItemRef) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        _check_version(item, args.if_version)
        item.deleted = True
        item.updated_seq = ctx.seq
        outcome = OpOutcome([removal("item", item.id)], scope=checklist.id, result=item)
        return on_source_changed(ctx, item, outcome)

    @op(registry, "item.restore", ItemRef)
    def restore_item(ctx: OpContext, args: ItemRef) -> OpOutcome:
        item, checklist = _item(ctx, args.id, include_deleted=True)
        _require_edit(ctx, checklist)
        if not item.deleted:
            raise OpRejected("conflict", f"args.id: item {item.id} is not deleted", field="args.id")
        item.deleted = False
        item.updated_seq = ctx.seq
        [values] = with_provenance(ctx.session, [item_values(item)])
        outcome = OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)
        return on_source_changed(ctx, item, outcome)

    @op(registry, "comment.create", CommentCreateArgs)
    def create_comment(ctx: OpContext, args: CommentCreateArgs) -> OpOutcome:
        item, checklist = _item(ctx, args.item_id)
        assert ctx.member is not None
        if not can_comment(ctx.member, ctx.workshop, checklist):
            raise forbidden(why_not_comment(ctx.member, ctx.workshop))
        comment_id = args.id or new_id()
        if ctx.session.get(Comment, comment_id) is not None:
            raise OpRejected(
                "conflict", f"args.id: a comment {comment_id!r} exists already", field="args.id"
            )
        comment = Comment(
            id=comment_id,
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            item_id=item.id,
            author_id=ctx.actor_id,
            body=args.body,
            created_seq=ctx.seq,
            updated_seq=ctx.seq,
        )
        ctx.session.add(comment)
        ctx.session.flush()
        screen_comment(ctx.session, comment, ctx.seq)
        return OpOutcome(
            [upsert("comment", comment.id, comment_values(comment))],
            scope=checklist.id,
            result=comment,
        )

    @op(registry, "comment.update", CommentUpdateArgs)
    def update_comment(ctx: OpContext, args: CommentUpdateArgs) -> OpOutcome:
        comment, checklist = _own_comment(ctx, args.id)
        comment.body = args.body
        comment.updated_seq = ctx.seq
        screen_comment(ctx.session, comment, ctx.seq)
        return OpOutcome(
            [upsert("comment", comment.id, {"body": comment.body, "updated_seq": ctx.seq})],
            scope=checklist.id,
            result=comment,
        )

    @op(registry, "comment.delete", CommentRef)
    def delete_comment(ctx: OpContext, args: CommentRef) -> OpOutcome:
        comment, checklist = _own_comment(ctx, args.id)
        comment.deleted = True
        comment.updated_seq = ctx.seq
        return OpOutcome([removal("comment", comment.id)], scope=checklist.id, result=comment)

    @op(registry, "vote.set", VoteSetArgs)
    def set_vote(ctx: OpContext, args: VoteSetArgs) -> OpOutcome:
        item, checklist = _item(ctx, args.item_id)
        member = ctx.member
        assert member is not None and member.id is not None
        if not can_vote(member, ctx.workshop, checklist):
            raise forbidden(why_not_vote(member, ctx.workshop))
        s = ctx.session
        vote = s.execute(
            select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id)  # type: ignore[arg-type]
        ).scalar_one_or_none()
        # Votes on deleted items stay (a restore brings them back) but spend no budget.
        used = s.execute(
            select(func.coalesce(func.sum(Vote.count), 0))
            .join(Item, Item.id == Vote.item_id)  # type: ignore[arg-type]
            .where(
                Vote.checklist_id == checklist.id,  # type: ignore[arg-type]
                Vote.member_id == member.id,  # type: ignore[arg-type]
                Item.deleted.is_(False),  # type: ignore[attr-defined]
            )
        ).scalar_one()
        used_elsewhere = int(used) - (vote.count if vote else 0)
        if used_elsewhere + args.count > ctx.workshop.vote_budget:
            left = max(0, ctx.workshop.vote_budget - used_elsewhere)
            raise OpRejected(
                "over_budget",
                f"args.count: {args.count} votes exceed your budget; you have {left} left "
                f"of {ctx.workshop.vote_budget} in this checklist",
                field="args.count",
            )
        if args.count == 0:
            if vote is None:
                raise invalid("args.count", "you have no votes on this item to remove")
            s.delete(vote)
            return OpOutcome([removal("vote", vote.id)], scope=checklist.id)
        if vote is None:
            vote = Vote(
                workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
                checklist_id=checklist.id,  # type: ignore[arg-type]
                item_id=item.id,
                member_id=member.id,
                count=args.count,
            )
            s.add(vote)
        else:
            vote.count = args.count
        s.flush()
        return OpOutcome(
            [upsert("vote", vote.id, vote_values(vote))], scope=checklist.id, result=vote
        )


def _check_version(item: Item, expected: int | None) -> None:
    if expected is not None and item.updated_seq != expected:
        raise OpRejected(
            "stale",
            f"item {item.id} is at version {item.updated_seq}, not {expected}: "
            "reload it and apply your change again",
        )


def _checklist(ctx: OpContext, checklist_id: int) -> Checklist:
    checklist = ctx.session.get(Checklist, checklist_id)
    if checklist is None or checklist.workshop_id != ctx.workshop.id:
        raise not_found("checklist", checklist_id)
    if ctx.member is not None and not can_read_checklist(ctx.member, ctx.workshop, checklist):
        raise not_found("checklist", checklist_id)  # do not confirm it exists
    return checklist


def _item(ctx: OpContext, item_id: str, *, include_deleted: bool = False) -> tuple[Item, Checklist]:
    item = ctx.session.get(Item, item_id)
    if (
        item is None
        or item.workshop_id != ctx.workshop.id
        or (item.deleted and not include_deleted)
    ):
        raise not_found("item", item_id)
    checklist = ctx.session.get(Checklist, item.checklist_id)
    if checklist is None or (
        ctx.member is not None and not can_read_checklist(ctx.member, ctx.workshop, checklist)
    ):
        raise not_found("item", item_id)  # do not confirm it exists
    return item, checklist


def _own_comment(ctx: OpContext, comment_id: str) -> tuple[Comment, Checklist]:
    comment = ctx.session.get(Comment, comment_id)
    if comment is None or comment.workshop_id != ctx.workshop.id or comment.deleted:
        raise not_found("comment", comment_id)
    _, checklist = _item(ctx, comment.item_id, include_deleted=True)
    if is_facilitator(ctx.member):
        return comment, checklist
    if comment.author_id != ctx.actor_id:
        raise forbidden("you can only change your own comments")
    assert ctx.member is not None
    if not can_comment(ctx.member, ctx.workshop, checklist):
        raise forbidden(why_not_comment(ctx.member, ctx.workshop))
    return comment, checklist


def _require_edit(ctx: OpContext, checklist: Checklist) -> None:
    if ctx.member is None:
        return  # system ops (import) may write anywhere
    if not can_edit_items(ctx.member, ctx.workshop, checklist):
        raise forbidden(why_not_edit(ctx.member, ctx.workshop, checklist))


def _check_tags(ctx: OpContext, themes: list[str] | None, actors: list[str] | None) -> None:
    check_theme_keys(ctx.session, ctx.workshop, themes or [], "args.themes")
    for actor in actors or []:
        if actor not in ACTORS:
            raise invalid("args.actors", f"unknown actor {actor!r}; use one of {', '.join(ACTORS)}")
