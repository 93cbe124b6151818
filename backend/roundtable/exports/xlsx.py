"""Excel: a self-assessment workbook, written in openpyxl's streaming (write-only) mode.

Sheet "Checklist" has one row per item and, after the item's columns, the columns a
government fills in (Status, with a drop-down list; Evidence; Responsible agency; Target
date). The header row is frozen and filterable. Sheet "About" says what the file is.
"""

from __future__ import annotations

import io
from typing import Protocol, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.worksheet.filters import AutoFilter

from roundtable.exports.layout import date_range, edition_label, filter_label
from roundtable.exports.model import Snapshot
from roundtable.exports.table import (
    ASSESSMENT_COLUMNS,
    ASSESSMENT_STATUSES,
    COLUMNS,
    ITEM_COLUMNS,
    inert_cell,
    item_cells,
)

WIDTHS = {
    "Ref": 8,
    "Themes": 24,
    "Kind": 14,
    "Item": 48,
    "Detail": 56,
    "Actors": 24,
    "References": 22,
    "Raised by": 22,
    "Workshop status": 12,
    "Agreement": 14,
    "Reservations": 28,
    "Status": 16,
    "Evidence": 40,
    "Responsible agency": 26,
    "Target date": 14,
}
WRAPPED = {"Themes", "Item", "Detail", "Actors", "References", "Raised by", "Reservations"}


class _SheetLayout(Protocol):
    """What a write-only sheet has at run time (set up as for any sheet); the type stubs
    leave these attributes out."""

    column_dimensions: DimensionHolder[str, ColumnDimension]
    auto_filter: AutoFilter
    data_validations: DataValidationList


_HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")


def render_xlsx(snapshot: Snapshot) -> bytes:
    book = Workbook(write_only=True)
    _write_checklist(book.create_sheet("Checklist"), snapshot)
    _write_about(book.create_sheet("About"), snapshot)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_checklist(sheet: WriteOnlyWorksheet, snapshot: Snapshot) -> None:
    # Layout (widths, panes, validation) must be set before the first row streams out.
    layout = cast(_SheetLayout, sheet)
    for n, name in enumerate(COLUMNS, start=1):
        layout.column_dimensions[get_column_letter(n)].width = WIDTHS[name]
    sheet.freeze_panes = "B2"
    last_row = len(snapshot.items) + 1
    last_col = get_column_letter(len(COLUMNS))
    layout.auto_filter.ref = f"A1:{last_col}{last_row}"
    status_col = get_column_letter(COLUMNS.index("Status") + 1)
    date_col = get_column_letter(COLUMNS.index("Target date") + 1)
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(ASSESSMENT_STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose a status from the list.",
    )
    target = DataValidation(
        type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True
    )
    target.error = "Enter a date."
    if last_row > 1:
        status.add(f"{status_col}2:{status_col}{last_row}")
        target.add(f"{date_col}2:{date_col}{last_row}")
        layout.data_validations.append(status)
        layout.data_validations.append(target)

    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for item in snapshot.items:
        row = []
        for name, value in zip(ITEM_COLUMNS, item_cells(snapshot, item), strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap if name in WRAPPED else top
            row.append(cell)
        for name in ASSESSMENT_COLUMNS:
            cell = WriteOnlyCell(sheet, value=None)
            cell.fill = _INPUT_FILL
            cell.alignment = wrap if name == "Evidence" else top
            if name == "Target date":
                cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        sheet.append(row)


def _write_about(sheet: WriteOnlyWorksheet, snapshot: Snapshot) -> None:
    layout = cast(_SheetLayout, sheet)
    layout.column_dimensions["A"].width = 16
    layout.column_dimensions["B"].width = 90
    w = snapshot.workshop
    rows = [
        ("Workshop", w.title),
        ("Dates", date_range(w.starts_on, w.ends_on)),
        ("Venue", w.venue),
        ("Organisers", "; ".join(w.organisers)),
        ("Edition", edition_label(snapshot)),
        ("Filter", filter_label(snapshot) or "None: every item"),
        ("Items", str(len(snapshot.items))),
        ("Generated", f"{snapshot.generated_at:%Y-%m-%d %H:%M} UTC"),
        (
            "How to use",
            "Fill in the shaded columns of the Checklist sheet for your country: "
            "Status (from the list), Evidence, Responsible agency and Target date.",
        ),
    ]
    for name, value in rows:
        label = WriteOnlyCell(sheet, value=name)
        label.font = Font(bold=True)
        text = WriteOnlyCell(sheet, value=inert_cell(value))
        text.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([label, text])
