"""PDF, typeset by Typst: a cover, contents, a section per theme, footers on every page.

The template (``checklist.typ`` beside this file) is fixed; the snapshot reaches it as a
JSON string in ``sys.inputs``, which the template decodes and places as text. Nothing the
workshop wrote is ever pasted into Typst source, so ``#set page(...)``, ``$ math $`` or
``]`` in an item is printed as written.

Fonts come from Python packages (Noto Sans for Latin, Greek, Cyrillic and Vietnamese; Noto
Sans Thai), and system fonts are ignored: the output does not depend on the machine, and
nothing is downloaded. Characters neither font has (emoji) show as a missing-glyph box.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import typst

from roundtable.exports.layout import (
    DRAFT_LABEL,
    date_range,
    edition_label,
    filter_label,
    item_facts,
    sections,
)
from roundtable.exports.model import Snapshot
from roundtable.exports.table import xml_safe

TEMPLATE = Path(__file__).with_name("checklist.typ")
FONT_PACKAGES = ("fontpkg_noto_sans", "fontpkg_noto_sans_thai")
# Typst breaks lines only at break opportunities, so one unbroken run of 10,000 letters
# would run off the page. Runs of more than 60 characters without a space get a
# zero-width space every BREAK_EVERY characters. Thai is left alone: it has no spaces,
# and Typst finds its word breaks.
_LONG_RUN = re.compile(r"[^\s\u0E00-\u0E7F]{61,}")
BREAK_EVERY = 30


class PdfRenderError(RuntimeError):
    """Typst refused the document (a bug in the template, never in the data)."""


def font_paths() -> list[Path]:
    """The font folders of the font packages, found wherever they are installed."""
    return [Path(str(files(package) / "files")) for package in FONT_PACKAGES]


def render_pdf(snapshot: Snapshot) -> bytes:
    pdf = _compile(snapshot, "pdf")
    assert isinstance(pdf, bytes)
    return pdf


def render_png_pages(snapshot: Snapshot, *, ppi: float = 72) -> list[bytes]:
    """Each page as a PNG image: for looking at the layout, not for readers."""
    pages = _compile(snapshot, "png", ppi=ppi)
    return pages if isinstance(pages, list) else [pages]


def typst_data(snapshot: Snapshot) -> dict[str, Any]:
    """The JSON document the template reads: text only, already labelled and ordered."""
    w = snapshot.workshop
    edition = snapshot.edition
    count = len(snapshot.items)
    return {
        "workshop": {
            "title": w.title,
            "dates": date_range(w.starts_on, w.ends_on),
            "venue": w.venue,
            "organisers": list(w.organisers),
            "description": w.description,
        },
        "edition": edition_label(snapshot),
        "edition_title": edition.title if edition is not None else "",
        "notes": edition.notes if edition is not None else "",
        "edition_short": f"Edition {edition.number}" if edition is not None else DRAFT_LABEL,
        "filter": filter_label(snapshot),
        "counted": f"{count} item{'' if count == 1 else 's'}",
        "generated": f"Generated {snapshot.generated_at:%d %B %Y, %H:%M} UTC",
        "sections": [
            {
                "label": section.label,
                "level": section.level,
                "items": [
                    {
                        "ref": item.ref,
                        "title": item.title,
                        "detail": item.detail,
                        "facts": item_facts(snapshot, item),
                    }
                    for item in section.items
                ],
            }
            for section in sections(snapshot)
        ],
    }


def breakable(text: str) -> str:
    """The text with a line-break opportunity inside every overlong unbroken run."""
    return _LONG_RUN.sub(lambda m: _with_breaks(m.group()), text)


def _with_breaks(run: str) -> str:
    out = []
    since = 0
    for n, char in enumerate(run):
        if since >= BREAK_EVERY and _starts_cluster(char) and run[n - 1] != "\u200d":
            out.append("\u200b")
            since = 0
        out.append(char)
        since += 1
    return "".join(out)


def _starts_cluster(char: str) -> bool:
    return unicodedata.combining(char) == 0 and char not in "\u200d\ufe0e\ufe0f"


def _printable(value: Any) -> Any:
    """Every string in the value without control characters and with long runs breakable."""
    if isinstance(value, str):
        return breakable(xml_safe(value))
    if isinstance(value, dict):
        return {key: _printable(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def _compile(
    snapshot: Snapshot, fmt: Literal["pdf", "png"], *, ppi: float | None = None
) -> bytes | list[bytes]:
    data = json.dumps(_printable(typst_data(snapshot)), ensure_ascii=False)
    try:
        result = typst.compile(
            TEMPLATE,
            font_paths=font_paths(),
            ignore_system_fonts=True,
            format=fmt,
            ppi=ppi,
            sys_inputs={"data": data},
            timestamp=int(snapshot.generated_at.timestamp()),
        )
    except typst.TypstError as exc:
        raise PdfRenderError(f"Typst could not compile {TEMPLATE.name}: {exc}") from exc
    # The stubs say bytes; a multi-page PNG export returns a list of pages.
    pages: bytes | list[bytes] = result
    return pages
