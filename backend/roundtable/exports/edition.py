"""A published edition as an export snapshot: the stored document, filtered.

The edition's items keep their codes (``ID-03``) as refs; the agreement and the "raised
by" groups come from what the edition stored, already rendered by the attribution
policy when it was published.
"""

from __future__ import annotations

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
    themes = tuple(
        ThemeInfo(key=t["key"], label=t["label"], parent=t.get("parent"))
        for t in document.get("themes", [])
    )
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


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
