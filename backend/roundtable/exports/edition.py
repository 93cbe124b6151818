"""A published edition as an export snapshot: the stored document, filtered.

The edition's items keep their codes (``ID-03``) as refs; the agreement and the "raised
by" groups come from what the edition stored, already rendered by the attribution
policy when it was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from roundtable.exports.model import (
    ActorInfo,
    AgreementInfo,
    EditionInfo,
    ExportFilter,
    ExportItem,
    Snapshot,
    ThemeInfo,
    WorkshopInfo,
    filter_items,
)
from roundtable.vocab import ACTORS


def edition_snapshot(
    document: dict[str, Any],
    edition: EditionInfo,
    *,
    theme: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> Snapshot:
    w = document["workshop"]
    themes = _themes(document)
    items = tuple(export_item(item) for item in document.get("items", []))
    wanted = ExportFilter(theme=theme, kind=kind, actor=actor)
    return Snapshot(
        workshop=WorkshopInfo(
            title=w["title"],
            starts_on=_date(w.get("starts_on")),
            ends_on=_date(w.get("ends_on")),
            venue=w.get("venue", ""),
            organisers=tuple(w.get("organisers", ())),
            description=w.get("description", ""),
        ),
        themes=themes,
        items=filter_items(items, wanted, themes),
        filter=wanted,
        edition=edition,
    )


@dataclass(frozen=True)
class EditionDocument:
    """An edition as a render worker receives it: the stored document as it is (dicts,
    lists and strings pickle in C) and the filter, assembled into a :class:`Snapshot` in
    the worker. Building 2,000 items' dataclasses and pickling them was the server's work
    per download otherwise (see ``SnapshotRows`` for why that matters to live editing)."""

    document: dict[str, Any]
    edition: EditionInfo
    filter: ExportFilter

    @property
    def title(self) -> str:
        """The workshop's title."""
        title: str = self.document["workshop"]["title"]
        return title

    def assemble(self) -> Snapshot:
        wanted = self.filter
        return edition_snapshot(
            self.document, self.edition, theme=wanted.theme, kind=wanted.kind, actor=wanted.actor
        )


def edition_document(
    document: dict[str, Any],
    edition: EditionInfo,
    *,
    theme: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> EditionDocument:
    """The edition to hand to a worker; a bad filter is refused here, naming the field."""
    wanted = ExportFilter(theme=theme, kind=kind, actor=actor)
    filter_items((), wanted, _themes(document))
    return EditionDocument(document, edition, wanted)


def export_item(item: dict[str, Any]) -> ExportItem:
    agreement = item.get("agreement")
    return ExportItem(
        ref=item["code"],
        code=item["code"],
        kind=item["kind"],
        title=item["title"],
        detail=item.get("detail", ""),
        themes=tuple(item.get("themes", ())),
        actors=tuple(ActorInfo(a, ACTORS.get(a, a)) for a in item.get("actors", ())),
        references=tuple(item.get("references", ())),
        status=item.get("status", "open"),
        raised_by=tuple(item.get("raised_by", ())),
        agreement=None
        if not agreement
        else AgreementInfo(
            level=agreement.get("level") or "",
            reservations=tuple(agreement.get("reservations", ())),
            note=agreement.get("note", ""),
        ),
    )


def edition_info(number: int, title: str, published_at: datetime, notes: str = "") -> EditionInfo:
    return EditionInfo(number=number, title=title, published_at=published_at, notes=notes)


def _themes(document: dict[str, Any]) -> tuple[ThemeInfo, ...]:
    return tuple(
        ThemeInfo(key=t["key"], label=t["label"], parent=t.get("parent"))
        for t in document.get("themes", [])
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
