"""Deleting a consolidated item that has sources: the sources are unmerged in the same event,
so no group item shows "merged into" an item nobody can see."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from roundtable.consolidation.routes import merge_suggestions
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def test_deleting_a_consolidated_item_unmerges_its_sources(board: Board) -> None:
    a1, b1 = board.a[0], board.b[0]
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1], "id": "k-interp"})
    deleted = board.op("fac", "item.delete", {"id": "k-interp"})
    changes = {c["id"]: c for c in deleted.event.changes}
    assert changes["k-interp"] == {"entity": "item", "id": "k-interp", "deleted": True}
    hook = (
        "item.delete must hand a deleted consolidated item to "
        "consolidation.provenance.on_source_changed (or release_sources)"
    )
    for source in (a1, b1):
        assert source in changes, hook
        assert changes[source]["values"] == {"merged_into": None, "merged_ref": None}
        assert board.item(source)["merged_into"] is None
    state = board.state()
    assert not any(link["consolidated_id"] == "k-interp" for link in state["links"].values())
    # Back on the to-do list: suggested again, and free to merge elsewhere.
    with Session(board.engine) as db:
        suggested = merge_suggestions(db, board.wid)
    assert any({a1, b1} <= set(c.item_ids) for c in suggested.clusters)
    board.op("fac", "consolidation.merge", {"source_ids": [a1], "id": "k-merged-again"})
    assert board.item(a1)["merged_into"] == "k-merged-again"
    # Restoring the deleted item brings back its text, without sources.
    restored = board.op("fac", "item.restore", {"id": "k-interp"})
    [change] = [c for c in restored.event.changes if c["id"] == "k-interp"]
    assert change["values"]["sources"] == []
    assert board.item(b1)["merged_into"] is None


def test_deleting_a_consolidated_item_without_sources_changes_nothing_else(board: Board) -> None:
    made = board.op(
        "fac",
        "item.create",
        {"checklist_id": board.consolidated, "kind": "need", "title": "Written by hand"},
    )
    item_id = made.outcome.result.id
    before = board.state()["links"]
    deleted = board.op("fac", "item.delete", {"id": item_id})
    assert deleted.event.changes == [{"entity": "item", "id": item_id, "deleted": True}]
    assert board.state()["links"] == before
