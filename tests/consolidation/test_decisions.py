"""consolidation.dismiss / undismiss: stored per workshop, through the write path, and what
the suggestions make of them (never suggested together again; merges and dismissals learnt)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from roundtable.consolidation.models import SuggestionDismissal
from roundtable.consolidation.routes import merge_suggestions
from roundtable.groups.models import Member
from roundtable.realtime.snapshot import build_snapshot
from roundtable.workshops.models import Workshop
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def clusters(board: Board) -> list[set[str]]:
    with Session(board.engine) as db:
        return [set(c.item_ids) for c in merge_suggestions(db, board.wid).clusters]


def reasons(board: Board) -> list[str]:
    with Session(board.engine) as db:
        return [c.reason for c in merge_suggestions(db, board.wid).clusters]


def dismissal_rows(board: Board) -> list[SuggestionDismissal]:
    with Session(board.engine) as db:
        return list(
            db.execute(
                select(SuggestionDismissal).where(SuggestionDismissal.workshop_id == board.wid)  # type: ignore[arg-type]
            ).scalars()
        )


def snapshot_for(board: Board, role: str) -> dict[str, Any]:
    with Session(board.engine) as db:
        workshop = db.get(Workshop, board.wid)
        member = db.get(Member, board.member[role])
        assert workshop is not None and member is not None
        return build_snapshot(db, workshop, member)


def test_a_dismissal_is_stored_once_and_sent_as_an_event(board: Board) -> None:
    interpreters = {board.a[0], board.b[0], board.b[2]}
    assert interpreters in clusters(board)
    first = board.op("fac", "consolidation.dismiss", {"item_ids": [board.b[2], board.a[0]]})
    [change] = first.event.changes
    assert change["entity"] == "dismissal"
    assert change["values"]["item_ids"] == sorted([board.a[0], board.b[2]])
    assert change["values"]["created_seq"] == first.seq
    # The same set again, in another order: the same row, nothing new.
    again = board.op("fac", "consolidation.dismiss", {"item_ids": [board.a[0], board.b[2]]})
    assert again.event.changes == first.event.changes
    [row] = dismissal_rows(board)
    assert row.id == change["id"]
    # The dismissed two are never in one suggestion again; the third still meets each.
    now = clusters(board)
    assert not any({board.a[0], board.b[2]} <= c for c in now)
    assert any(board.b[0] in c and (board.a[0] in c or board.b[2] in c) for c in now)


def test_undismiss_takes_it_back_and_is_idempotent(board: Board) -> None:
    pair = [board.a[0], board.b[2]]
    before = clusters(board)
    board.op("fac", "consolidation.dismiss", {"item_ids": pair})
    row_id = dismissal_rows(board)[0].id
    back = board.op("fac", "consolidation.undismiss", {"item_ids": list(reversed(pair))})
    assert back.event.changes == [{"entity": "dismissal", "id": row_id, "deleted": True}]
    assert dismissal_rows(board) == []
    assert clusters(board) == before
    nothing = board.op("fac", "consolidation.undismiss", {"item_ids": pair})
    assert nothing.event.changes == []


def test_only_facilitators_consolidating_may_dismiss(board: Board) -> None:
    pair = [board.a[0], board.b[0]]
    for role in ("ana", "obs"):
        assert board.refused(role, "consolidation.dismiss", {"item_ids": pair}).code == "forbidden"
    board.op("fac", "consolidation.dismiss", {"item_ids": pair})
    assert board.refused("ana", "consolidation.undismiss", {"item_ids": pair}).code == "forbidden"
    board.set_phase("breakout")
    refused = board.refused("fac", "consolidation.dismiss", {"item_ids": [board.a[1], board.b[1]]})
    assert refused.code == "forbidden"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"item_ids": ["aaaaaaaa"]}, "args.item_ids"),
        ({"item_ids": ["missing-item", "missing-item2"]}, "args.item_ids.0"),
        ({"item_ids": ["A", "B"]}, "args.item_ids.0"),
    ],
)
def test_bad_dismissals_are_refused_naming_the_field(
    board: Board, args: dict[str, Any], field: str
) -> None:
    refused = board.refused("fac", "consolidation.dismiss", args)
    assert refused.field is not None and refused.field.startswith(field)


def test_an_item_named_twice_or_a_consolidated_item_is_refused(board: Board) -> None:
    twice = board.refused("fac", "consolidation.dismiss", {"item_ids": [board.a[0], board.a[0]]})
    assert "more than once" in twice.message
    board.op("fac", "consolidation.merge", {"source_ids": [board.a[2]], "id": "k-shelters"})
    made = board.refused("fac", "consolidation.dismiss", {"item_ids": ["k-shelters", board.b[0]]})
    assert "consolidated item" in made.message


def test_facilitators_snapshots_carry_the_dismissals_participants_do_not(board: Board) -> None:
    board.op("fac", "consolidation.dismiss", {"item_ids": [board.a[0], board.b[0]]})
    [seen] = snapshot_for(board, "fac")["dismissals"]
    assert seen["item_ids"] == sorted([board.a[0], board.b[0]])
    assert snapshot_for(board, "ana")["dismissals"] == []


def test_a_merge_teaches_a_synonym_and_the_reason_says_so(board: Board) -> None:
    # Words the lexicon does not know: only the facilitator's merge says they mean the same.
    def add(role: str, key: str, title: str) -> str:
        created = board.op(
            role,
            "item.create",
            {"checklist_id": board.checklists[key], "kind": "need", "title": title},
        )
        return str(created.outcome.result.id)

    board.set_phase("breakout")
    first = add("ana", "a", "Pelatihan kerja for returnees")
    second = add("budi", "b", "Vocational reskilling for returnees")
    later_a = add("ana", "a", "Pelatihan kerja in the home village")
    later_b = add("budi", "b", "Vocational courses in the home village")
    board.set_phase("consolidation")
    assert not any({later_a, later_b} <= c for c in clusters(board))
    board.op("fac", "consolidation.merge", {"source_ids": [first, second], "id": "k-skills"})
    assert any({later_a, later_b} <= c for c in clusters(board))
    assert any("raised by earlier merges (K1: " in r for r in reasons(board))
    # Undoing the merge undoes what was learnt from it.
    board.op("fac", "consolidation.unmerge", {"source_id": first})
    assert not any({later_a, later_b} <= c for c in clusters(board))
