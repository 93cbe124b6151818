"""Markdown: headings per theme, one list entry per item, every piece of item text escaped.

Item text is data, never markup: each ASCII character Markdown (CommonMark and GitHub's
dialect) gives a meaning inline is backslash-escaped, and at the start of a line so are
the characters that would open a heading, list, quote or setext underline. Lines lose
their leading blanks so none becomes a code block, and control characters are dropped.
"""

from __future__ import annotations

import re

from roundtable.exports.layout import (
    date_range,
    edition_label,
    filter_label,
    item_facts,
    sections,
)
from roundtable.exports.model import ExportItem, Snapshot
from roundtable.exports.table import xml_safe

_INLINE = re.compile(r"([\\`*_\[\]{}()<>!|~&$#^])")
_LINE_START = re.compile(r"^([+=:-])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """The text as Markdown that shows exactly this text; line breaks become hard breaks."""
    lines = [_escape_line(line) for line in xml_safe(text).splitlines()]
    return "\\\n".join(line for line in lines if line)


def _escape_line(line: str) -> str:
    line = _INLINE.sub(r"\\\1", line.strip())
    line = _LINE_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def render_markdown(snapshot: Snapshot) -> bytes:
    w = snapshot.workshop
    lines = [f"# {escape_markdown(w.title)}", ""]
    when_where = ", ".join(p for p in (date_range(w.starts_on, w.ends_on), w.venue) if p)
    about = [
        escape_markdown(when_where),
        escape_markdown(f"Organised by {', '.join(w.organisers)}") if w.organisers else "",
        escape_markdown(snapshot.edition.title) if snapshot.edition is not None else "",
        escape_markdown(edition_label(snapshot)),
        escape_markdown(filter_label(snapshot)),
    ]
    lines += [f"{line}\\" for line in about if line]
    if lines[-1].endswith("\\"):
        lines[-1] = lines[-1][:-1]
    lines.append("")
    edition = snapshot.edition
    if edition is not None and edition.notes.strip():
        lines += [escape_markdown(edition.notes), ""]
    for section in sections(snapshot):
        lines += [f"{'#' * (section.level + 1)} {escape_markdown(section.label)}", ""]
        for item in section.items:
            lines += _item_lines(snapshot, item)
        lines.append("")
    if not snapshot.items:
        lines += ["No items match this export.", ""]
    return "\n".join(lines).encode("utf-8")


def _item_lines(snapshot: Snapshot, item: ExportItem) -> list[str]:
    parts = [f"**{escape_markdown(item.ref)}** {escape_markdown(item.title)}"]
    if item.detail.strip():
        parts.append(escape_markdown(item.detail))
    facts = " · ".join(f"{name}: {value}" for name, value in item_facts(snapshot, item))
    parts.append(f"_{escape_markdown(facts)}_")
    body = "\\\n".join(parts).replace("\n", "\n  ")
    return [f"- {body}"]
