"""An edition as files: the export snapshot, the JSON document, the download's name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from roundtable.errors import OpRejected
from roundtable.exports.edition import (
    EditionDocument,
    edition_document,
    edition_info,
    edition_snapshot,
)
from roundtable.exports.formats import render
from roundtable.exports.model import (
    EditionInfo,
    ExportError,
    ExportFilter,
    Snapshot,
    ThemeInfo,
    filter_items,
)
from roundtable.exports.reader import worker_session
from roundtable.publishing.models import Edition
from roundtable.timeutil import isoformat


def snapshot_of(edition: Edition, **wanted: str | None) -> Snapshot:
    """The edition as an export snapshot, filtered (a bad filter is refused, naming it)."""
    info = edition_info(edition.number, edition.title, edition.published_at, edition.notes)
    return edition_snapshot(edition.document, info, **wanted)


def edition_source(edition: Edition, **wanted: str | None) -> EditionDocument:
    """The edition as a render worker receives it (a bad filter is refused, naming it)."""
    info = edition_info(edition.number, edition.title, edition.published_at, edition.notes)
    return edition_document(edition.document, info, **wanted)


@dataclass(frozen=True)
class EditionQuery:
    """A published edition as the render worker receives it when it reads the database
    itself: the edition's id (the worker reads its stored document, never the live rows:
    an edition is an immutable snapshot), its facts and the filter the server checked."""

    database_url: str = field(repr=False)  # may hold a password
    edition_id: int
    edition: EditionInfo
    filter: ExportFilter
    title: str  # the workshop's, for the download's name

    def assemble(self) -> Snapshot:
        with worker_session(self.database_url) as session:
            document: dict[str, Any] | None = session.execute(
                sa_select(col(Edition.document)).where(col(Edition.id) == self.edition_id)
            ).scalar()
        if document is None:
            raise ExportError("not_found", "no edition has this link")
        wanted = self.filter
        return edition_snapshot(
            document, self.edition, theme=wanted.theme, kind=wanted.kind, actor=wanted.actor
        )


def edition_query(
    session: Session, database_url: str, slug: str, **wanted: str | None
) -> tuple[int, EditionQuery]:
    """The edition with this slug, for a worker that reads it itself, and its number.
    Only the edition's facts are read here, not its document (a 2,000-item edition's is
    megabytes): the workshop's title, and the themes when the filter names one, are read
    out of it by the database."""
    facts = session.execute(
        sa_select(
            col(Edition.id),
            col(Edition.number),
            col(Edition.title),
            col(Edition.published_at),
            col(Edition.notes),
            col(Edition.document)[("workshop", "title")].as_string(),
        ).where(col(Edition.slug) == slug)
    ).first()
    if facts is None:
        raise OpRejected("not_found", "no edition has this link")  # as edition_by_slug
    edition_id, number, title, published_at, notes, workshop_title = facts
    query = EditionQuery(
        database_url,
        edition_id,
        edition_info(number, title, published_at, notes),
        ExportFilter(**wanted),
        workshop_title or "",
    )
    if not query.filter.is_empty:  # a bad filter is refused here, naming the field
        filter_items((), query.filter, _stored_themes(session, edition_id, query.filter))
    return number, query


def _stored_themes(
    session: Session, edition_id: int, wanted: ExportFilter
) -> tuple[ThemeInfo, ...]:
    if wanted.theme is None:
        return ()  # only a theme filter is checked against the themes
    themes = session.execute(
        sa_select(col(Edition.document)["themes"]).where(col(Edition.id) == edition_id)
    ).scalar()
    return tuple(
        ThemeInfo(key=t["key"], label=t["label"], parent=t.get("parent")) for t in themes or ()
    )


def edition_file(edition: Edition, fmt: str, **wanted: str | None) -> bytes:
    """The edition in one format, rendered in this process (the command line)."""
    snapshot = snapshot_of(edition, **wanted)
    if fmt == "json":
        return edition_json_bytes(edition, snapshot)
    return render(fmt, snapshot)


def edition_json_bytes(edition: Edition, snapshot: Snapshot) -> bytes:
    text = json.dumps(edition_json(edition, snapshot), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def edition_json(edition: Edition, snapshot: Snapshot) -> dict[str, Any]:
    """``roundtable/v1`` with the edition's metadata and each item's code."""
    document = edition.document
    kept = {item.code for item in snapshot.items}
    return {
        "format": document.get("format", "roundtable/v1"),
        "edition": {
            "number": edition.number,
            "title": edition.title,
            "notes": edition.notes,
            "published_at": isoformat(edition.published_at),
            "slug": edition.slug,
        },
        "filter": {k: v for k, v in _filter_of(snapshot).items() if v is not None},
        "workshop": document["workshop"],
        "themes": document.get("themes", []),
        "groups": [],
        "consolidated": [
            {"ref": item["code"], **{k: v for k, v in item.items() if k != "sources"}}
            for item in document.get("items", [])
            if item["code"] in kept
        ],
    }


def _filter_of(snapshot: Snapshot) -> dict[str, str | None]:
    f = snapshot.filter
    return {"theme": f.theme, "kind": f.kind, "actor": f.actor}


def download_name(title: str, number: int, extension: str) -> str:
    """``trafficking-roundtable-edition-2.pdf``: ASCII, safe in a header."""
    words = re.findall(r"[A-Za-z0-9]+", title.lower())[:6]
    stem = "-".join(words)[:60].strip("-") or "roundtable"
    return f"{stem}-edition-{number}.{extension}"
