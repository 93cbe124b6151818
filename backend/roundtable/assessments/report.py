"""The gap report's data, taken from what the assessment page shows."""

from __future__ import annotations

from typing import Any

from roundtable.assessments.progress import UNTHEMED_LABEL, top_theme
from roundtable.exports.gap_report import PROGRESS_COLUMNS, GapReport, GapRow, ProgressRow


def build_gap_report(view: dict[str, Any], workshop_title: str) -> GapReport:
    """``view`` is ``assessment_view``'s answer."""
    themes = view["themes"]
    labels = {t["key"]: t["label"] for t in themes}
    entries = view["entries"]
    rows = []
    for item in view["items"]:
        entry = entries.get(item["code"]) or {}
        key = top_theme(item, themes)
        target = entry.get("target_date")
        rows.append(
            GapRow(
                code=item["code"],
                theme=labels.get(key, UNTHEMED_LABEL) if key is not None else UNTHEMED_LABEL,
                title=item["title"],
                status=entry.get("status"),
                evidence=entry.get("evidence", ""),
                agency=entry.get("agency", ""),
                target_date=target.isoformat() if target is not None else "",
                needs_review=bool(entry.get("needs_review")),
            )
        )
    info = view["assessment"]
    edition = info["edition"]
    return GapReport(
        workshop=workshop_title,
        edition=f"Edition {edition['number']}: {edition['title']}",
        assessment=info["title"],
        country=info["country"],
        progress=tuple(
            ProgressRow(
                label=p["label"],
                counts=tuple((key, int(p[key])) for key, _ in PROGRESS_COLUMNS),
                total=int(p["total"]),
            )
            for p in view["progress"]
        ),
        rows=tuple(rows),
    )
