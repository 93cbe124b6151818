"""An assessment's gap report: what is not yet in place, by theme, as PDF or Excel.

The report is plain frozen data (it pickles to a worker process). A gap is an item
whose status is ``partly``, ``not_yet`` or unanswered, or that is marked for review
after a carry-over; items in place or not applicable are counted, not listed. As in
the checklist PDF, the text reaches Typst as JSON data, never as markup, and every
spreadsheet cell is made inert.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import typst
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from roundtable.exports.pdf import PdfRenderError, _printable, font_paths
from roundtable.exports.table import inert_cell
from roundtable.timeutil import utcnow

TEMPLATE = Path(__file__).with_name("gap_report.typ")
STATUS_LABELS = {
    "in_place": "In place",
    "partly": "Partly in place",
    "not_yet": "Not yet in place",
    "not_applicable": "Not applicable",
    None: "Not answered",
}
GAP_STATUSES = frozenset({"partly", "not_yet", None})
PROGRESS_COLUMNS = (
    ("in_place", "In place"),
    ("partly", "Partly"),
    ("not_yet", "Not yet"),
    ("not_applicable", "Not applicable"),
    ("unanswered", "Not answered"),
)


@dataclass(frozen=True, slots=True)
class GapRow:
    code: str
    theme: str
    title: str
    status: str | None
    evidence: str = ""
    agency: str = ""
    target_date: str = ""
    needs_review: bool = False

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES or self.needs_review

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS.get(self.status, str(self.status))
        return f"{label} (review: the item changed)" if self.needs_review else label


@dataclass(frozen=True, slots=True)
class ProgressRow:
    label: str
    counts: tuple[tuple[str, int], ...]  # (status key, count) in PROGRESS_COLUMNS order
    total: int


@dataclass(frozen=True, slots=True)
class GapReport:
    workshop: str
    edition: str  # "Edition 2: title"
    assessment: str
    country: str
    progress: tuple[ProgressRow, ...]
    rows: tuple[GapRow, ...]  # every item, in edition order
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def gaps(self) -> tuple[GapRow, ...]:
        return tuple(row for row in self.rows if row.is_gap)


def render_gap_report(fmt: str, report: GapReport) -> bytes:
    if fmt == "pdf":
        return render_gap_pdf(report)
    if fmt == "xlsx":
        return render_gap_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}; known: pdf, xlsx")


def typst_data(report: GapReport) -> dict[str, Any]:
    themes: dict[str, list[dict[str, Any]]] = {}
    for row in report.gaps:
        themes.setdefault(row.theme, []).append(
            {
                "code": row.code,
                "title": row.title,
                "status": row.status_label,
                "facts": [
                    f"{name}: {value}"
                    for name, value in (
                        ("Evidence", row.evidence),
                        ("Responsible agency", row.agency),
                        ("Target date", row.target_date),
                    )
                    if value
                ],
            }
        )
    return {
        "workshop": report.workshop,
        "edition": report.edition,
        "assessment": report.assessment or "Self-assessment",
        "country": report.country,
        "generated": f"Generated {report.generated_at:%d %B %Y, %H:%M} UTC",
        "columns": [label for _, label in PROGRESS_COLUMNS],
        "progress": [
            {"label": p.label, "counts": [str(n) for _, n in p.counts], "total": str(p.total)}
            for p in report.progress
        ],
        "gap_count": str(len(report.gaps)),
        "sections": [{"label": label, "items": items} for label, items in themes.items()],
    }


def render_gap_pdf(report: GapReport) -> bytes:
    data = json.dumps(_printable(typst_data(report)), ensure_ascii=False)
    try:
        pdf = typst.compile(
            TEMPLATE,
            font_paths=font_paths(),
            ignore_system_fonts=True,
            format="pdf",
            sys_inputs={"data": data},
            timestamp=int(report.generated_at.timestamp()),
        )
    except typst.TypstError as exc:
        raise PdfRenderError(f"Typst could not compile {TEMPLATE.name}: {exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf


def render_gap_xlsx(report: GapReport) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    bold = Font(bold=True)
    for label, value in (
        ("Workshop", report.workshop),
        ("Edition", report.edition),
        ("Assessment", report.assessment),
        ("Country", report.country),
        ("Generated", f"{report.generated_at:%Y-%m-%d %H:%M} UTC"),
    ):
        summary.append([label, inert_cell(value)])
        summary.cell(summary.max_row, 1).font = bold
    summary.append([])
    summary.append(["Theme", *(label for _, label in PROGRESS_COLUMNS), "Total"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for p in report.progress:
        summary.append([inert_cell(p.label), *(n for _, n in p.counts), p.total])
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 60

    header = ["Code", "Theme", "Item", "Status", "Evidence", "Responsible agency", "Target date"]
    widths = (10, 28, 56, 26, 40, 26, 14)
    for name, rows in (("Gaps", report.gaps), ("All items", report.rows)):
        sheet = book.create_sheet(name)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(
                [
                    inert_cell(v)
                    for v in (
                        row.code,
                        row.theme,
                        row.title,
                        row.status_label,
                        row.evidence,
                        row.agency,
                        row.target_date,
                    )
                ]
            )
        for n, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + n)].width = width
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
