"""Ops the interchange import needs that the checklist ops do not express.

All are ``system_only``: browsers never send them. Setting flags directly would let a
client clear a safeguard flag without review, and provenance links are made by the
import (and by whatever merges items), not typed in by hand.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from roundtable.access import require_facilitator
from roundtable.checklists.models import Checklist, Item
from roundtable.consolidation.decisions import MAX_DISMISSED, store_dismissal
from roundtable.consolidation.models import ItemSource
from roundtable.errors import OpRejected, invalid, not_found
from roundtable.interchange.document import FLAG_PATTERN, AgreementLevel
from roundtable.safeguards.service import keep_flag
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import upsert


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FlagsSet(Args):
    id: str
    flags: list[Annotated[str, Field(pattern=FLAG_PATTERN)]] = Field(max_length=10)


class MergedLink(Args):
    id: str = Field(description="A group item")
    merged_into: str = Field(description="The consolidated item it was merged into")


class AgreementOutcome(Args):
    id: str = Field(description="A consolidated item")
    level: AgreementLevel | None
    note: str = Field(default="", max_length=2000)


class Dismissal(Args):
    item_ids: list[str] = Field(min_length=2, max_length=MAX_DISMISSED)


def register(registry: OpRegistry) -> None:
    @op(registry, "interchange.dismiss", Dismissal, system_only=True)
    def dismiss(ctx: OpContext, args: Dismissal) -> OpOutcome:
        # consolidation.dismiss needs the consolidation phase; an import may be in any.
        require_facilitator(ctx.member, "dismissing merge suggestions")
        return store_dismissal(ctx, args.item_ids)

    @op(registry, "interchange.set_flags", FlagsSet, system_only=True)
    def set_flags(ctx: OpContext, args: FlagsSet) -> OpOutcome:
        require_facilitator(ctx.member, "setting item flags")
        item, checklist = _item(ctx, args.id)
        item.flags = keep_flag(ctx.session, item, list(dict.fromkeys(args.flags)))
        item.field_seqs = {**(item.field_seqs or {}), "flags": [ctx.seq, ctx.client_id]}
        item.updated_seq = ctx.seq
        values = {"flags": list(item.flags), "updated_seq": ctx.seq}
        return OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)

    @op(registry, "interchange.link_merged", MergedLink, system_only=True)
    def link_merged(ctx: OpContext, args: MergedLink) -> OpOutcome:
        require_facilitator(ctx.member, "linking merged items")
        item, checklist = _item(ctx, args.id)
        if checklist.group_id is None:
            raise invalid("args.id", "must name an item of a group checklist")
        target, target_checklist = _item(ctx, args.merged_into)
        if target_checklist.group_id is not None:
            raise invalid("args.merged_into", "must name an item of the consolidated checklist")
        if item.merged_into not in (None, target.id):
            raise OpRejected(
                "conflict",
                f"args.id: item {item.id} is merged into {item.merged_into} already",
                field="args.id",
            )
        item.merged_into = target.id
        item.updated_seq = ctx.seq
        if ctx.session.get(ItemSource, item.id) is None:
            ctx.session.add(
                ItemSource(
                    source_id=item.id,
                    consolidated_id=target.id,
                    workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
                    source_version=ctx.seq,
                    merged_seq=ctx.seq,
                )
            )
        values = {"merged_into": target.id, "updated_seq": ctx.seq}
        return OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)

    @op(registry, "interchange.set_agreement", AgreementOutcome, system_only=True)
    def set_agreement(ctx: OpContext, args: AgreementOutcome) -> OpOutcome:
        require_facilitator(ctx.member, "recording agreement")
        item, checklist = _item(ctx, args.id)
        if checklist.group_id is not None:
            raise invalid("args.id", "must name an item of the consolidated checklist")
        item.agreement_level = args.level
        item.agreement_note = args.note
        item.updated_seq = ctx.seq
        values = {
            "agreement_level": args.level,
            "agreement_note": args.note,
            "updated_seq": ctx.seq,
        }
        return OpOutcome([upsert("item", item.id, values)], scope=checklist.id, result=item)


def _item(ctx: OpContext, item_id: str) -> tuple[Item, Checklist]:
    item = ctx.session.get(Item, item_id)
    if item is None or item.workshop_id != ctx.workshop.id or item.deleted:
        raise not_found("item", item_id)
    checklist = ctx.session.get(Checklist, item.checklist_id)
    assert checklist is not None  # an item's checklist is a foreign key
    return item, checklist
