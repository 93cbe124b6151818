"""The roundtable day's quick mode, run once on SQLite: every edit reaches every member of
its group and every facilitator exactly once, in order, with no gaps; every merge reaches
every facilitator; a facilitator whose laptop stops reading is closed by the server (4008,
or dropped when even the close frame cannot get through) while everyone else keeps
receiving, then catches up; exports, dashboards and newcomers all answer. Correctness
only: timing is the bench's business."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_FAULTS = {"gaps": 0, "out_of_order": 0, "duplicates": 0, "unexpected": 0, "rejects": 0,
             "closed": 0}  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_quick_roundtable_day_is_delivered_exactly(tmp_path: Path) -> None:
    output = tmp_path / "day.json"
    run = subprocess.run(
        [sys.executable, "bench/roundtable_day.py", "--quick", "--no-pin", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=290,
    )
    results = json.loads(output.read_text()) if output.exists() else None
    assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert results is not None
    scenario = results["scenario"]
    members, facilitators = scenario["members"], scenario["facilitators"]

    for target in ("bare", "roundtable"):
        (day,) = results["trials"][target]
        assert day["ops_sent"] > 0 and day["drained"], target
        assert day["faults"] == NO_FAULTS, (target, day["faults"])
        assert day["newcomer_faults"] == 0
        # an edit goes to its group and to every facilitator; a merge to every facilitator
        merges = day["merges_sent"]
        assert day["expected"] == day["ops_sent"] * (members + facilitators) + merges * (
            facilitators if target == "roundtable" else 0
        )
        assert day["delivered"] == day["expected"], target

    day = results["trials"]["roundtable"][0]
    assert day["merges_sent"] >= 2
    slow = day["slow_reader"]
    assert slow["closed_by_server"], slow
    assert slow["close_code"] in (4008, 1006), slow  # the frame, or a drop (it could not go)
    # the others kept receiving while it was stalled
    assert day["phases"]["slow"]["delivery_others_ms"]["count"] > 0
    assert day["phases"]["slow"]["edits"] > 0
    joins = day["joins"]
    assert joins["joined"] == scenario["joins"] and not joins["failures"]
    rest = day["rest"]
    assert rest["failures"] == []
    assert rest["export: consolidated checklist, pdf"]["count"] == 1
    assert rest["dashboard: groups"]["count"] >= facilitators

    assert results["summary"]["correct"] == {"bare": True, "roundtable": True}


def test_a_stalled_reader_that_was_never_closed_fails_the_day() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from roundtable_day import is_correct
    finally:
        sys.path.remove(str(ROOT / "bench"))
    day = {
        "target": "roundtable", "delivered": 10, "expected": 10, "drained": True,
        "faults": dict(NO_FAULTS), "newcomer_faults": 0,
        "slow_reader": {"closed_by_server": True, "close_code": 1006},
        "joins": {"failures": []}, "rest": {"failures": []},
    }  # fmt: skip
    assert is_correct(day)
    assert not is_correct(day | {"slow_reader": {"closed_by_server": False, "close_code": None}})
    assert not is_correct(day | {"delivered": 9})
    assert not is_correct(day | {"faults": NO_FAULTS | {"gaps": 1}})
    assert not is_correct(day | {"rest": {"failures": ["export: 503"]}})
