"""CSV and Excel, opened back: one row per item, formulas neutralised, assessment columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from roundtable.exports.table import ASSESSMENT_STATUSES, inert_cell
from tests.exports import world as w
from tests.exports.conftest import LONG_TITLE, Rendered

ASSESSMENT = ["Status", "Evidence", "Responsible agency", "Target date"]


@pytest.fixture(scope="module")
def sheet(rendered: Rendered) -> Iterator[Worksheet]:
    book = openpyxl.load_workbook(io.BytesIO(rendered.files["xlsx"]))
    yield book["Checklist"]
    book.close()


def rows_by_ref(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\0=1", "'=1"),  # NUL dropped, and what it hid is neutralised
        ("a\0=1", "a=1"),
        ("Plain text = fine", "Plain text = fine"),
        ("", ""),
    ],
)
def test_inert_cell(text: str, cell: str) -> None:
    assert inert_cell(text) == cell


def test_csv_rows_are_items_with_formulas_neutralised(rendered: Rendered) -> None:
    content = rendered.files["csv"]
    assert content.startswith("\ufeff".encode())  # so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][-4:] == ASSESSMENT
    by_ref = rows_by_ref(rows)
    assert list(by_ref) == [item.ref for item in rendered.snapshot.items]
    refs = rendered.world.refs
    formula = by_ref[refs["formula"]]
    assert formula["Item"] == "'" + w.HYPERLINK
    assert formula["Detail"] == "'+1"
    assert formula["References"] == "'-2; @SUM(A1:A9)"
    assert by_ref["K90"]["Item"] == "'@SUM(A1:A9)"
    assert by_ref["K90"]["Detail"] == "'\t=1+1"
    assert by_ref["K90"]["References"] == "'\r=2+2"
    assert by_ref["K91"]["Detail"] == "'=3+3"
    assert by_ref["K91"]["Item"] == LONG_TITLE
    markup = by_ref[refs["markup"]]
    assert (markup["Item"], markup["Detail"]) == (w.TYPST_MARKUP, w.HTML)
    assert markup["Raised by"] == "Group B; Group D"
    assert by_ref[refs["thai"]]["Item"] == w.THAI
    assert by_ref[refs["thai"]]["Themes"] == "Smuggling and trafficking"
    assert by_ref[refs["bahasa"]]["Actors"] == "Civil society; Law enforcement"
    assert all(row[-4:] == ["", "", "", ""] for row in rows[1:])


def test_excel_has_the_items_neutralised(rendered: Rendered, sheet: Worksheet) -> None:
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    by_ref = rows_by_ref(rows)
    assert list(by_ref) == [item.ref for item in rendered.snapshot.items]
    formula = by_ref[rendered.world.refs["formula"]]
    assert formula["Item"] == "'" + w.HYPERLINK
    assert formula["Detail"] == "'+1"
    assert by_ref["K90"]["Item"] == "'@SUM(A1:A9)"
    assert by_ref["K91"]["Detail"] == "'=3+3"
    assert by_ref[rendered.world.refs["thai"]]["Item"] == w.THAI
    # No cell holds a formula: every value came back as a plain string.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_excel_is_ready_for_self_assessment(rendered: Rendered, sheet: Worksheet) -> None:
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[-4:] == ASSESSMENT
    assert all(cell.font.bold for cell in next(sheet.iter_rows(max_row=1)))
    assert sheet.freeze_panes == "B2"
    last = len(rendered.snapshot.items) + 1
    assert sheet.auto_filter.ref == f"A1:O{last}"
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    status = validations[f"L2:L{last}"]
    assert status.type == "list"
    assert status.formula1 == '"' + ",".join(ASSESSMENT_STATUSES) + '"'
    assert validations[f"O2:O{last}"].type == "date"
    widths = {col: sheet.column_dimensions[col].width for col in "ADLM"}
    assert widths == {"A": 8, "D": 48, "L": 16, "M": 40}
    assert all(
        row[-4:] == (None, None, None, None) for row in sheet.iter_rows(min_row=2, values_only=True)
    )


def test_excel_says_what_it_is(rendered: Rendered) -> None:
    book = openpyxl.load_workbook(io.BytesIO(rendered.files["xlsx"]))
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    book.close()
    assert about["Workshop"] == w.WORKSHOP_TITLE
    assert about["Dates"] == "26\u201327 June 2014"
    assert about["Edition"] == "Edition 7, published 15 July 2014"
    assert about["Filter"] == "None: every item"
