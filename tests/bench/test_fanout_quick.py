"""The fan-out bench's quick mode, run once on SQLite: every member gets every edit of
their checklist exactly once, in order, with no gaps, from Roundtable and from the bare
baseline alike. Correctness only: timing is the bench's business (``make bench``)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_quick_fanout_delivers_every_edit_exactly_once(tmp_path: Path) -> None:
    output = tmp_path / "fanout.json"
    run = subprocess.run(
        [sys.executable, "bench/fanout.py", "--quick", "--no-pin", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results = json.loads(output.read_text())
    for target in ("roundtable", "bare"):
        (trial,) = results["trials"][target]
        assert trial["ops_sent"] > 0
        assert trial["expected"] == trial["ops_sent"] * 5  # every member of the room
        assert trial["delivered"] == trial["expected"], (target, trial)
        assert trial["delivered_ratio"] == 1
        assert trial["faults"] == {
            "gaps": 0,
            "out_of_order": 0,
            "duplicates": 0,
            "unexpected": 0,
            "rejects": 0,
            "closed": 0,
        }, target
        assert trial["drained"]


def _load_client_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fanout_load", ROOT / "bench" / "fanout_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fanout_load", module)
    spec.loader.exec_module(module)
    return module


def test_the_checker_counts_gaps_duplicates_and_strays() -> None:
    load = _load_client_module()
    ledger = load.Ledger(room_sizes={1: 1, 2: 1})
    spec = load.LoadSpec(workshop_id=1, origin="", members=[], rate=1, warmup_s=0, duration_s=0)
    member = load.Member(load.MemberSpec(room=1, url=""), spec, ledger, "reader")
    member.last_seq = 10
    for op_id, room in ((1, 1), (2, 1), (3, 2)):
        ledger.expect(f"Edit w/{op_id}", room, measured=True)

    def events(first: int, last: int, *ops: tuple[int, int]) -> dict[str, object]:
        body = [
            {"seq": seq, "changes": [{"entity": "item", "values": {"title": f"Edit w/{op}"}}]}
            for seq, op in ops
        ]
        return {"type": "events", "from": first, "to": last, "events": body}

    member.on_events(events(11, 12, (11, 1), (12, 2)), at=0.0)
    assert ledger.delivered == 2 and ledger.faults.total() == 0
    member.on_events(events(13, 13, (13, 1)), at=0.0)  # op 1 again
    member.on_events(events(15, 15, (15, 3)), at=0.0)  # skips 14; op 3 is room 2's
    member.on_events(events(16, 17, (17, 2), (16, 2)), at=0.0)  # backwards, and again
    assert vars(ledger.faults) == {
        "gaps": 1,
        "out_of_order": 1,
        "duplicates": 3,
        "unexpected": 1,
        "rejects": 0,
        "closed": 0,
    }
    assert ledger.delivered == 2 and ledger.pending == 1  # op 3 never reached room 2
