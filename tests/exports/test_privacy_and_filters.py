"""No person's name in any file; filtered exports hold only the items asked for."""

from __future__ import annotations

import html
import io
import zipfile

import pypdfium2 as pdfium
import pytest

from roundtable.db import make_engine, read_session
from roundtable.exports.formats import FORMATS, render
from roundtable.exports.model import Snapshot, build_snapshot
from tests.exports import world as w
from tests.exports.conftest import Rendered


def readable_text(fmt: str, content: bytes) -> str:
    """Everything a file holds that a person or a program could read as text."""
    if fmt in ("xlsx", "docx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
            parts = [archive.read(name).decode("utf-8") for name in names]
            return html.unescape("\n".join(parts))  # XML may write characters as &#3585;
    if fmt == "pdf":
        pdf = pdfium.PdfDocument(content)
        try:
            pages = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
            return "\n".join([*pages, *map(str, pdf.get_metadata_dict().values())])
        finally:
            pdf.close()
    if fmt == "html":
        return html.unescape(content.decode("utf-8"))
    return content.decode("utf-8-sig")


SECRETS = (*w.MEMBER_NAMES, w.FACILITATOR_NAME, w.AFFILIATION, w.COMMENT)
HELD_BACK = (w.HELD_BACK, "Maria Santos", w.DELETED, w.GROUP_ONLY, "screening first")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_names_and_nothing_held_back_in_any_format(rendered: Rendered, fmt: str) -> None:
    text = readable_text(fmt, rendered.files[fmt])
    for secret in SECRETS:
        assert secret not in text
        assert secret.split()[-1] not in text  # not even a surname
    for held in HELD_BACK:
        assert held not in text
    assert w.THAI in text  # (the extraction works at all)


@pytest.fixture(scope="module")
def filtered(sqlite_world: tuple[str, w.World]) -> tuple[Snapshot, w.World]:
    url, world = sqlite_world
    engine = make_engine(url)
    with read_session(engine) as session:
        snapshot = build_snapshot(session, world.workshop_id, theme="identification", kind="need")
    engine.dispose()
    return snapshot, world


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_filtered_export_holds_only_matching_items(
    filtered: tuple[Snapshot, w.World], fmt: str
) -> None:
    snapshot, world = filtered
    assert [i.ref for i in snapshot.items] == [world.refs["formula"], world.refs["thai"]]
    text = readable_text(fmt, render(fmt, snapshot))
    assert w.THAI in text
    if fmt != "csv":  # CSV is rows only
        assert "Filtered: theme Identification of victims; kind Need" in text
    for other in (w.TYPST_MARKUP, w.BAHASA, "A long explanation"):
        assert other not in text


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_an_export_with_no_items_says_so(sqlite_world: tuple[str, w.World], fmt: str) -> None:
    url, world = sqlite_world
    engine = make_engine(url)
    with read_session(engine) as session:
        snapshot = build_snapshot(session, world.workshop_id, theme="evaluation")
    engine.dispose()
    assert snapshot.items == ()
    text = readable_text(fmt, render(fmt, snapshot))
    assert "No items match this export." in text
    assert "Filtered: theme Evaluation and transferability" in text
