"""Ops on the workshop itself and its themes (facilitators only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from roundtable.access import require_facilitator
from roundtable.errors import OpRejected, changed_fields, invalid, not_found
from roundtable.ordering import key_between
from roundtable.schemas import (
    Announcement,
    Input,
    RowId,
    ThemeCreate,
    ThemeUpdate,
    WorkshopUpdate,
)
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, op
from roundtable.timeutil import utcnow
from roundtable.values import removal, theme_values, upsert, workshop_values
from roundtable.workshops.models import Theme


class ThemeUpdateArgs(ThemeUpdate):
    id: RowId


class ThemeRef(Input):
    id: RowId


VISIBILITY_FIELDS = {"phase", "reveal", "attribution"}
NULLABLE_FIELDS = {"starts_on", "ends_on", "breakout_ends_at"}
# A breakout countdown further off than this is a typo, not a plan.
TIMER_REACH = timedelta(hours=24)


def register(registry: OpRegistry) -> None:
    @op(registry, "workshop.update", WorkshopUpdate)
    def update_workshop(ctx: OpContext, args: WorkshopUpdate) -> OpOutcome:
        require_facilitator(ctx.member, "workshop settings")
        fields = changed_fields(args, nullable=frozenset(NULLABLE_FIELDS))
        for name, value in fields.items():
            if name == "breakout_ends_at" and value is not None:
                value = _timer_end(value)
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

    @op(registry, "workshop.announce", Announcement)
    def announce(ctx: OpContext, args: Announcement) -> OpOutcome:
        require_facilitator(ctx.member, "announcements")
        w = ctx.workshop
        w.announcement = args.text
        w.announced_at = utcnow().replace(microsecond=0) if args.text else None
        values = workshop_values(w)
        changed = {k: values[k] for k in ("announcement", "announced_at")}
        return OpOutcome([upsert("workshop", w.id, changed)])

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

    @op(registry, "theme.update", ThemeUpdateArgs)
    def update_theme(ctx: OpContext, args: ThemeUpdateArgs) -> OpOutcome:
        require_facilitator(ctx.member, "theme changes")
        theme = _theme(ctx, args.id)
        for name, value in changed_fields(args, exclude=frozenset({"id"})).items():
            setattr(theme, name, value)
        return OpOutcome([upsert("theme", theme.id, theme_values(theme))], result=theme)

    @op(registry, "theme.delete", ThemeRef)
    def delete_theme(ctx: OpContext, args: ThemeRef) -> OpOutcome:
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


def _timer_end(value: datetime) -> datetime:
    """Stored in UTC to the second (SQLite keeps no offset)."""
    end = value.astimezone(UTC).replace(microsecond=0)
    if abs(end - utcnow()) > TIMER_REACH:
        raise invalid("args.breakout_ends_at", "must be within 24 hours of now")
    return end


def _theme(ctx: OpContext, theme_id: int) -> Theme:
    theme = ctx.session.get(Theme, theme_id)
    if theme is None or theme.workshop_id != ctx.workshop.id or theme.deleted:
        raise not_found("theme", theme_id)
    return theme


def _position(ctx: OpContext, position: str | None, parent_id: int | None) -> str:
    if position is not None:
        return position
    last = ctx.session.execute(
        select(col(Theme.position))
        .where(col(Theme.workshop_id) == ctx.workshop.id, col(Theme.parent_id) == parent_id)
        .order_by(col(Theme.position).desc())
        .limit(1)
    ).scalar_one_or_none()
    return key_between(last, None)
