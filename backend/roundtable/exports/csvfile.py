"""CSV: one row per item, self-assessment columns left blank, cells made inert.

UTF-8 with a byte-order mark, so spreadsheet programs read Thai and Bahasa text right.
"""

from __future__ import annotations

import csv
import io

from roundtable.exports.model import Snapshot
from roundtable.exports.table import ASSESSMENT_COLUMNS, COLUMNS, item_cells


def render_csv(snapshot: Snapshot) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    blank = [""] * len(ASSESSMENT_COLUMNS)
    for item in snapshot.items:
        writer.writerow([*item_cells(snapshot, item), *blank])
    return out.getvalue().encode("utf-8-sig")
