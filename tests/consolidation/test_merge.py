"""consolidation.merge / unmerge / split / undo through the write path, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from roundtable.sync.models import Event
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def versionless(state: dict[str, Any]) -> dict[str, Any]:
    """The state without consolidated items' versions, which every op moves forward."""
    items = {}
    for item_id, row in state["items"].items():
        row = dict(row)
        if row["ref_number"] is not None:
            row.pop("updated_seq")
        items[item_id] = row
    return {"items": items, "links": state["links"]}


def live(state: dict[str, Any]) -> dict[str, Any]:
    """``versionless`` with tombstoned consolidated items left out."""
    out = versionless(state)
    out["items"] = {
        k: v for k, v in out["items"].items() if not (v["deleted"] and v["ref_number"] is not None)
    }
    return out


def events_at(board: Board, seq: int) -> int:
    with board.engine.connect() as db:
        return int(
            db.execute(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.workshop_id == board.wid,
                    Event.seq == seq,  # type: ignore[arg-type]
                )
            ).scalar_one()
        )


def test_merge_creates_a_prefilled_item_linking_its_sources(board: Board) -> None:
    a1, b1, b3 = board.a[0], board.b[0], board.b[2]
    before_seq = board.state()
    result = board.op("fac", "consolidation.merge", {"source_ids": [b1, a1, b3], "id": "k-interp"})
    merged = board.item("k-interp")
    assert merged["ref_number"] == 1
    # The clearest title names the most distinct words; capitals count as lower case.
    assert merged["title"] == "Interpreters for victims during police interviews"
    assert merged["kind"] == "need"
    assert merged["themes"] == ["identification", "protection"]
    assert merged["actors"] == ["law_enforcement", "social_services"]
    assert merged["references"] == ["ACTIP Art. 14", "Palermo Protocol Art. 6"]
    assert merged["detail"] == (
        "In their own language.\n\nVictims often speak no Thai or Bahasa.\n\n"
        "INTERPRETERS FOR VICTIMS"
    )
    for source in (a1, b1, b3):
        row = board.item(source)
        assert row["merged_into"] == "k-interp"
        # A source's own fields and version are untouched.
        assert row["updated_seq"] == before_seq["items"][source]["updated_seq"]
    # One op, one event, carrying the new item and every source's mark.
    assert events_at(board, result.seq) == 1
    changes = {c["id"]: c["values"] for c in result.event.changes}
    assert changes["k-interp"]["ref"] == "K1"
    assert [s["id"] for s in changes["k-interp"]["sources"]] == [a1, b1, b3]
    assert all(s["stale"] is False for s in changes["k-interp"]["sources"])
    for source in (a1, b1, b3):
        assert changes[source] == {"id": source, "merged_into": "k-interp", "merged_ref": "K1"}


def test_unmerging_every_source_restores_the_state_exactly(board: Board) -> None:
    a1, b1, b3 = board.a[0], board.b[0], board.b[2]
    before = board.state()
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1, b3], "id": "k-first1"})
    board.op("fac", "consolidation.merge", {"source_ids": [board.a[1]], "id": "k-second"})
    two_merged = board.state()
    # Unmerge one source: the item becomes the pre-fill of the rest...
    board.op("fac", "consolidation.unmerge", {"source_id": b3})
    assert board.item("k-first1")["references"] == ["ACTIP Art. 14", "Palermo Protocol Art. 6"]
    # ... and merging it back gives exactly what was there.
    board.op("fac", "consolidation.merge", {"source_ids": [b3], "target_id": "k-first1"})
    after_remerge = board.state()
    assert {k: v for k, v in versionless(after_remerge)["items"].items()} == versionless(
        two_merged
    )["items"]
    assert {k: {**v, "merged_seq": 0} for k, v in after_remerge["links"].items()} == {
        k: {**v, "merged_seq": 0} for k, v in two_merged["links"].items()
    }
    for source in (a1, b1, b3, board.a[1]):
        board.op("fac", "consolidation.unmerge", {"source_id": source})
    after = board.state()
    assert board.item("k-first1")["deleted"] and board.item("k-second")["deleted"]
    assert live(after) == live(before)


def test_split_and_merge_back_round_trip(board: Board) -> None:
    a1, b1, b3 = board.a[0], board.b[0], board.b[2]
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1, b3], "id": "k-first1"})
    whole = board.state()
    result = board.op(
        "fac",
        "consolidation.split",
        {"id": "k-first1", "parts": [{"id": "k-part-b", "source_ids": [b1]}]},
    )
    assert events_at(board, result.seq) == 1
    part = board.item("k-part-b")
    assert part["title"] == "Interpreter at interviews" and part["ref_number"] == 2
    assert board.item(b1)["merged_into"] == "k-part-b"
    assert board.item("k-first1")["references"] == ["ACTIP Art. 14"]
    assert board.item("k-part-b")["position"] > board.item("k-first1")["position"]
    board.op("fac", "consolidation.unmerge", {"source_id": b1})
    board.op("fac", "consolidation.merge", {"source_ids": [b1], "target_id": "k-first1"})
    back = board.state()
    assert back["items"]["k-part-b"]["deleted"]
    assert live(back)["items"] == {k: v for k, v in versionless(whole)["items"].items()}


def test_undo_of_a_merge_restores_the_earlier_state(board: Board) -> None:
    board.op("fac", "consolidation.merge", {"source_ids": [board.a[2]], "id": "k-zeroth"})
    before = board.state()
    merge = board.op("fac", "consolidation.merge", {"source_ids": [board.a[0], board.b[0]]})
    extend = board.op(
        "fac", "consolidation.merge", {"source_ids": [board.b[2]], "target_id": "k-zeroth"}
    )
    board.op("fac", "consolidation.undo", {"seq": extend.seq})
    undo = board.op("fac", "consolidation.undo", {"seq": merge.seq})
    assert events_at(board, undo.seq) == 1
    assert live(board.state()) == live(before)
    # A second undo of the same step is refused, naming the field.
    exc = board.refused("fac", "consolidation.undo", {"seq": merge.seq})
    assert exc.code == "conflict" and exc.field == "args.seq"


def test_undo_is_refused_when_something_it_touched_changed(board: Board) -> None:
    merge = board.op("fac", "consolidation.merge", {"source_ids": [board.a[0]], "id": "k-first1"})
    board.op("fac", "item.update", {"id": "k-first1", "title": "Interpreters in every interview"})
    exc = board.refused("fac", "consolidation.undo", {"seq": merge.seq})
    assert exc.code == "conflict" and exc.field == "args.seq" and "K1" in exc.message


def test_a_status_change_keeps_the_prefill_but_an_edit_makes_the_text_the_facilitators(
    board: Board,
) -> None:
    a1, b1, b3 = board.a[0], board.b[0], board.b[2]
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1, b3], "id": "k-edited"})
    board.op("fac", "item.update", {"id": "k-edited", "status": "agreed"})
    board.op("fac", "consolidation.unmerge", {"source_id": b1})
    assert board.item("k-edited")["references"] == ["ACTIP Art. 14"]  # refilled from a1, b3
    board.op("fac", "item.update", {"id": "k-edited", "title": "Interpreters, always"})
    board.op("fac", "consolidation.merge", {"source_ids": [b1], "target_id": "k-edited"})
    edited = board.item("k-edited")
    assert edited["title"] == "Interpreters, always"  # the facilitator's title stays
    assert edited["references"] == ["ACTIP Art. 14", "Palermo Protocol Art. 6"]  # tags added
    assert edited["detail"].endswith("Victims often speak no Thai or Bahasa.")
    board.op("fac", "consolidation.unmerge", {"source_id": a1})
    board.op("fac", "consolidation.unmerge", {"source_id": b1})
    board.op("fac", "consolidation.unmerge", {"source_id": b3})
    # Edited text is never thrown away: the item stays, with no sources.
    assert not board.item("k-edited")["deleted"]
    assert board.item("k-edited")["title"] == "Interpreters, always"
