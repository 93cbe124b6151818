"""An edition as files: the export snapshot, the JSON document, the download's name."""

from __future__ import annotations

import json
import re
from typing import Any

from roundtable.exports.edition import (
    EditionDocument,
    edition_document,
    edition_info,
    edition_snapshot,
)
from roundtable.exports.formats import render
from roundtable.exports.model import Snapshot
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
