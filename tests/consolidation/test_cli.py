from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "suggest"


def run(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "roundtable.cli", "suggest", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_suggest_json_is_the_same_under_any_hash_seed() -> None:
    first = run(str(FIXTURES / "heldout.json"), "--json", seed="1")
    second = run(str(FIXTURES / "heldout.json"), "--json", seed="4242")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    output = json.loads(first.stdout)
    assert set(output) == {"clusters", "similar"}
    assert ["P1", "Q1", "R1"] in [c["refs"] for c in output["clusters"]]


def test_suggest_prints_a_table_without_json() -> None:
    result = run(str(FIXTURES / "heldout.json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Suggested merges (")
    assert "P1 + Q1 + R1" in result.stdout
    assert "Nearest items" in result.stdout


def test_bad_files_exit_2_with_a_message(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr and missing.stdout == ""

    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    broken = run(str(tmp_path / "broken.json"))
    assert broken.returncode == 2 and "cannot read" in broken.stderr

    (tmp_path / "wrong.json").write_text('{"groups": [{"items": [{"ref": "A1"}]}]}')
    wrong = run(str(tmp_path / "wrong.json"), "--json")
    assert wrong.returncode == 2
    assert "not a roundtable/v1 document" in wrong.stderr
    assert "groups[0].items[0].title" in wrong.stderr
