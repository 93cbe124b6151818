"""``edition.publish``: the consolidated checklist becomes edition N, for good.

One op, one event: facilitators watching the workshop see the new edition arrive live.
Publishing is refused while a consolidated item is flagged as possible personal data
(``flags`` holds ``personal_data`` until a facilitator clears or redacts it).
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import Field
from sqlmodel import func, select

from roundtable.access import require_facilitator
from roundtable.errors import OpRejected
from roundtable.publishing.models import Edition
from roundtable.publishing.snapshot import build_edition_document, held_back_items
from roundtable.schemas import Input
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.timeutil import isoformat
from roundtable.values import upsert


class EditionCreate(Input):
    title: str = Field(default="", max_length=500, description="Empty: the workshop's title")
    notes: str = Field(default="", max_length=10_000)


def new_slug() -> str:
    """32 URL-safe characters: 192 random bits."""
    return secrets.token_urlsafe(24)


def edition_values(edition: Edition) -> dict[str, Any]:
    return {
        "id": edition.id,
        "number": edition.number,
        "title": edition.title,
        "notes": edition.notes,
        "slug": edition.slug,
        "published_at": isoformat(edition.published_at),
        "url": f"/e/{edition.slug}",
        "items": len(edition.document.get("items", [])),
    }


def register(registry: OpRegistry) -> None:
    @op(registry, "edition.publish", EditionCreate)
    def publish_edition(ctx: OpContext, args: EditionCreate) -> OpOutcome:
        # No member: the command line (``roundtable publish``), a system op.
        if ctx.member is not None:
            require_facilitator(ctx.member, "publishing")
        workshop = ctx.workshop
        assert workshop.id is not None
        held = held_back_items(ctx.session, workshop.id)
        if held:
            listed = ", ".join(f"K{n} ({item.id})" for n, item in held)
            raise OpRejected(
                "conflict",
                f"items: {listed} may hold personal data; clear or redact them before publishing",
                field="items",
            )
        last = ctx.session.exec(
            select(func.max(Edition.number)).where(Edition.workshop_id == workshop.id)
        ).one()
        number = int(last or 0) + 1
        document = build_edition_document(ctx.session, workshop, number)
        edition = Edition(
            workshop_id=workshop.id,
            number=number,
            title=args.title or workshop.title,
            notes=args.notes,
            slug=new_slug(),
            seq=ctx.seq,
            published_by=ctx.actor_id,
            document=document,
        )
        ctx.session.add(edition)
        ctx.session.flush()
        return OpOutcome(
            [upsert("edition", edition.id, edition_values(edition))], scope=None, result=edition
        )
