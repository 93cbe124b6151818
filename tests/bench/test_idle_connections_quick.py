"""The idle-connections bench's quick mode, run once: both servers hold every connection
it opens, the memory figures are read, and the reconnect storm's clients all catch up.
Correctness only: the figures themselves are the bench's business (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_quick_idle_connections_bench_runs(tmp_path: Path) -> None:
    output = tmp_path / "idle.json"
    run = subprocess.run(
        [sys.executable, "bench/idle_connections.py", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results = json.loads(output.read_text())
    assert results["connections"] == 50
    for target in ("roundtable", "bare"):
        (trial,) = results["trials"][target]
        assert trial["connections"] == 50
        assert trial["after_kib"]["rss"] > trial["before_kib"]["rss"] > 0
        assert trial["per_connection_kib"] > 0
        assert trial["gaps"] == 0
    storm = results["trials"]["roundtable"][0]["storm"]
    assert storm["clients"] == 20 and storm["caught_up_s"] > 0
    assert results["summary"]["ratio"]["median"] > 0
    assert "ratio" in run.stdout
