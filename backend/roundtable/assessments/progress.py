"""Progress by theme: how many of an edition's items each status covers.

Each item counts once, under the top-level theme of its first theme (a sub-theme's
items count under its parent), as the documents place it; items without a theme come
last as "Other items". Totals therefore add up to the edition's item count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roundtable.assessments.models import STATUSES

UNTHEMED_LABEL = "Other items"


def top_theme(item: dict[str, Any], themes: list[dict[str, Any]]) -> str | None:
    parents: dict[str, str | None] = {t["key"]: t.get("parent") for t in themes}
    first: str | None = next((k for k in item.get("themes", []) if k in parents), None)
    if first is None:
        return None
    return parents[first] or first


def progress_by_theme(
    items: list[dict[str, Any]], themes: list[dict[str, Any]], statuses: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    """``statuses`` maps item code → status (missing or None: unanswered)."""
    rows: dict[str | None, dict[str, Any]] = {}
    for theme in themes:
        if theme.get("parent") is None:
            rows[theme["key"]] = _row(theme["key"], theme["label"])
    for item in items:
        key = top_theme(item, themes)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(key, UNTHEMED_LABEL)
        row["total"] += 1
        row[statuses.get(item["code"]) or "unanswered"] += 1
    ordered = [r for k, r in rows.items() if k is not None and r["total"]]
    if None in rows:
        ordered.append(rows[None])
    return ordered


def _row(key: str | None, label: str) -> dict[str, Any]:
    return {"theme": key, "label": label, "total": 0, **dict.fromkeys(STATUSES, 0), "unanswered": 0}
