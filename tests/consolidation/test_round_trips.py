"""Property: whatever merges, splits and unmerges a facilitator does, items nobody edited stay
the pre-fill of their sources, provenance agrees with ``merged_into``, and unmerging
everything gives back exactly the groups' items as they were (SQLite; the write path is
the same on PostgreSQL, which the other tests cover)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roundtable.checklists.models import Item
from roundtable.consolidation.prefill import prefill
from tests.consolidation.board import Board, build_board
from tests.consolidation.test_merge import live
from tests.support import Api, AppFactory

# Each step: (action, a choice of sources by index, a choice of target by index).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["merge", "extend", "unmerge", "split"]),
        st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
        st.integers(0, 10),
    ),
    max_size=8,
)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: the property is about the ops, whose write path both databases share
    (tests/consolidation/test_merge.py runs the round trips on both)."""
    return sqlite_url


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def groups_items(board: Board) -> list[str]:
    return [*board.a, *board.b]


def consolidated(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        row
        for row in state["items"].values()
        if row["ref_number"] is not None and not row["deleted"]
    ]


def apply_step(board: Board, step: tuple[str, list[int], int]) -> None:
    action, picks, target_pick = step
    state = board.state()
    sources = groups_items(board)
    free = [sources[i] for i in picks if state["items"][sources[i]]["merged_into"] is None]
    merged = [sources[i] for i in picks if state["items"][sources[i]]["merged_into"] is not None]
    targets = sorted(row["id"] for row in consolidated(state))
    if action == "merge" and free:
        board.op("fac", "consolidation.merge", {"source_ids": free})
    elif action == "extend" and free and targets:
        target = targets[target_pick % len(targets)]
        board.op("fac", "consolidation.merge", {"source_ids": free, "target_id": target})
    elif action == "unmerge" and merged:
        board.op("fac", "consolidation.unmerge", {"source_id": merged[0]})
    elif action == "split" and targets:
        target = targets[target_pick % len(targets)]
        linked = sorted(
            s for s, link in state["links"].items() if link["consolidated_id"] == target
        )
        if len(linked) > 1:
            board.op(
                "fac", "consolidation.split", {"id": target, "parts": [{"source_ids": linked[1:]}]}
            )


def check_invariants(board: Board) -> None:
    state = board.state()
    for source_id, row in state["items"].items():
        link = state["links"].get(source_id)
        assert (link["consolidated_id"] if link else None) == row["merged_into"]
    for row in consolidated(state):
        linked = [s for s, link in state["links"].items() if link["consolidated_id"] == row["id"]]
        assert linked, f"K{row['ref_number']} is live with no sources"
        items = [Item(**state["items"][s]) for s in linked]
        # Sources in the order the pre-fill reads them: group A before B, then position.
        items.sort(key=lambda i: (i.checklist_id != board.checklists["a"], i.position, i.id))
        expected = prefill(items)
        got = (row["kind"], row["title"], row["detail"], row["themes"], row["actors"])
        assert got == (
            expected.kind,
            expected.title,
            expected.detail,
            expected.themes,
            expected.actors,
        )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_any_sequence_keeps_provenance_and_unmerging_all_restores(
    board: Board, steps: list[tuple[str, list[int], int]]
) -> None:
    baseline = live(board.state())
    for step in steps:
        apply_step(board, step)
        check_invariants(board)
    for source_id in groups_items(board):
        if board.item(source_id)["merged_into"] is not None:
            board.op("fac", "consolidation.unmerge", {"source_id": source_id})
    assert live(board.state()) == baseline
