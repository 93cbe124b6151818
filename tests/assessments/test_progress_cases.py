"""The server counts progress by theme as the shared cases say
(``tests/fixtures/assessment_progress_cases.json``); the browser's count of the same cases
is checked in ``frontend/src/features/assessment/model.test.ts``, so the two cannot drift."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roundtable.assessments.models import STATUSES
from roundtable.assessments.progress import progress_by_theme
from tests.support import ROOT

SHARED = json.loads(
    (ROOT / "tests" / "fixtures" / "assessment_progress_cases.json").read_text(encoding="utf-8")
)
COUNTED = ("theme", "total", *STATUSES, "unanswered")


def test_the_shared_rows_name_every_status_the_server_knows() -> None:
    for case in SHARED["cases"]:
        for row in case["rows"]:
            assert tuple(row) == COUNTED, case["name"]


@pytest.mark.parametrize("case", SHARED["cases"], ids=lambda case: str(case["name"]))
def test_progress_by_theme_counts_the_shared_cases(case: dict[str, Any]) -> None:
    rows = progress_by_theme(case["items"], SHARED["themes"], case["answers"])
    assert [{key: row[key] for key in COUNTED} for row in rows] == case["rows"]
