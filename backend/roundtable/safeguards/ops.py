"""Safeguard ops: a facilitator clears or redacts a flag; a workshop is archived; member
names are erased. Each is one op through ``sync.submit``, so it is one event in the log.

``safeguards.redact``'s event names what was redacted (``{"entity": "redaction", ...}``,
ignored by clients that do not know it) and carries the row's new values. It rewrites
past events, so the hub drops the events it holds in memory when it sees one (see
``realtime.hub``), and clients drop their own unsent copies of the row's text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import select
from sqlmodel import col

from roundtable.access import can_review_personal_data
from roundtable.attribution import pseudonym
from roundtable.checklists.models import Checklist, Comment, Item
from roundtable.errors import OpRejected, forbidden, not_found
from roundtable.groups.models import Member
from roundtable.safeguards.models import PersonalDataFlag
from roundtable.safeguards.service import clear_flag, get_flag, redact_flag
from roundtable.schemas import ClientId, Input
from roundtable.sync.models import Event
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.timeutil import isoformat, utcnow
from roundtable.values import comment_values, item_values, member_values, upsert

REDACT_KIND = "safeguards.redact"


class FlagRef(Input):
    entity: Literal["item", "comment"] = "item"
    id: ClientId


class ArchiveArgs(Input):
    archived: bool = Field(description="true: read-only from now on; false: open it again")


class EraseNamesArgs(Input):
    pass


def register(registry: OpRegistry) -> None:
    @op(registry, "safeguards.clear", FlagRef)
    def clear(ctx: OpContext, args: FlagRef) -> OpOutcome:
        flag, row, checklist = _open_flag(ctx, args)
        clear_flag(ctx.session, flag, row, ctx.actor_id, ctx.seq)
        return _outcome(ctx, row, checklist, fields=("flags",))

    @op(registry, REDACT_KIND, FlagRef, archived_ok=True)
    def redact(ctx: OpContext, args: FlagRef) -> OpOutcome:
        flag, row, checklist = _open_flag(ctx, args, allow_decided=True)
        kinds = redact_flag(ctx.session, flag, row, ctx.actor_id, ctx.seq)
        fields = ("title", "detail", "flags") if isinstance(row, Item) else ("body",)
        outcome = _outcome(ctx, row, checklist, fields=fields)
        marker = {"of": args.entity, "kinds": kinds}
        outcome.changes.append({"entity": "redaction", "id": row.id, "values": marker})
        return outcome

    @op(registry, "workshop.archive", ArchiveArgs, archived_ok=True)
    def archive(ctx: OpContext, args: ArchiveArgs) -> OpOutcome:
        _require_reviewer(ctx, "archiving a workshop")
        w = ctx.workshop
        w.archived_at = utcnow().replace(microsecond=0) if args.archived else None
        return OpOutcome([upsert("workshop", w.id, {"archived_at": isoformat(w.archived_at)})])

    @op(registry, "workshop.erase_names", EraseNamesArgs, archived_ok=True)
    def erase_names(ctx: OpContext, args: EraseNamesArgs) -> OpOutcome:
        _require_reviewer(ctx, "erasing member names")
        w = ctx.workshop
        if w.archived_at is None and w.phase != "published":
            raise OpRejected(
                "conflict",
                f"names can be erased once the workshop is published or archived, not in the "
                f"{w.phase} phase",
            )
        members = ctx.session.execute(
            select(Member).where(col(Member.workshop_id) == w.id)
        ).scalars()
        changes = []
        names: dict[int, str] = {}
        for member in members:
            assert member.id is not None
            member.display_name = names[member.id] = pseudonym(member.number, member.role)
            member.affiliation = ""
            changes.append(upsert("member", member.id, member_values(member)))
        _erase_names_in_log(ctx, names)
        return OpOutcome(changes, changes_visibility=True)


def _require_reviewer(ctx: OpContext, what: str) -> None:
    if not can_review_personal_data(ctx.member):
        raise forbidden(f"only facilitators can do {what}")


def _open_flag(
    ctx: OpContext, args: FlagRef, *, allow_decided: bool = False
) -> tuple[PersonalDataFlag, Item | Comment, Checklist]:
    _require_reviewer(ctx, "reviewing personal data")
    row: Item | Comment | None = (
        ctx.session.get(Item, args.id)
        if args.entity == "item"
        else ctx.session.get(Comment, args.id)
    )
    if row is None or row.workshop_id != ctx.workshop.id:
        raise not_found(args.entity, args.id)
    flag = get_flag(ctx.session, args.entity, args.id)
    decidable = ("open", "cleared") if allow_decided else ("open",)
    if flag is None or flag.status not in decidable:
        state = "not flagged" if flag is None else f"already {flag.status}"
        message = f"args.id: {args.entity} {args.id} is {state}"
        raise OpRejected("conflict", message, field="args.id")
    item = row if isinstance(row, Item) else ctx.session.get(Item, row.item_id)
    checklist = ctx.session.get(Checklist, item.checklist_id) if item is not None else None
    assert checklist is not None
    return flag, row, checklist


def _outcome(
    ctx: OpContext, row: Item | Comment, checklist: Checklist, *, fields: tuple[str, ...]
) -> OpOutcome:
    row.updated_seq = ctx.seq
    entity = "item" if isinstance(row, Item) else "comment"
    if row.deleted:
        # Nobody holds a deleted row live: the event says only what was decided.
        return OpOutcome([], scope=checklist.id, result=row)
    values = item_values(row) if isinstance(row, Item) else comment_values(row)
    changed = {"updated_seq": ctx.seq, **{k: values[k] for k in fields if k in values}}
    return OpOutcome([upsert(entity, row.id, changed)], scope=checklist.id, result=row)


def _erase_names_in_log(ctx: OpContext, names: dict[int, str]) -> None:
    """Past events carried members' names (joins, renames): they carry pseudonyms now."""
    events = ctx.session.execute(
        select(Event).where(col(Event.workshop_id) == ctx.workshop.id)
    ).scalars()
    for event in events:
        changes = [dict(c) for c in event.changes]
        touched = False
        for change in changes:
            values = change.get("values")
            if change.get("entity") != "member" or not isinstance(values, dict):
                continue
            member_id = change.get("id")
            if isinstance(member_id, int) and member_id in names:
                values = dict(values)
                if "display_name" in values:
                    values["display_name"] = names[member_id]
                if "affiliation" in values:
                    values["affiliation"] = ""
                change["values"] = values
                touched = True
        if touched:
            event.changes = changes
