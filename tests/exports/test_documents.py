"""Markdown and Word, opened back: escaped text, real headings, real list paragraphs."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from markdown_it import MarkdownIt

from roundtable.exports.markdown import escape_markdown
from tests.exports import world as w
from tests.exports.conftest import LONG_TITLE, Rendered


def html_of(markdown: str) -> str:
    """CommonMark with raw HTML allowed, plus GitHub's tables and strikethrough."""
    html: str = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return html


def visible(html: str) -> str:
    """The text a reader sees: tags gone, entities decoded."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def test_markdown_shows_item_text_exactly_and_runs_none_of_it(rendered: Rendered) -> None:
    markdown = rendered.files["md"].decode("utf-8")
    html = html_of(markdown)
    assert "<script" not in html and "<b>" not in html
    # The only emphasis is the renderer's own (ref in bold, facts in italics) per item:
    # ``*bold*`` in item text stays text.
    assert html.count("<strong>") == html.count("<em>") == len(rendered.snapshot.items)
    text = visible(html)
    for literal in (w.TYPST_MARKUP, w.HTML, w.HYPERLINK, w.THAI, w.BAHASA, w.EMOJI, LONG_TITLE):
        assert literal in text
    assert "\x00" not in markdown


def test_markdown_has_a_heading_per_theme_and_an_entry_per_item(rendered: Rendered) -> None:
    html = html_of(rendered.files["md"].decode("utf-8"))
    assert f"<h1>{w.WORKSHOP_TITLE}</h1>" in html
    assert "<h2>Identification of victims</h2>" in html
    assert "<h3>Smuggling and trafficking</h3>" in html
    assert "<h2>Other items</h2>" in html
    assert html.count("<li>") == len(rendered.snapshot.items)
    assert "Raised by Group B and Group D" in html
    assert "Edition 7, published 15 July 2014" in html


@pytest.mark.parametrize(
    "text",
    [
        "# not a heading",
        "- not a list",
        "1. not a list either",
        "> not a quote",
        "    not code",
        "a | table | row",
        "[link](javascript:alert(1)) ![img](x.png) <http://x.example> &amp;",
        "`code` ~~strike~~ **bold** __bold__ $x$ x^2",
        "line one\n===\nline two\n---",
    ],
)
def test_escaped_markdown_renders_as_the_plain_text(text: str) -> None:
    html = html_of(escape_markdown(text))
    assert html.startswith("<p>"), html
    assert re.sub(r"<br />\n", "\n", html[3:].removesuffix("</p>\n")) == (
        "\n".join(line.strip() for line in text.splitlines())
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def test_word_has_a_title_page_headings_and_list_paragraphs(rendered: Rendered) -> None:
    document = docx.Document(io.BytesIO(rendered.files["docx"]))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", w.WORKSHOP_TITLE)
    headings = [(style, text) for style, text in paragraphs if style.startswith("Heading")]
    assert headings[:2] == [
        ("Heading 1", "Identification of victims"),
        ("Heading 2", "Smuggling and trafficking"),
    ]
    assert ("Heading 1", "Other items") in headings
    entries = [text for style, text in paragraphs if style == "List Bullet"]
    assert len(entries) == len(rendered.snapshot.items)
    assert any(text.endswith(w.TYPST_MARKUP) for text in entries)
    assert f"{rendered.world.refs['thai']}  {w.THAI}" in entries
    assert any(text.endswith(LONG_TITLE) for text in entries)
    continued = [text for style, text in paragraphs if style == "List Continue"]
    assert w.HTML in continued and "=3+3" in continued  # the NUL dropped, the rest kept
    assert any("Raised by Group B and Group D" in text for text in continued)
    with zipfile.ZipFile(io.BytesIO(rendered.files["docx"])) as archive:
        assert not [n for n in archive.namelist() if "thumbnail" in n]  # no stranger's preview
    footer = document.sections[0].footer.paragraphs[0]
    assert "Edition 7" in footer.text
    assert 'w:instr="PAGE"' in footer._p.xml
