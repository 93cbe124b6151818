"""Ops on items, comments and votes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select

from roundtable.access import (
    can_comment,
    can_edit_items,
    can_read_checklist,
    can_vote,
    is_facilitator,
    why_not_edit,
)
from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.errors import OpRejected, forbidden, invalid, not_found
from roundtable.ids import CLIENT_ID_PATTERN, new_id
from roundtable.ordering import is_valid_key, key_between
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import comment_values, item_values, removal, upsert, vote_values
from roundtable.vocab import ACTORS
from roundtable.workshops.models import Theme

Kind = Literal["need", "response", "practice"]
Status = Literal["open", "parked", "agreed"]
TEXT_FIELDS = ("title", "detail")
TAG_LIMIT = 30


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _clean_tags(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


class ItemFields(Args):
    kind: Kind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)
    detail: str | None = Field(default=None, max_length=10_000)
    themes: list[str] | None = Field(default=None, max_length=TAG_LIMIT)
    actors: list[str] | None = Field(default=None, max_length=TAG_LIMIT)
    references: list[str] | None = Field(default=None, max_length=TAG_LIMIT)
    status: Status | None = None

    _tags = field_validator("themes", "actors", "references")(_clean_tags)

    @field_validator("references")
    @classmethod
    def _short_references(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            if len(value) > 300:
                raise ValueError("each reference must be at most 300 characters")
        return values


class ItemCreate(ItemFields):
    id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN)
    checklist_id: int
    kind: Kind
    title: str = Field(min_length=1, max_length=500)
    position: str | None = None


class ItemUpdate(ItemFields):
    id: str
    # The version the writer last saw; fields changed since by someone else are reported.
    base_version: int | None = None
    # REST ``If-Match``: refuse unless the item is still at exactly this version.
    if_version: int | None = None


class ItemMove(Args):
    id: str
    position: str


class ItemRef(Args):
    id: str
    if_version: int | None = None


class CommentCreate(Args):
    id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN)
    item_id: str
    body: str = Field(min_length=1, max_length=5000)


class CommentUpdate(Args):
    id: str
    body: str = Field(min_length=1, max_length=5000)


class CommentRef(Args):
    id: str


class VoteSet(Args):
    item_id: str
    count: int = Field(ge=0, le=100)


def register(registry: OpRegistry) -> None:
    @op(registry, "item.create", ItemCreate)
    def create_item(ctx: OpContext, args: ItemCreate) -> OpOutcome:
        checklist = _checklist(ctx, args.checklist_id)
        _require_edit(ctx, checklist)
        item_id = args.id or new_id()
        if ctx.session.get(Item, item_id) is not None:
            raise OpRejected(
                "conflict", f"args.id: an item {item_id!r} exists already", field="args.id"
            )
        if args.position is not None:
            if not is_valid_key(args.position):
                raise invalid("args.position", "is not a valid ordering key")
            position = args.position
        else:
            last = ctx.session.execute(
                select(func.max(Item.position)).where(Item.checklist_id == checklist.id)  # type: ignore[arg-type]
            ).scalar_one_or_none()
            position = key_between(last, None)
        _check_tags(ctx, args.themes, args.actors)
        item = Item(
            id=item_id,
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            checklist_id=checklist.id,  # type: ignore[arg-type]
            kind=args.kind,
            title=args.title,
            detail=args.detail or "",
            themes=args.themes or [],
            actors=args.actors or [],
            references=args.references or [],
            status=args.status or "open",
            position=position,
            created_by=ctx.actor_id,
            created_seq=ctx.seq,
            updated_seq=ctx.seq,
            field_seqs={},
        )
        ctx.session.add(item)
        ctx.session.flush()
        return OpOutcome(
            [upsert("item", item.id, item_values(item))], scope=checklist.id, result=item
        )

    @op(registry, "item.update", ItemUpdate)
    def update_item(ctx: OpContext, args: ItemUpdate) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        _check_version(item, args.if_version)
        fields = args.model_dump(exclude_unset=True, exclude={"id", "base_version", "if_version"})
        if not fields:
            raise invalid("args", "name at least one field to change")
        for name, value in fields.items():
            if value is None and name != "detail":
                raise invalid(f"args.{name}", "may not be null")
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
        values = item_values(item)
        change: dict[str, Any] = upsert(
            "item", item.id, {"updated_seq": ctx.seq, **{k: values[k] for k in fields}}
        )
        if overwrote:
            change["overwrote"] = overwrote
        return OpOutcome([change], scope=checklist.id, result=item)

    @op(registry, "item.move", ItemMove)
    def move_item(ctx: OpContext, args: ItemMove) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        if not is_valid_key(args.position):
            raise invalid("args.position", "is not a valid ordering key")
        item.position = args.position
        item.updated_seq = ctx.seq
        return OpOutcome(
            [upsert("item", item.id, {"position": item.position, "updated_seq": ctx.seq})],
            scope=checklist.id,
            result=item,
        )

    @op(registry, "item.delete", ItemRef)
    def delete_item(ctx: OpContext, args: ItemRef) -> OpOutcome:
        item, checklist = _item(ctx, args.id)
        _require_edit(ctx, checklist)
        _check_version(item, args.if_version)
        item.deleted = True
        item.updated_seq = ctx.seq
        return OpOutcome([removal("item", item.id)], scope=checklist.id, result=item)

    @op(registry, "item.restore", ItemRef)
    def restore_item(ctx: OpContext, args: ItemRef) -> OpOutcome:
        item, checklist = _item(ctx, args.id, include_deleted=True)
        _require_edit(ctx, checklist)
        if not item.deleted:
            raise OpRejected("conflict", f"args.id: item {item.id} is not deleted", field="args.id")
        item.deleted = False
        item.updated_seq = ctx.seq
        return OpOutcome(
            [upsert("item", item.id, item_values(item))], scope=checklist.id, result=item
        )

    @op(registry, "comment.create", CommentCreate)
    def create_comment(ctx: OpContext, args: CommentCreate) -> OpOutcome:
        item, checklist = _item(ctx, args.item_id)
        assert ctx.member is not None
        if not can_comment(ctx.member, ctx.workshop, checklist):
            raise forbidden(f"comments are closed for you in the {ctx.workshop.phase} phase")
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
        return OpOutcome(
            [upsert("comment", comment.id, comment_values(comment))],
            scope=checklist.id,
            result=comment,
        )

    @op(registry, "comment.update", CommentUpdate)
    def update_comment(ctx: OpContext, args: CommentUpdate) -> OpOutcome:
        comment, checklist = _own_comment(ctx, args.id)
        comment.body = args.body
        comment.updated_seq = ctx.seq
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

    @op(registry, "vote.set", VoteSet)
    def set_vote(ctx: OpContext, args: VoteSet) -> OpOutcome:
        item, checklist = _item(ctx, args.item_id)
        member = ctx.member
        assert member is not None and member.id is not None
        if not can_vote(member, ctx.workshop, checklist):
            raise forbidden(f"voting is closed for you in the {ctx.workshop.phase} phase")
        s = ctx.session
        vote = s.execute(
            select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id)  # type: ignore[arg-type]
        ).scalar_one_or_none()
        used = s.execute(
            select(func.coalesce(func.sum(Vote.count), 0)).where(
                Vote.checklist_id == checklist.id,  # type: ignore[arg-type]
                Vote.member_id == member.id,  # type: ignore[arg-type]
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
    if comment.author_id != ctx.actor_id and not is_facilitator(ctx.member):
        raise forbidden("you can only change your own comments")
    return comment, checklist


def _require_edit(ctx: OpContext, checklist: Checklist) -> None:
    if ctx.member is None:
        return  # system ops (import) may write anywhere
    if not can_edit_items(ctx.member, ctx.workshop, checklist):
        raise forbidden(why_not_edit(ctx.member, ctx.workshop, checklist))


def _check_tags(ctx: OpContext, themes: list[str] | None, actors: list[str] | None) -> None:
    if themes:
        known = set(
            ctx.session.execute(
                select(Theme.key).where(
                    Theme.workshop_id == ctx.workshop.id,  # type: ignore[arg-type]
                    Theme.deleted.is_(False),  # type: ignore[attr-defined]
                )
            ).scalars()
        )
        for theme in themes:
            if theme not in known:
                raise invalid("args.themes", f"unknown theme {theme!r}")
    for actor in actors or []:
        if actor not in ACTORS:
            raise invalid("args.actors", f"unknown actor {actor!r}; use one of {', '.join(ACTORS)}")
