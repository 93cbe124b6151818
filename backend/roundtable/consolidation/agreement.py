"""The agreement round (phase ``review``): each member's level on each consolidated item.

``agreement.set`` and ``agreement.clear`` follow the pattern of ``vote.set``: one row per
member and item (entity ``agreement``), its ``member_id`` rendered by the attribution
serializer like a vote's. The row id is opaque, so under the Chatham House rule nothing
ties an agreement to a person. The facilitator records the outcome on the item with
``agreement.record``; the item's level, its tally and its reservations (never with
names) travel into the ``roundtable/v1`` export and so into editions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.access import can_agree, can_consolidate, why_not_agree, why_not_consolidate
from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.models import Agreement
from roundtable.errors import OpRejected, forbidden, invalid
from roundtable.ids import new_id
from roundtable.schemas import ClientId, Input
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import removal, upsert

Level = Literal["full", "reservations", "stand_aside", "disagree"]
LEVELS: tuple[str, ...] = ("full", "reservations", "stand_aside", "disagree")
MAX_RESERVATION = 2000


class AgreementSetArgs(Input):
    item_id: ClientId
    level: Level
    reservation: str = Field(default="", max_length=MAX_RESERVATION)


class AgreementClearArgs(Input):
    item_id: ClientId


class AgreementRecordArgs(Input):
    item_id: ClientId
    level: Level | None = Field(description="The level the round reached; null clears it")
    note: str = Field(default="", max_length=MAX_RESERVATION)


def agreement_values(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.id,
        "item_id": a.item_id,
        "checklist_id": a.checklist_id,
        "member_id": a.member_id,
        "level": a.level,
        "reservation": a.reservation,
        "updated_seq": a.updated_seq,
    }


def register(registry: OpRegistry) -> None:
    op(registry, "agreement.set", AgreementSetArgs)(set_agreement)
    op(registry, "agreement.clear", AgreementClearArgs)(clear_agreement)
    op(registry, "agreement.record", AgreementRecordArgs)(record_agreement)


def set_agreement(ctx: OpContext, args: AgreementSetArgs) -> OpOutcome:
    item, checklist = _agreeable(ctx, args.item_id)
    member = ctx.member
    assert member is not None and member.id is not None
    row = _own_row(ctx, item.id, member.id)
    if row is None:
        row = Agreement(
            id=new_id(),
            workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
            checklist_id=checklist.id,  # type: ignore[arg-type]
            item_id=item.id,
            member_id=member.id,
            level=args.level,
        )
        ctx.session.add(row)
    row.level = args.level
    row.reservation = args.reservation
    row.updated_seq = ctx.seq
    ctx.session.flush()
    return OpOutcome(
        [upsert("agreement", row.id, agreement_values(row))], scope=checklist.id, result=row
    )


def clear_agreement(ctx: OpContext, args: AgreementClearArgs) -> OpOutcome:
    item, checklist = _agreeable(ctx, args.item_id)
    assert ctx.member is not None and ctx.member.id is not None
    row = _own_row(ctx, item.id, ctx.member.id)
    if row is None:
        raise invalid("args.item_id", "you have marked no agreement on this item")
    ctx.session.delete(row)
    return OpOutcome([removal("agreement", row.id)], scope=checklist.id)


def record_agreement(ctx: OpContext, args: AgreementRecordArgs) -> OpOutcome:
    if ctx.member is not None and not can_consolidate(ctx.member, ctx.workshop):
        raise forbidden(why_not_consolidate(ctx.member, ctx.workshop))
    item, checklist = _consolidated(ctx, args.item_id)
    item.agreement_level = args.level
    item.agreement_note = args.note if args.level is not None else ""
    item.updated_seq = ctx.seq
    values = {
        "agreement_level": item.agreement_level,
        "agreement_note": item.agreement_note,
        "updated_seq": ctx.seq,
    }
    return OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)


def _consolidated(ctx: OpContext, item_id: str) -> tuple[Item, Checklist]:
    item = ctx.session.get(Item, item_id)
    if item is None or item.workshop_id != ctx.workshop.id or item.deleted:
        raise OpRejected(
            "not_found",
            f"args.item_id: item {item_id} does not exist in this workshop",
            field="args.item_id",
        )
    checklist = ctx.session.get(Checklist, item.checklist_id)
    assert checklist is not None
    if checklist.group_id is not None:
        raise invalid("args.item_id", "agreement is marked on consolidated items only")
    return item, checklist


def _agreeable(ctx: OpContext, item_id: str) -> tuple[Item, Checklist]:
    item, checklist = _consolidated(ctx, item_id)
    member = ctx.member
    if member is None:
        raise forbidden("only members mark their agreement")
    if not can_agree(member, ctx.workshop, checklist):
        raise forbidden(why_not_agree(member, ctx.workshop, checklist))
    return item, checklist


def _own_row(ctx: OpContext, item_id: str, member_id: int) -> Agreement | None:
    return ctx.session.execute(
        select(Agreement).where(
            col(Agreement.item_id) == item_id, col(Agreement.member_id) == member_id
        )
    ).scalar_one_or_none()


# -- reading -----------------------------------------------------------------------------
def agreements_of(session: Session, workshop_id: int) -> list[Agreement]:
    return list(
        session.execute(
            select(Agreement)
            .where(col(Agreement.workshop_id) == workshop_id)
            .order_by(col(Agreement.item_id), col(Agreement.updated_seq), col(Agreement.id))
        ).scalars()
    )


def tally(rows: list[Agreement]) -> dict[str, int]:
    """Members per level, every level named (zero included), in scale order."""
    counts = Counter(r.level for r in rows)
    return {level: counts.get(level, 0) for level in LEVELS}


def outcome_of(item: Item, rows: list[Agreement]) -> dict[str, Any] | None:
    """The item's agreement as exports carry it: never who said what."""
    if item.agreement_level is None and not rows:
        return None
    return {
        "level": item.agreement_level,
        "note": item.agreement_note,
        "tally": tally(rows),
        "reservations": [
            {"level": r.level, "text": r.reservation} for r in rows if r.reservation.strip()
        ],
    }
