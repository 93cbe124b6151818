"""What the document formats (Markdown, Word, PDF) share: sections, labels, phrases.

Each item appears once, in the section of its first theme (within the filtered theme when
the export is filtered by theme); its other themes are listed beside it. Sections follow
the workshop's theme order, a top-level theme before its sub-themes; items without a theme
come last. Empty sections are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from roundtable.exports.model import ExportItem, Snapshot, theme_subtree
from roundtable.vocab import ACTORS

KIND_LABELS = {"need": "Need", "response": "Response", "practice": "Good practice"}
STATUS_LABELS = {"open": "Open", "parked": "Parked", "agreed": "Agreed"}
AGREEMENT_LABELS = {
    "full": "Full agreement",
    "reservations": "Agreed with reservations",
    "stand_aside": "Some stand aside",
    "disagree": "No agreement",
}
UNTHEMED_LABEL = "Other items"
DRAFT_LABEL = "Working draft (not a published edition)"


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    level: int  # 1: a top-level theme (or the unthemed items); 2: a sub-theme
    items: tuple[ExportItem, ...]
    key: str | None = None


def sections(snapshot: Snapshot) -> list[Section]:
    allowed = (
        theme_subtree(snapshot.themes, snapshot.filter.theme)
        if snapshot.filter.theme is not None
        else {t.key for t in snapshot.themes}
    )
    placed: dict[str | None, list[ExportItem]] = defaultdict(list)
    for item in snapshot.items:
        placed[next((k for k in item.themes if k in allowed), None)].append(item)
    out: list[Section] = []
    for top in (t for t in snapshot.themes if t.parent is None):
        children = [
            Section(t.label, 2, tuple(placed[t.key]), t.key)
            for t in snapshot.themes
            if t.parent == top.key and placed[t.key]
        ]
        if placed[top.key] or children:
            out.append(Section(top.label, 1, tuple(placed[top.key]), top.key))
            out.extend(children)
    if placed[None]:
        out.append(Section(UNTHEMED_LABEL, 1, tuple(placed[None])))
    return out


def date_range(starts_on: date | None, ends_on: date | None) -> str:
    """``26-27 June 2014``, ``30 June - 1 July 2014`` (en dashes), ``26 June 2014`` or ``""``."""
    if starts_on is None:
        return "" if ends_on is None else _day(ends_on)
    if ends_on is None or ends_on == starts_on:
        return _day(starts_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}\u2013{_day(ends_on)}"
    if starts_on.year == ends_on.year:
        return f"{starts_on.day} {starts_on:%B} \u2013 {_day(ends_on)}"
    return f"{_day(starts_on)} \u2013 {_day(ends_on)}"


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def edition_label(snapshot: Snapshot) -> str:
    edition = snapshot.edition
    if edition is None:
        return DRAFT_LABEL
    label = f"Edition {edition.number}"
    if edition.published_at is not None:
        label += f", published {_day(edition.published_at.date())}"
    return label


def filter_label(snapshot: Snapshot) -> str:
    """``Filtered: theme Identification of victims; kind Need`` or ``""``."""
    wanted = snapshot.filter
    parts = []
    if wanted.theme is not None:
        parts.append(f"theme {snapshot.theme_label(wanted.theme)}")
    if wanted.kind is not None:
        parts.append(f"kind {KIND_LABELS.get(wanted.kind, wanted.kind)}")
    if wanted.actor is not None:
        parts.append(f"actor {ACTORS.get(wanted.actor, wanted.actor)}")
    return f"Filtered: {'; '.join(parts)}" if parts else ""


def raised_by_phrase(names: tuple[str, ...]) -> str:
    """``Raised by Group B and Group D`` (group names only, never people)."""
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Raised by {listed}"


def item_facts(snapshot: Snapshot, item: ExportItem) -> list[tuple[str, str]]:
    """The item's labelled facts besides title and detail, the empty ones left out."""
    facts = [
        ("Kind", KIND_LABELS.get(item.kind, item.kind)),
        ("Themes", "; ".join(snapshot.theme_label(k) for k in item.themes)),
        ("Actors", "; ".join(a.label for a in item.actors)),
        ("References", "; ".join(item.references)),
        ("Status", STATUS_LABELS.get(item.status, item.status)),
    ]
    if item.agreement is not None:
        level = item.agreement.level
        facts.append(("Agreement", AGREEMENT_LABELS.get(level, level)))
        facts.append(("Agreement note", item.agreement.note))
        facts.extend(("Reservation", r) for r in item.agreement.reservations)
    facts.append(("Provenance", raised_by_phrase(item.raised_by)))
    return [(name, value) for name, value in facts if value]
