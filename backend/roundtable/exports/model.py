"""The one snapshot every export format renders, and how it is read from the database.

A snapshot is plain frozen data: the parent process reads it in one transaction and a
worker process renders it, so it must pickle and must not reach back into the database.
The server hands a checklist to the worker as :class:`SnapshotRows` (the rows as read,
undecoded) and the worker assembles the :class:`Snapshot`: see that class for why.

What leaves: the workshop's consolidated checklist only, without deleted items and
without items flagged ``personal_data`` (those wait for a facilitator's review). Where an
item came from is told by group names ("raised by Group B and Group D"); no member name,
affiliation or author reaches a snapshot, whatever the workshop's attribution policy.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Text, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from roundtable.checklists.models import KINDS, Checklist, Item
from roundtable.errors import OpRejected
from roundtable.groups.models import Group
from roundtable.timeutil import utcnow
from roundtable.vocab import ACTORS
from roundtable.workshops.models import Theme, Workshop
from roundtable.workshops.service import consolidated_checklist

HELD_BACK_FLAGS = frozenset({"personal_data"})
REF_PREFIX = "K"  # as the interchange export numbers consolidated items


class ExportError(OpRejected):
    """An export that cannot be made as asked: unknown workshop or a bad filter."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a render worker too (it reads the rows itself): it must cross back to
        # the server whole, field included, which ``Exception``'s own pickling does not do.
        return (type(self), (self.code, self.message), {"field": self.field})


@dataclass(frozen=True, slots=True)
class WorkshopInfo:
    title: str
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = ""
    organisers: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class EditionInfo:
    number: int
    title: str = ""
    published_at: datetime | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    key: str
    label: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class ActorInfo:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class AgreementInfo:
    level: str
    reservations: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One consolidated item. ``ref`` is its edition code when published, else K1, K2 …"""

    ref: str
    kind: str
    title: str
    detail: str = ""
    themes: tuple[str, ...] = ()  # keys of live themes only
    actors: tuple[ActorInfo, ...] = ()
    references: tuple[str, ...] = ()
    status: str = "open"
    raised_by: tuple[str, ...] = ()  # group names, in group order
    code: str | None = None
    agreement: AgreementInfo | None = None


@dataclass(frozen=True, slots=True)
class ExportFilter:
    theme: str | None = None
    kind: str | None = None
    actor: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.theme is None and self.kind is None and self.actor is None


@dataclass(frozen=True, slots=True)
class Snapshot:
    workshop: WorkshopInfo
    themes: tuple[ThemeInfo, ...]  # each top-level theme followed by its sub-themes
    items: tuple[ExportItem, ...]  # in checklist order, filter applied
    filter: ExportFilter = field(default_factory=ExportFilter)
    edition: EditionInfo | None = None
    generated_at: datetime = field(default_factory=utcnow)

    def theme_label(self, key: str) -> str:
        return next((t.label for t in self.themes if t.key == key), key)


@dataclass(frozen=True)
class SnapshotRows:
    """What :func:`read_snapshot_rows` takes from the database, before any decoding: the
    form a snapshot crosses to the worker process in.

    The items are the database's rows as plain tuples, their list columns still JSON
    text (``ITEM_FIELDS`` names them). Decoding 2,000 items' JSON and pickling 2,000
    dataclasses cost the server ~50 ms of CPU per download while holding the GIL, and the
    live path's threads then waited for it at every release (their commits and sends):
    the edit stalls of ``bench/export_under_load.py``. Pickling tuples of strings is done
    in C in a few milliseconds; :func:`assemble_snapshot` does the rest in the worker.
    """

    workshop: WorkshopInfo
    themes: tuple[ThemeInfo, ...]
    filter: ExportFilter
    items: tuple[tuple[Any, ...], ...]  # ITEM_FIELDS, in checklist order, nothing skipped
    raised_by: dict[str, tuple[str, ...]]  # consolidated item id -> group names
    generated_at: datetime = field(default_factory=utcnow)

    def assemble(self) -> Snapshot:
        return assemble_snapshot(self)


class SnapshotSource(Protocol):
    """What a worker turns into a :class:`Snapshot` before rendering it: a checklist's
    rows (:class:`SnapshotRows`) or a published edition's document."""

    def assemble(self) -> Snapshot: ...


ITEM_FIELDS = ("id", "kind", "title", "detail", "themes", "actors", "references", "status", "flags")
_JSON_FIELDS = frozenset({"themes", "actors", "references", "flags"})


def build_snapshot(
    session: Session,
    workshop_id: int,
    *,
    theme: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> Snapshot:
    """The consolidated checklist of a workshop, filtered, ready to render."""
    return assemble_snapshot(
        read_snapshot_rows(session, workshop_id, theme=theme, kind=kind, actor=actor)
    )


def read_snapshot_rows(
    session: Session,
    workshop_id: int,
    *,
    theme: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> SnapshotRows:
    """The database's part of a snapshot, in one transaction: a bad filter or an unknown
    workshop is refused here (in the server), the rows are left undecoded."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise ExportError("not_found", f"workshop {workshop_id} does not exist")
    themes = _themes(session, workshop_id)
    wanted = ExportFilter(theme=theme, kind=kind, actor=actor)
    _check_filter(wanted, themes)
    rows = _consolidated_items(session, workshop_id)
    raised_by = _raised_by(session, [row[0] for row in rows])
    return SnapshotRows(
        workshop=WorkshopInfo(
            title=workshop.title,
            starts_on=workshop.starts_on,
            ends_on=workshop.ends_on,
            venue=workshop.venue,
            organisers=tuple(workshop.organisers),
            description=workshop.description,
        ),
        themes=themes,
        filter=wanted,
        items=rows,
        raised_by={key: tuple(names) for key, names in raised_by.items()},
    )


def checked_filter(
    session: Session,
    workshop_id: int,
    *,
    theme: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> ExportFilter:
    """The server's part of a download the worker reads itself: an unknown workshop or a
    bad filter is refused here, before anything is sent (the themes are read only when
    the filter names one)."""
    if session.get(Workshop, workshop_id) is None:
        raise ExportError("not_found", f"workshop {workshop_id} does not exist")
    wanted = ExportFilter(theme=theme, kind=kind, actor=actor)
    _check_filter(wanted, _themes(session, workshop_id) if theme is not None else ())
    return wanted


def assemble_snapshot(source: SnapshotRows) -> Snapshot:
    """The snapshot the rows make: JSON decoded, held-back items left out, items numbered
    in checklist order (held-back ones keep their number, unseen), the filter applied."""
    known = {t.key for t in source.themes}
    theme_keys = _check_filter(source.filter, source.themes)
    items = []
    for n, raw in enumerate(source.items, start=1):
        item_id, kind, title, detail, themes, actors, references, status, flags = raw
        if HELD_BACK_FLAGS.intersection(_decoded(flags)):
            continue
        item = ExportItem(
            ref=f"{REF_PREFIX}{n}",
            kind=kind,
            title=title,
            detail=detail,
            themes=tuple(k for k in _decoded(themes) if k in known),
            actors=tuple(ActorInfo(a, ACTORS.get(a, a)) for a in _decoded(actors)),
            references=tuple(_decoded(references)),
            status=status,
            raised_by=source.raised_by.get(item_id, ()),
        )
        if _matches(item, source.filter, theme_keys):
            items.append(item)
    return Snapshot(
        workshop=source.workshop,
        themes=source.themes,
        items=tuple(items),
        filter=source.filter,
        generated_at=source.generated_at,
    )


def _decoded(value: Any) -> list[str]:
    """A list column's value: JSON text decoded (a driver that decodes JSON itself, as
    PostgreSQL's may, hands over the list already), NULL as an empty list."""
    if value is None:
        return []
    decoded = json.loads(value) if isinstance(value, str | bytes) else value
    return list(decoded) if decoded is not None else []


def filter_items(
    items: tuple[ExportItem, ...], wanted: ExportFilter, themes: tuple[ThemeInfo, ...]
) -> tuple[ExportItem, ...]:
    """The items that pass the filter (a bad filter is refused, naming the field)."""
    theme_keys = _check_filter(wanted, themes)
    return tuple(item for item in items if _matches(item, wanted, theme_keys))


def theme_subtree(themes: tuple[ThemeInfo, ...], key: str) -> set[str]:
    """A theme's key with the keys of its sub-themes."""
    return {key} | {t.key for t in themes if t.parent == key}


def _check_filter(wanted: ExportFilter, themes: tuple[ThemeInfo, ...]) -> set[str] | None:
    """Refuses a bad filter. Returns the theme keys an item must have one of (None: any)."""
    if wanted.theme is not None and wanted.theme not in {t.key for t in themes}:
        raise ExportError("invalid", f"theme: no theme has the key {wanted.theme!r}", field="theme")
    if wanted.kind is not None and wanted.kind not in KINDS:
        raise ExportError("invalid", f"kind: must be one of {', '.join(KINDS)}", field="kind")
    if wanted.actor is not None and wanted.actor not in ACTORS:
        raise ExportError("invalid", f"actor: must be one of {', '.join(ACTORS)}", field="actor")
    return None if wanted.theme is None else theme_subtree(themes, wanted.theme)


def _matches(item: ExportItem, wanted: ExportFilter, theme_keys: set[str] | None) -> bool:
    if theme_keys is not None and theme_keys.isdisjoint(item.themes):
        return False
    if wanted.kind is not None and item.kind != wanted.kind:
        return False
    return wanted.actor is None or any(a.key == wanted.actor for a in item.actors)


def _themes(session: Session, workshop_id: int) -> tuple[ThemeInfo, ...]:
    rows = session.exec(
        select(Theme)
        .where(Theme.workshop_id == workshop_id, col(Theme.deleted).is_(False))
        .order_by(col(Theme.position), col(Theme.id))
    ).all()
    keys = {t.id: t.key for t in rows}
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    ordered = []
    for top in children[None]:
        for row in (top, *children[top.id]):
            parent = keys.get(row.parent_id) if row.parent_id is not None else None
            ordered.append(ThemeInfo(key=row.key, label=row.label, parent=parent))
    return tuple(ordered)


# The list columns are read as their JSON text (``type_coerce`` to Text drops the JSON
# type's decoding, and emits no SQL cast): the worker decodes them.
_ITEM_COLUMNS = tuple(
    type_coerce(getattr(Item, name), Text) if name in _JSON_FIELDS else col(getattr(Item, name))
    for name in ITEM_FIELDS
)


def _consolidated_items(session: Session, workshop_id: int) -> tuple[tuple[Any, ...], ...]:
    checklist: Checklist = consolidated_checklist(session, workshop_id)
    rows = session.execute(
        sa_select(*_ITEM_COLUMNS)
        .where(col(Item.checklist_id) == checklist.id, col(Item.deleted).is_(False))
        .order_by(col(Item.position), col(Item.id))
    )
    return tuple(tuple(row) for row in rows)


def _raised_by(session: Session, item_ids: list[str]) -> dict[str, list[str]]:
    """Consolidated item id → names of the groups whose items were merged into it."""
    if not item_ids:
        return {}
    rows = session.exec(
        select(Item.merged_into, Group.name)
        .join(Checklist, col(Checklist.id) == col(Item.checklist_id))
        .join(Group, col(Group.id) == col(Checklist.group_id))
        .where(
            col(Item.merged_into).in_(item_ids),
            col(Item.deleted).is_(False),
            col(Group.deleted).is_(False),
        )
        .order_by(col(Group.position), col(Group.id))
    ).all()
    names: dict[str, list[str]] = defaultdict(list)
    for target, name in rows:
        if target is not None and name not in names[target]:
            names[target].append(name)
    return names
