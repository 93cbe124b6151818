"""The agreement round: three participants mark their levels; the facilitator's snapshot,
the exported ``roundtable/v1`` JSON and an import of it agree; Chatham House hides who."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from sqlmodel import col, select

from roundtable.checklists.models import Item
from roundtable.db import read_session
from roundtable.interchange.service import import_workshop
from roundtable.realtime.hub import render_event
from roundtable.realtime.reads import read_snapshot_text
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory, ok

LEVELS = ("full", "reservations", "stand_aside", "disagree")
RESERVATION = "Only where an interpreter can be found within 24 hours"


def with_cara(board: Board) -> None:
    """A third participant, in group A."""
    from tests.api.world import person

    cara = person(board.apps, board.fac)
    code = ok(board.fac.get(f"/api/workshops/{board.wid}/groups"))[0]["join_code"]
    board.people["cara"] = cara
    board.member["cara"] = cara.join(code, "Cara")["member"]["id"]


def start_round(board: Board) -> tuple[str, str]:
    board.op(
        "fac", "consolidation.merge", {"source_ids": [board.a[0], board.b[0]], "id": "k-interp"}
    )
    board.op("fac", "consolidation.merge", {"source_ids": [board.a[2]], "id": "k-shelters"})
    board.set_phase("review")
    return "k-interp", "k-shelters"


def snapshot_of(board: Board, member_id: int) -> dict[str, Any]:
    """The snapshot the live path sends this member, decoded."""
    shot = read_snapshot_text(board.wid, member_id, board.engine)
    assert shot is not None
    return dict(json.loads(shot.text))


def snapshot_tally(board: Board, role: str) -> dict[str, dict[str, int]]:
    snapshot = snapshot_of(board, board.member[role])
    counts: dict[str, Counter[str]] = {}
    for row in snapshot["agreements"]:
        counts.setdefault(row["item_id"], Counter())[row["level"]] += 1
    return {item: {level: c.get(level, 0) for level in LEVELS} for item, c in counts.items()}


def exported(board: Board) -> dict[str, Any]:
    return ok(board.fac.get(f"/api/workshops/{board.wid}/export.json"))


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    board = build_board(apps, fac)
    with_cara(board)
    return board


def test_three_participants_the_snapshot_and_the_export_agree(board: Board) -> None:
    k1, k2 = start_round(board)
    board.op("ana", "agreement.set", {"item_id": k1, "level": "full"})
    board.op(
        "budi",
        "agreement.set",
        {"item_id": k1, "level": "reservations", "reservation": RESERVATION},
    )
    board.op("cara", "agreement.set", {"item_id": k1, "level": "full"})
    board.op("cara", "agreement.set", {"item_id": k1, "level": "disagree"})  # changed her mind
    board.op("ana", "agreement.set", {"item_id": k2, "level": "stand_aside"})
    board.op("budi", "agreement.set", {"item_id": k2, "level": "full"})
    board.op("budi", "agreement.clear", {"item_id": k2})
    board.op(
        "fac", "agreement.record", {"item_id": k1, "level": "reservations", "note": "Broad support"}
    )

    tally = snapshot_tally(board, "fac")
    assert tally == {
        k1: {"full": 1, "reservations": 1, "stand_aside": 0, "disagree": 1},
        k2: {"full": 0, "reservations": 0, "stand_aside": 1, "disagree": 0},
    }
    document = exported(board)
    by_ref = {entry["ref"]: entry for entry in document["consolidated"]}
    assert by_ref["K1"]["agreement"] == {
        "level": "reservations",
        "note": "Broad support",
        "tally": tally[k1],
        "reservations": [{"level": "reservations", "text": RESERVATION}],
    }
    assert by_ref["K2"]["agreement"]["tally"] == tally[k2]
    assert by_ref["K2"]["agreement"]["level"] is None
    assert by_ref["K1"]["sources"] == ["A1", "B1"]
    # Participants see the same distribution the facilitator does.
    assert snapshot_tally(board, "ana") == tally
    # The recorded outcome travels through an import.
    copy = import_workshop(board.engine, board.registry, document, owner_account_id=None)
    with read_session(board.engine) as db:
        rows = db.exec(
            select(Item).where(Item.workshop_id == copy, col(Item.ref_number).is_not(None))
        ).all()
        recorded = {f"K{i.ref_number}": (i.agreement_level, i.agreement_note) for i in rows}
    assert recorded == {"K1": ("reservations", "Broad support"), "K2": (None, "")}


def test_who_may_agree_and_what_is_refused(board: Board) -> None:
    k1, _ = start_round(board)
    refusals = [
        ("obs", {"item_id": k1, "level": "full"}, "forbidden", None),
        ("ana", {"item_id": board.a[1], "level": "full"}, "invalid", "args.item_id"),
        ("ana", {"item_id": k1, "level": "maybe"}, "invalid", "args.level"),
        (
            "ana",
            {"item_id": k1, "level": "full", "reservation": "x" * 2001},
            "invalid",
            "args.reservation",
        ),
        ("ana", {"item_id": "no-such-item", "level": "full"}, "not_found", "args.item_id"),
    ]
    for role, args, code, field in refusals:
        exc = board.refused(role, "agreement.set", args)
        assert (exc.code, exc.field) == (code, field), exc.message
    assert board.refused("ana", "agreement.clear", {"item_id": k1}).field == "args.item_id"
    exc = board.refused("ana", "agreement.record", {"item_id": k1, "level": "full"})
    assert exc.code == "forbidden"
    board.set_phase("consolidation")
    exc = board.refused("ana", "agreement.set", {"item_id": k1, "level": "full"})
    assert exc.code == "forbidden" and "review" in exc.message


def test_chatham_house_hides_who_agreed(apps: AppFactory, fac: Api) -> None:
    board = build_board(apps, fac, attribution="chatham_house")
    with_cara(board)
    k1, _ = start_round(board)
    budi = board.member["budi"]
    set_by_budi = board.op(
        "budi",
        "agreement.set",
        {"item_id": k1, "level": "reservations", "reservation": RESERVATION},
    )
    # What Ana's screen gets, live and in a snapshot: a level and a text, nobody's id.
    seen_live = render_event(set_by_budi.event, "chatham_house", board.member["ana"])
    [change] = seen_live["changes"]
    assert change["values"]["member_id"] is None and seen_live["actor"] is None
    assert ":" not in change["id"]  # an opaque id, not "<item_id>:<member_id>"
    snapshot = snapshot_of(board, board.member["ana"])
    [row] = snapshot["agreements"]
    assert row["member_id"] is None and row["reservation"] == RESERVATION
    # Budi still recognises his own.
    mine = snapshot_of(board, budi)
    assert mine["agreements"][0]["member_id"] == budi
    document = exported(board)
    text = str(document)
    assert "Budi" not in text and RESERVATION in text
