"""The PDF, opened back with PDFium: text, pages, fonts and footers as a reader gets them."""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest

from roundtable.exports.pdf import breakable
from tests.exports import world as w
from tests.exports.conftest import LONG_TITLE, Rendered

A4 = (595.3, 841.9)
_FOOTER = re.compile(r"Edition 7\s*(Page \d+ of \d+)?\s*$")


class Pdf:
    def __init__(self, content: bytes) -> None:
        self.doc = pdfium.PdfDocument(content)
        self.pages = [self.doc[n].get_textpage().get_text_range() for n in range(len(self.doc))]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def body(self) -> str:
        """The text without the page footers, so text running over a page reads whole."""
        return "\n".join(_FOOTER.sub("", page) for page in self.pages)

    def font_at(self, page: int, needle: str) -> str:
        textpage = self.doc[page].get_textpage()
        index = self.pages[page].index(needle)
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        pdfium_raw.FPDFText_GetFontInfo(textpage, index, name, 256, ctypes.byref(flags))
        return name.value.decode()


def squeezed(text: str) -> str:
    """Without whitespace (line breaks fall where spaces were) or zero-width spaces."""
    return re.sub(r"[\s\u200b]+", "", text)


@pytest.fixture(scope="module")
def pdf(rendered: Rendered) -> Iterator[Pdf]:
    pdf = Pdf(rendered.files["pdf"])
    yield pdf
    pdf.doc.close()


def test_the_text_is_printed_as_written_never_run_as_markup(pdf: Pdf) -> None:
    text = squeezed(pdf.text)
    for literal in (w.TYPST_MARKUP, w.HTML, w.HYPERLINK, "@SUM(A1:A9)", w.BAHASA):
        assert squeezed(literal) in text
    assert "\n=3+3" in pdf.text  # the NUL before it is dropped, the rest printed
    # ``#set page(width: 2cm)`` did not set anything: every page is still A4.
    for n in range(len(pdf.doc)):
        width, height = pdf.doc[n].get_size()
        assert (round(width, 1), round(height, 1)) == A4


def test_thai_is_set_in_noto_sans_thai_and_reads_back(pdf: Pdf) -> None:
    assert w.THAI in pdf.text
    assert w.THAI_DETAIL in pdf.text
    page = next(n for n, text in enumerate(pdf.pages) if w.THAI in text)
    assert "NotoSansThai" in pdf.font_at(page, w.THAI)
    assert "NotoSans" in pdf.font_at(page, "Smuggling")


def test_cover_contents_and_a_section_per_theme(pdf: Pdf) -> None:
    cover = pdf.pages[0]
    for expected in ("CONSOLIDATED CHECKLIST", "26\u201327 June 2014", "Singapore", *w.ORGANISERS):
        assert expected in cover
    assert squeezed(w.WORKSHOP_TITLE) in squeezed(cover)
    assert "Edition 7, published 15 July 2014" in cover
    contents = pdf.pages[1]
    assert "Contents" in contents
    sections = ["Identification of victims", "Smuggling and trafficking", "Protection needs"]
    sections += ["Durable solutions", "Other items"]
    positions = [contents.index(label) for label in sections]
    assert positions == sorted(positions)
    assert "Evaluation and transferability" not in contents  # no items, no section
    # Each top-level theme starts a page; its heading is the first line there.
    headed = [p.split("\r\n", 1)[0] for p in pdf.pages[2:]]
    for label in ("Identification of victims", "Protection needs", "Durable solutions"):
        assert label in headed


def test_every_page_has_the_edition_and_page_numbers(pdf: Pdf) -> None:
    assert len(pdf.pages) > 3
    for n, text in enumerate(pdf.pages, start=1):
        assert "Edition 7" in text, f"page {n} has no edition number"
        if n > 1:
            assert f"Page {n} of {len(pdf.pages)}" in text


def test_long_text_wraps_inside_the_page(pdf: Pdf) -> None:
    assert squeezed(LONG_TITLE) in squeezed(pdf.body)
    assert squeezed(w.LONG_DETAIL) in squeezed(pdf.body)
    page = next(n for n, text in enumerate(pdf.pages) if "QQQQ" in text)
    textpage = pdf.doc[page].get_textpage()
    start = pdf.pages[page].index("QQQQ")
    for index in range(start, start + 100):
        _left, _bottom, right, _top = textpage.get_charbox(index)
        if right > 0:
            assert right < A4[0] - 40, "text ran into the right margin"


def test_breakable_splits_only_overlong_runs() -> None:
    assert breakable("short words stay as they are") == "short words stay as they are"
    assert breakable("X" * 60) == "X" * 60
    assert breakable("X" * 90).split("\u200b") == ["X" * 30] * 3
    thai = w.THAI * 4  # no spaces, but Typst breaks Thai by its dictionary
    assert breakable(thai) == thai
    # A zero-width space never splits a character from the marks that follow it.
    accented = "e\u0301" * 40
    assert all(not part.startswith("\u0301") for part in breakable(accented).split("\u200b"))
