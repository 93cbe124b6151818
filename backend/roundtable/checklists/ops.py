"""Ops on items, comments and votes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update

from roundtable.access import (
    ChecklistLike,
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
from roundtable.safeguards.service import screen_comment, screen_item, screen_item_values
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
from roundtable.sync.statements import Prepared
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

    @op(registry, "item.update", ItemUpdateArgs, values_only=True)
    def update_item(ctx: OpContext, args: ItemUpdateArgs) -> OpOutcome:
        row = _item_row(ctx, args.id)
        _require_edit(ctx, row.checklist)
        _check_version(row.id, row.values["updated_seq"], args.if_version)
        fields = changed_fields(
            args,
            exclude=frozenset({"id", "base_version", "if_version"}),
            nullable=frozenset({"detail"}),
        )
        _check_tags(ctx, fields.get("themes"), fields.get("actors"))
        overwrote = []
        field_seqs = dict(row.values["field_seqs"] or {})
        written: dict[str, Any] = {}
        for name, value in fields.items():
            last = field_seqs.get(name)
            if (
                args.base_version is not None
                and last is not None
                and int(last[0]) > args.base_version
                and last[1] != ctx.client_id
                and row.values[name] != value
            ):
                overwrote.append(name)
            written[name] = value if value is not None else ""
            field_seqs[name] = [ctx.seq, ctx.client_id]
        if "title" in fields or "detail" in fields:
            text = {**row.values, **written}
            flags = screen_item_values(
                ctx.session,
                workshop_id=ctx.workshop_state.id,
                item_id=row.id,
                title=text["title"],
                detail=text["detail"],
                flags=text["flags"],
                seq=ctx.seq,
            )
            if flags is not None:
                written["flags"] = fields["flags"] = flags
        written["field_seqs"] = field_seqs
        written["updated_seq"] = ctx.seq
        _write_item(ctx, row.id, written)
        values = {name: _public(written[name]) for name in fields}
        change: dict[str, Any] = upsert("item", row.id, {"updated_seq": ctx.seq, **values})
        if overwrote:
            change["overwrote"] = overwrote
        outcome = OpOutcome([change], scope=row.checklist.id, make_result=row.after(written))
        return _on_source_changed(ctx, row, outcome)

    @op(registry, "item.move", ItemMoveArgs, values_only=True)
    def move_item(ctx: OpContext, args: ItemMoveArgs) -> OpOutcome:
        row = _item_row(ctx, args.id)
        _require_edit(ctx, row.checklist)
        written = {"position": args.position, "updated_seq": ctx.seq}
        _write_item(ctx, row.id, written)
        outcome = OpOutcome(
            [upsert("item", row.id, {"position": args.position, "updated_seq": ctx.seq})],
            scope=row.checklist.id,
            make_result=row.after(written),
        )
        return _on_source_changed(ctx, row, outcome)

    @op(registry, "item.delete", ItemRef, values_only=True)
    def delete_item(ctx: OpContext, args: ItemRef) -> OpOutcome:
        row = _item_row(ctx, args.id)
        _require_edit(ctx, row.checklist)
        _check_version(row.id, row.values["updated_seq"], args.if_version)
        written = {"deleted": True, "updated_seq": ctx.seq}
        _write_item(ctx, row.id, written)
        outcome = OpOutcome(
            [removal("item", row.id)], scope=row.checklist.id, make_result=row.after(written)
        )
        return _on_source_changed(ctx, row, outcome)

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


def _check_version(item_id: str, version: int, expected: int | None) -> None:
    if expected is not None and version != expected:
        raise OpRejected(
            "stale",
            f"item {item_id} is at version {version}, not {expected}: "
            "reload it and apply your change again",
        )


# -- items as values ------------------------------------------------------------------
# The frequent item ops (update, move, delete) read and write the row as values, with
# statements compiled once and run on the driver (``sync.statements``): no ORM object,
# no unit of work, no SQLAlchemy execution per statement.
_ITEMS = Item.__table__  # type: ignore[attr-defined]
_CHECKLISTS = Checklist.__table__  # type: ignore[attr-defined]
_ITEM_KEYS = tuple(c.key for c in _ITEMS.c)
_ITEM_ROW = Prepared(
    select(*_ITEMS.c, _CHECKLISTS.c.workshop_id, _CHECKLISTS.c.group_id)
    .join_from(_ITEMS, _CHECKLISTS, _ITEMS.c.checklist_id == _CHECKLISTS.c.id)
    .where(_ITEMS.c.id == bindparam("item_key"))
)
# One UPDATE per set of columns written, each setting exactly those columns.
_UPDATES: dict[tuple[str, ...], Prepared] = {}


def _update_item(columns: tuple[str, ...]) -> Prepared:
    found = _UPDATES.get(columns)
    if found is None:
        found = Prepared(update(_ITEMS).where(_ITEMS.c.id == bindparam("item_key")), columns)
        _UPDATES[columns] = found
    return found


@dataclass(frozen=True, slots=True)
class ChecklistState:
    id: int
    workshop_id: int
    group_id: int | None


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item's columns as values, with its checklist's."""

    id: str
    values: dict[str, Any]
    checklist: ChecklistState

    def after(self, written: dict[str, Any]) -> Callable[[], Item]:
        """The REST caller's result: the item as ``written`` leaves it (made only if asked)."""
        return lambda: Item(**{**self.values, **written})


def _item_row(ctx: OpContext, item_id: str) -> ItemRow:
    """The live item ``item_id`` of this workshop in a checklist the member may read."""
    found = ctx.sql.first(_ITEM_ROW, {"item_key": item_id})
    if found is None:
        raise not_found("item", item_id)
    values = dict(zip(_ITEM_KEYS, found, strict=False))
    checklist_workshop, group_id = found[-2], found[-1]
    checklist = ChecklistState(values["checklist_id"], checklist_workshop, group_id)
    member, workshop = ctx.member_state, ctx.workshop_state
    if (
        values["workshop_id"] != workshop.id
        or values["deleted"]
        or (member is not None and not can_read_checklist(member, workshop, checklist))
    ):
        raise not_found("item", item_id)  # do not confirm it exists
    return ItemRow(item_id, values, checklist)


def _write_item(ctx: OpContext, item_id: str, written: dict[str, Any]) -> None:
    ctx.sql.run(_update_item(tuple(written)), {"item_key": item_id, **written})
    session = ctx.existing_session()
    if session is None:
        return
    # An earlier op of a batch may have left the row in the session: it is stale now. Out
    # of the session it goes, loaded as that op left it: a later read in the batch loads
    # the row afresh, and if the object is that op's REST result (an ``item.create``), it
    # still answers after the session closes (expired, it would need a refresh it can no
    # longer have).
    held = session.identity_map.get(session.identity_key(Item, item_id))
    if held is not None:
        session.expunge(held)


def _public(value: Any) -> Any:
    """A value as ``item_values`` gives it (lists copied)."""
    return list(value) if isinstance(value, list) else value


def _on_source_changed(ctx: OpContext, row: ItemRow, outcome: OpOutcome) -> OpOutcome:
    """Consolidation's hook, for the items that take part in provenance: a merged group
    item or a consolidated item (numbered). It gets the row as written, through the
    session. Other items, most writes, have no provenance to keep."""
    if row.values["merged_into"] is None and row.values["ref_number"] is None:
        return outcome
    item = ctx.session.get(Item, row.id)
    assert item is not None
    return on_source_changed(ctx, item, outcome)


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


def _require_edit(ctx: OpContext, checklist: ChecklistLike) -> None:
    member, workshop = ctx.member_state, ctx.workshop_state
    if member is None:
        return  # system ops (import) may write anywhere
    if not can_edit_items(member, workshop, checklist):
        raise forbidden(why_not_edit(member, workshop, checklist))


def _check_tags(ctx: OpContext, themes: list[str] | None, actors: list[str] | None) -> None:
    if themes:
        check_theme_keys(ctx.session, ctx.workshop, themes, "args.themes")
    for actor in actors or []:
        if actor not in ACTORS:
            raise invalid("args.actors", f"unknown actor {actor!r}; use one of {', '.join(ACTORS)}")
