"""``roundtable publish`` and ``roundtable export --edition N``."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from roundtable.cli import main
from tests.publishing.world import World, build_world
from tests.support import Api, AppFactory, ok

THAI = "การคุ้มครองผู้เสียหาย"


@pytest.fixture
def world(apps: AppFactory, fac: Api, database_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("DATABASE_URL", database_url)
    w = build_world(apps, fac)
    w.item("thai", THAI, themes=["identification"])
    w.item("plain", "Shelters for adults", themes=["protection"], actors=["government"])
    return w


def test_publish_prints_the_number_and_export_writes_the_edition(
    world: World, apps: AppFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", "--workshop", str(world.id), "--title", "From the shell"]) == 0
    assert capsys.readouterr().out == "1\n"
    listed = ok(world.fac.get(f"/api/workshops/{world.id}/editions"))
    assert [(e["number"], e["title"]) for e in listed] == [(1, "From the shell")]
    world.update("plain", title="Shelters for adults and children")
    assert main(["publish", "--workshop", str(world.id)]) == 0
    assert capsys.readouterr().out == "2\n"

    pdf_path = tmp_path / "edition.pdf"
    args = ["export", "--workshop", str(world.id), "--edition", "1", "--format", "pdf"]
    assert main([*args, "--output", str(pdf_path)]) == 0
    pdf = pdfium.PdfDocument(pdf_path.read_bytes())
    pages = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    pdf.close()
    assert "From the shell" in pages[0]
    assert all("Edition 1" in page for page in pages)
    text = "\n".join(pages)
    assert THAI in text and "Shelters for adults" in text
    assert "and children" not in text  # edition 1 as it was

    json_path = tmp_path / "edition.json"
    args = ["export", "--workshop", str(world.id), "--edition", "2", "--format", "json"]
    assert main([*args, "--actor", "government", "--output", str(json_path)]) == 0
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert document["edition"]["number"] == 2
    assert [c["title"] for c in document["consolidated"]] == ["Shelters for adults and children"]


def test_refusals_exit_2_with_a_message(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.flag("thai", ["personal_data"])
    assert main(["publish", "--workshop", str(world.id)]) == 2
    assert "personal data" in capsys.readouterr().err
    assert main(["publish", "--workshop", "999999"]) == 2
    assert "does not exist" in capsys.readouterr().err
    args = ["export", "--workshop", str(world.id), "--edition", "3", "--format", "md"]
    assert main(args) == 2
    assert "has no edition 3" in capsys.readouterr().err
