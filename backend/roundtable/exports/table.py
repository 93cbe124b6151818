"""The one-row-per-item table that CSV and Excel share, with its cells made inert.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
and some also after a leading tab, carriage return or NUL. Such a cell gets a single
quote in front, so ``=HYPERLINK(...)`` arrives as the text ``'=HYPERLINK(...)``.
Characters XML cannot hold (NUL and the other C0 controls but tab, LF and CR) are
dropped first, and the check runs on what is left as well as on the original, so a NUL
cannot hide a formula behind it.
"""

from __future__ import annotations

import re

from roundtable.exports.layout import KIND_LABELS, STATUS_LABELS
from roundtable.exports.model import ExportItem, Snapshot

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

ITEM_COLUMNS = (
    "Ref",
    "Themes",
    "Kind",
    "Item",
    "Detail",
    "Actors",
    "References",
    "Raised by",
    "Workshop status",
    "Agreement",
    "Reservations",
)
ASSESSMENT_COLUMNS = ("Status", "Evidence", "Responsible agency", "Target date")
COLUMNS = ITEM_COLUMNS + ASSESSMENT_COLUMNS
ASSESSMENT_STATUSES = ("Not started", "Planned", "In progress", "In place", "Not applicable")


def xml_safe(text: str) -> str:
    """The text without the characters an XML document (XLSX, DOCX) cannot hold."""
    return _NOT_XML.sub("", text)


def inert_cell(text: str) -> str:
    """The text as a spreadsheet cell that no spreadsheet will run as a formula."""
    cleaned = xml_safe(text)
    if text.startswith(FORMULA_TRIGGERS) or cleaned.startswith(FORMULA_TRIGGERS):
        return "'" + cleaned
    return cleaned


def item_cells(snapshot: Snapshot, item: ExportItem) -> list[str]:
    """An item's cells under ``ITEM_COLUMNS``, inert; the assessment cells are left out."""
    agreement = item.agreement
    values = [
        item.ref,
        "; ".join(snapshot.theme_label(k) for k in item.themes),
        KIND_LABELS.get(item.kind, item.kind),
        item.title,
        item.detail,
        "; ".join(a.label for a in item.actors),
        "; ".join(item.references),
        "; ".join(item.raised_by),
        STATUS_LABELS.get(item.status, item.status),
        agreement.level if agreement is not None else "",
        "; ".join(agreement.reservations) if agreement is not None else "",
    ]
    return [inert_cell(value) for value in values]
