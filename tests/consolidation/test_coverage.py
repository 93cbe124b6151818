"""The coverage matrix: the same worked example as the browser's coverage.test.ts, and the
route on a real workshop."""

from __future__ import annotations

import pytest

from roundtable.consolidation.coverage import CoverageItem, GroupColumn, ThemeRow, coverage
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory, ok

# frontend/src/features/consolidation/fixtures.ts, in the server's shapes.
THEMES = [
    ThemeRow(1, "identification", "Identification", None, "a"),
    ThemeRow(2, "children", "Children", 3, "a"),
    ThemeRow(3, "protection", "Protection", None, "b"),
]
GROUP_A = GroupColumn(
    1,
    "Group A",
    [
        CoverageItem("a1", ["identification"], "open", None),
        CoverageItem("a2", ["children", "identification"], "open", "k1"),
        CoverageItem("a3", [], "open", None),
        CoverageItem("a4", ["protection"], "parked", None),
    ],
)
GROUP_B = GroupColumn(
    2,
    "Group B",
    [
        CoverageItem("b1", ["identification"], "open", "k1"),
        CoverageItem("b2", ["protection"], "open", None),
    ],
)


def test_the_worked_example_gives_what_the_browser_computes() -> None:
    # Group B comes first by position.
    result = coverage(THEMES, [GROUP_B, GROUP_A], "No theme")
    assert [
        (r.key, [(c.raised, c.consolidated, c.unhandled) for c in r.cells]) for r in result.rows
    ] == [
        ("identification", [(1, 1, []), (2, 1, ["a1"])]),
        ("protection", [(1, 0, ["b2"]), (1, 0, [])]),
        ("children", [(0, 0, []), (1, 1, [])]),
        (None, [(0, 0, []), (1, 0, ["a3"])]),
    ]
    assert [(c.raised, c.consolidated) for c in result.totals] == [(2, 1), (4, 1)]
    assert result.todo() == ["b2", "a1", "a3"]


def test_no_theme_row_only_when_needed_and_merging_shrinks_the_todo() -> None:
    tagged = GroupColumn(1, "Group A", [i for i in GROUP_A.items if i.id != "a3"])
    assert [r.key for r in coverage(THEMES, [GROUP_B, tagged]).rows] == [
        "identification",
        "protection",
        "children",
    ]
    merged_b2 = GroupColumn(
        2, "Group B", [GROUP_B.items[0], CoverageItem("b2", ["protection"], "open", "k2")]
    )
    assert "b2" not in coverage(THEMES, [merged_b2, GROUP_A]).todo()


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def test_the_route_follows_merges(board: Board) -> None:
    path = f"/api/workshops/{board.wid}/coverage"
    before = ok(board.fac.get(path))
    assert [g["name"] for g in before["groups"]] == ["Group A", "Group B"]
    identification = next(r for r in before["rows"] if r["key"] == "identification")
    assert [(c["raised"], c["consolidated"]) for c in identification["cells"]] == [(2, 0), (3, 0)]
    assert before["todo"] == board.a + board.b
    board.op("fac", "consolidation.merge", {"source_ids": [board.a[0], board.b[0], board.b[2]]})
    board.op("fac", "item.update", {"id": board.b[1], "status": "parked"})
    after = ok(board.fac.get(path))
    identification = next(r for r in after["rows"] if r["key"] == "identification")
    assert [(c["raised"], c["consolidated"]) for c in identification["cells"]] == [(2, 1), (3, 2)]
    assert identification["cells"][1]["unhandled"] == []  # b2 is parked, the rest merged
    assert after["todo"] == [board.a[1], board.a[2]]
    assert [c["raised"] for c in after["totals"]] == [3, 3]
