"""Ops on the workshop itself and its themes (facilitators only)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from roundtable.access import require_facilitator
from roundtable.errors import OpRejected, invalid, not_found
from roundtable.ordering import is_valid_key, key_between
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.values import removal, theme_values, upsert, workshop_values
from roundtable.vocab import THEME_KEY_PATTERN
from roundtable.workshops.models import Theme

Attribution = Literal["named", "groups_only", "chatham_house"]
Phase = Literal["setup", "breakout", "consolidation", "review", "published"]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WorkshopUpdate(Args):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = Field(default=None, max_length=500)
    organisers: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=10_000)
    attribution: Attribution | None = None
    phase: Phase | None = None
    reveal: bool | None = None
    vote_budget: int | None = Field(default=None, ge=0, le=100)


class ThemeCreate(Args):
    key: str = Field(pattern=THEME_KEY_PATTERN)
    label: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    parent_id: int | None = None
    position: str | None = None


class ThemeUpdate(Args):
    id: int
    label: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    position: str | None = None


class ThemeDelete(Args):
    id: int


VISIBILITY_FIELDS = {"phase", "reveal", "attribution"}


def register(registry: OpRegistry) -> None:
    @op(registry, "workshop.update", WorkshopUpdate)
    def update_workshop(ctx: OpContext, args: WorkshopUpdate) -> OpOutcome:
        require_facilitator(ctx.member, "workshop settings")
        fields = args.model_dump(exclude_unset=True)
        if not fields:
            raise invalid("args", "name at least one field to change")
        for name, value in fields.items():
            if value is None and name not in ("starts_on", "ends_on"):
                raise invalid(f"args.{name}", "may not be null")
            setattr(ctx.workshop, name, value)
        w = ctx.workshop
        if w.starts_on and w.ends_on and w.ends_on < w.starts_on:
            raise invalid("args.ends_on", "must not be before starts_on")
        values = workshop_values(w)
        changed = {k: values[k] for k in fields}
        return OpOutcome(
            [upsert("workshop", w.id, changed)],
            changes_visibility=bool(VISIBILITY_FIELDS & fields.keys()),
        )

    @op(registry, "theme.create", ThemeCreate)
    def create_theme(ctx: OpContext, args: ThemeCreate) -> OpOutcome:
        require_facilitator(ctx.member, "theme changes")
        s = ctx.session
        existing = s.execute(
            select(Theme).where(Theme.workshop_id == ctx.workshop.id, Theme.key == args.key)  # type: ignore[arg-type]
        ).scalar_one_or_none()
        if existing is not None and not existing.deleted:
            raise OpRejected(
                "conflict", f"args.key: a theme {args.key!r} exists already", field="args.key"
            )
        if args.parent_id is not None:
            parent = _theme(ctx, args.parent_id)
            if parent.parent_id is not None:
                raise invalid("args.parent_id", "themes have one level of sub-themes only")
        position = _position(ctx, args.position, args.parent_id)
        if existing is not None:  # re-create a deleted theme under the same key
            theme = existing
            theme.deleted = False
            theme.label, theme.description = args.label, args.description
            theme.parent_id, theme.position = args.parent_id, position
        else:
            theme = Theme(
                workshop_id=ctx.workshop.id,  # type: ignore[arg-type]
                key=args.key,
                label=args.label,
                description=args.description,
                parent_id=args.parent_id,
                position=position,
            )
            s.add(theme)
        s.flush()
        return OpOutcome([upsert("theme", theme.id, theme_values(theme))], result=theme)

    @op(registry, "theme.update", ThemeUpdate)
    def update_theme(ctx: OpContext, args: ThemeUpdate) -> OpOutcome:
        require_facilitator(ctx.member, "theme changes")
        theme = _theme(ctx, args.id)
        fields = args.model_dump(exclude_unset=True, exclude={"id"})
        if "position" in fields and not is_valid_key(fields["position"]):
            raise invalid("args.position", "is not a valid ordering key")
        for name, value in fields.items():
            if value is None:
                raise invalid(f"args.{name}", "may not be null")
            setattr(theme, name, value)
        return OpOutcome([upsert("theme", theme.id, theme_values(theme))], result=theme)

    @op(registry, "theme.delete", ThemeDelete)
    def delete_theme(ctx: OpContext, args: ThemeDelete) -> OpOutcome:
        require_facilitator(ctx.member, "theme changes")
        theme = _theme(ctx, args.id)
        children = (
            ctx.session.execute(
                select(Theme).where(Theme.parent_id == theme.id, Theme.deleted.is_(False))  # type: ignore[arg-type, attr-defined]
            )
            .scalars()
            .all()
        )
        theme.deleted = True
        changes = [removal("theme", theme.id)]
        for child in children:
            child.deleted = True
            changes.append(removal("theme", child.id))
        return OpOutcome(changes)


def _theme(ctx: OpContext, theme_id: int) -> Theme:
    theme = ctx.session.get(Theme, theme_id)
    if theme is None or theme.workshop_id != ctx.workshop.id or theme.deleted:
        raise not_found("theme", theme_id)
    return theme


def _position(ctx: OpContext, position: str | None, parent_id: int | None) -> str:
    if position is not None:
        if not is_valid_key(position):
            raise invalid("args.position", "is not a valid ordering key")
        return position
    last = ctx.session.execute(
        select(Theme.position)
        .where(Theme.workshop_id == ctx.workshop.id, Theme.parent_id == parent_id)  # type: ignore[arg-type]
        .order_by(Theme.position.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()
    return key_between(last, None)
