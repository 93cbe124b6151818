"""``roundtable import`` and ``roundtable export``, run as the operator runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from tests.interchange.samples import BROKEN, SAMPLE_PATH, Broken, load_sample
from tests.support import ROOT

ROUNDTABLE = ROOT / ".venv" / "bin" / "roundtable"


class Cli:
    """The ``roundtable`` command against one migrated SQLite file."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'rt.sqlite3'}"}

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROUNDTABLE), *map(str, args)],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )

    def workshop_count(self) -> int:
        with closing(sqlite3.connect(self.workdir / "rt.sqlite3")) as db:
            return int(db.execute("SELECT count(*) FROM workshop").fetchone()[0])


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("cli"))
    migrated = cli("migrate")
    assert migrated.returncode == 0, migrated.stderr
    return cli


def test_import_prints_the_id_and_export_writes_the_document(cli: Cli) -> None:
    imported = cli("import", SAMPLE_PATH)
    assert imported.returncode == 0, imported.stderr
    workshop_id = int(imported.stdout.strip())

    output = cli.workdir / "out" / "export.json"
    output.parent.mkdir()
    exported = cli("export", "--workshop", str(workshop_id), "--format", "json", "--output", output)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == ""
    text = output.read_text(encoding="utf-8")
    assert json.loads(text) == load_sample()
    assert "ภูมิภาค" in text  # written as UTF-8, not as \u escapes

    to_stdout = cli("export", "--workshop", str(workshop_id), "--format", "json")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == text

    again = cli("import", output)
    assert again.returncode == 0, again.stderr
    second = int(again.stdout.strip())
    assert second != workshop_id
    assert cli("export", "--workshop", str(second), "--format", "json").stdout == text


@pytest.mark.parametrize("broken", BROKEN[:6], ids=lambda b: b.name)
def test_a_broken_file_exits_2_naming_the_path(cli: Cli, broken: Broken) -> None:
    path = cli.workdir / "broken.json"
    path.write_text(json.dumps(broken.document(), ensure_ascii=False), encoding="utf-8")
    before = cli.workshop_count()
    result = cli("import", path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {broken.path}: ")
    assert broken.rule in result.stderr
    assert cli.workshop_count() == before  # the refused import left no workshop behind


def test_a_file_that_is_not_json_exits_2(cli: Cli) -> None:
    path = cli.workdir / "notes.txt"
    path.write_text("Group A said …", encoding="utf-8")
    result = cli("import", path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    missing = cli("import", cli.workdir / "missing.json")
    assert missing.returncode == 2
    assert "missing.json" in missing.stderr


def test_exporting_a_missing_workshop_exits_2(cli: Cli) -> None:
    result = cli("export", "--workshop", "9999", "--format", "json")
    assert result.returncode == 2
    assert "workshop 9999 does not exist" in result.stderr
