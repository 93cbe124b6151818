"""HTML: one self-contained, printable page (no scripts, no outside resources).

Every piece of text is escaped, so ``<script>`` in an item is shown, never run. The
page has the cover facts, a table of contents linking to a section per theme, and each
item with its code; printing it gives a footer-free but complete paper copy.
"""

from __future__ import annotations

from html import escape

from roundtable.exports.layout import (
    date_range,
    edition_label,
    filter_label,
    item_facts,
    sections,
)
from roundtable.exports.model import ExportItem, Snapshot
from roundtable.exports.table import xml_safe

_STYLE = """
body{font-family:"Noto Sans","Noto Sans Thai",system-ui,sans-serif;max-width:48rem;
margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}
header{border-bottom:2px solid #1f4e79;margin-bottom:1.5rem}
h1{font-size:1.8rem;margin:.2rem 0}h2,h3{color:#1f4e79}
.kicker{text-transform:uppercase;letter-spacing:.08em;color:#1f4e79;font-weight:700}
.muted{color:#555f6b}.code{font-weight:700;color:#1f4e79;margin-right:.5rem}
li.item{margin:0 0 1rem}dl{margin:.3rem 0;font-size:.85rem;color:#555f6b}
dt{display:inline;font-weight:700}dd{display:inline;margin:0 .8rem 0 .2rem}
@media print{nav{page-break-after:always}h2{page-break-before:always}}
"""


def _text(value: str) -> str:
    return escape(xml_safe(value), quote=True)


def render_html(snapshot: Snapshot) -> bytes:
    w = snapshot.workshop
    edition = snapshot.edition
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(w.title)}</title><style>{_STYLE}</style></head><body>",
        "<header>",
        '<p class="kicker">Consolidated checklist</p>',
        f"<h1>{_text(w.title)}</h1>",
    ]
    for line in (
        date_range(w.starts_on, w.ends_on),
        w.venue,
        f"Organised by {', '.join(w.organisers)}" if w.organisers else "",
    ):
        if line:
            parts.append(f"<p>{_text(line)}</p>")
    facts = [edition_label(snapshot), filter_label(snapshot), f"{len(snapshot.items)} items"]
    if edition is not None and edition.title:
        facts.insert(0, edition.title)
    parts.append(f'<p class="muted">{"<br>".join(_text(f) for f in facts if f)}</p>')
    if edition is not None and edition.notes:
        parts.append(f'<p class="notes">{_text(edition.notes)}</p>')
    if w.description:
        parts.append(f'<p class="muted"><em>{_text(w.description)}</em></p>')
    parts.append("</header>")

    found = sections(snapshot)
    parts.append('<nav aria-label="Contents"><h2>Contents</h2><ol>')
    for n, section in enumerate(found, start=1):
        parts.append(f'<li><a href="#section-{n}">{_text(section.label)}</a></li>')
    parts.append("</ol></nav>")
    for n, section in enumerate(found, start=1):
        tag = "h2" if section.level == 1 else "h3"
        parts.append(f'<section><{tag} id="section-{n}">{_text(section.label)}</{tag}><ul>')
        parts.extend(_item(snapshot, item) for item in section.items)
        parts.append("</ul></section>")
    if not snapshot.items:
        parts.append("<p>No items match this export.</p>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def _item(snapshot: Snapshot, item: ExportItem) -> str:
    detail = "".join(f"<p>{_text(line)}</p>" for line in item.detail.splitlines() if line.strip())
    facts = "".join(
        f"<dt>{_text(name)}:</dt><dd>{_text(value)}</dd>"
        for name, value in item_facts(snapshot, item)
    )
    return (
        f'<li class="item" id="{_text(item.ref)}"><strong><span class="code">'
        f"{_text(item.ref)}</span>{_text(item.title)}</strong>{detail}<dl>{facts}</dl></li>"
    )
