"""``roundtable export --format md|csv|xlsx|docx|pdf`` with filters, and its refusals."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from roundtable.cli import main
from tests.exports import world as w


@pytest.fixture
def world(sqlite_world: tuple[str, w.World], monkeypatch: pytest.MonkeyPatch) -> w.World:
    url, built = sqlite_world
    monkeypatch.setenv("DATABASE_URL", url)
    return built


def test_export_writes_a_filtered_workbook(world: w.World, tmp_path: Path) -> None:
    output = tmp_path / "checklist.xlsx"
    args = ["export", "--workshop", str(world.workshop_id), "--format", "xlsx"]
    assert main([*args, "--actor", "law_enforcement", "--output", str(output)]) == 0
    book = openpyxl.load_workbook(io.BytesIO(output.read_bytes()), read_only=True)
    refs = [row[0] for row in book["Checklist"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert refs == [world.refs["formula"], world.refs["bahasa"]]


def test_export_writes_markdown_to_stdout(
    world: w.World, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    args = ["export", "--workshop", str(world.workshop_id), "--format", "md"]
    assert main([*args, "--theme", "smuggling_vs_trafficking", "--kind", "need"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert w.THAI in out
    assert w.BAHASA not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--kind", "wish"], "kind: must be one of need, response, practice"),
        (["--theme", "fishing"], "theme: no theme has the key 'fishing'"),
        (["--actor", "aliens"], "actor: must be one of government"),
        (["--edition", "1"], "has no edition 1"),
        (["--output", "/nonexistent/dir/x.pdf"], "No such file or directory"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    world: w.World, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = ["export", "--workshop", str(world.workshop_id), "--format", "pdf", *extra]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_an_unknown_workshop_exits_2(world: w.World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--workshop", "9999", "--format", "csv"]) == 2
    assert "workshop 9999 does not exist" in capsys.readouterr().err
