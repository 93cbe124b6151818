"""The coverage matrix: themes by groups, the facilitator's to-do list while consolidating.

For each theme and group: how many live items the group raised under the theme, how many
of those are merged into the consolidated checklist, and which are still *unhandled*
(not merged, not ``parked``). An item counts under every theme it carries (a sub-theme
is its own row, not added to its parent's); items without a known theme count in a last
row with key ``None``, present only when it has items. ``totals`` counts each item once
per group. Themes go in tree order (top-level by position, each followed by its
sub-themes), groups and items by position. The browser computes the same thing live
(``frontend/src/features/consolidation/coverage.ts``); both are tested on one example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThemeRow:
    id: int
    key: str
    label: str
    parent_id: int | None
    position: str


@dataclass(frozen=True)
class GroupColumn:
    id: int
    name: str
    items: Sequence[CoverageItem]  # in position order


@dataclass(frozen=True)
class CoverageItem:
    id: str
    themes: Sequence[str]
    status: str
    merged_into: str | None


@dataclass
class Cell:
    raised: int = 0
    consolidated: int = 0
    unhandled: list[str] = field(default_factory=list)

    def count(self, item: CoverageItem) -> None:
        self.raised += 1
        if item.merged_into is not None:
            self.consolidated += 1
        elif item.status != "parked":
            self.unhandled.append(item.id)


@dataclass
class Row:
    key: str | None
    label: str
    cells: list[Cell]


@dataclass
class Coverage:
    rows: list[Row]
    totals: list[Cell]

    def todo(self) -> list[str]:
        """Every unhandled item id, by group then position, each once."""
        return [item_id for cell in self.totals for item_id in cell.unhandled]


def theme_order(themes: Sequence[ThemeRow]) -> list[ThemeRow]:
    ordered = sorted(themes, key=lambda t: (t.position, t.id))
    return [
        theme
        for top in ordered
        if top.parent_id is None
        for theme in (top, *(t for t in ordered if t.parent_id == top.id))
    ]


def coverage(
    themes: Sequence[ThemeRow], groups: Sequence[GroupColumn], no_theme: str = "No theme"
) -> Coverage:
    rows = [Row(t.key, t.label, [Cell() for _ in groups]) for t in theme_order(themes)]
    by_key = {row.key: row for row in rows}
    untagged = Row(None, no_theme, [Cell() for _ in groups])
    totals = [Cell() for _ in groups]
    for column, group in enumerate(groups):
        for item in group.items:
            totals[column].count(item)
            known = list(dict.fromkeys(k for k in item.themes if k in by_key))
            if not known:
                untagged.cells[column].count(item)
            for key in known:
                by_key[key].cells[column].count(item)
    if any(cell.raised for cell in untagged.cells):
        rows.append(untagged)
    return Coverage(rows, totals)
