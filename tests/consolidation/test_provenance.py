"""Refusals, stale sources, authorisation and the REST routes of the consolidation ops."""

from __future__ import annotations

import pytest

from tests.api.world import OTHER_FACILITATOR, person
from tests.consolidation.board import Board, build_board
from tests.support import Api, AppFactory, create_facilitator_account, error_of, ok, setup_workshop


@pytest.fixture
def board(apps: AppFactory, fac: Api) -> Board:
    return build_board(apps, fac)


def test_refusals_name_the_field_and_change_nothing(board: Board) -> None:
    a1, a2, a3 = board.a
    b1, b2, b3 = board.b
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1], "id": "k-interpreters"})
    board.op("fac", "item.delete", {"id": a3})
    cases = [
        # (kind, args, code, field)
        ("consolidation.merge", {"source_ids": [a1]}, "conflict", "args.source_ids.0"),
        ("consolidation.merge", {"source_ids": [a2, a3]}, "invalid", "args.source_ids.1"),
        ("consolidation.merge", {"source_ids": ["k-interpreters"]}, "invalid", "args.source_ids.0"),
        ("consolidation.merge", {"source_ids": ["no-such-item"]}, "not_found", "args.source_ids.0"),
        ("consolidation.merge", {"source_ids": [a2, a2]}, "invalid", "args.source_ids"),
        ("consolidation.merge", {"source_ids": []}, "invalid", "args.source_ids"),
        ("consolidation.merge", {"source_ids": [a2], "target_id": b2}, "invalid", "args.target_id"),
        (
            "consolidation.merge",
            {"source_ids": [b1], "target_id": "k-interpreters"},
            "invalid",
            "args.source_ids.0",
        ),
        ("consolidation.merge", {"source_ids": [a2], "id": a1}, "conflict", "args.id"),
        ("consolidation.unmerge", {"source_id": b2}, "invalid", "args.source_id"),
        (
            "consolidation.split",
            {"id": "k-interpreters", "parts": [{"source_ids": [b2]}]},
            "invalid",
            "args.parts.0.source_ids.0",
        ),
        (
            "consolidation.split",
            {"id": "k-interpreters", "parts": [{"source_ids": [a1, b1]}]},
            "invalid",
            "args.parts",
        ),
        ("consolidation.undo", {"seq": 1}, "not_found", "args.seq"),
        (
            "consolidation.ack_source",
            {"id": "k-interpreters", "source_id": b3},
            "invalid",
            "args.source_id",
        ),
    ]
    for kind, args, code, field in cases:
        exc = board.refused("fac", kind, args)
        assert (exc.code, exc.field) == (code, field), (kind, args, exc.message)
        assert exc.message.startswith(field), exc.message


def test_an_edited_source_is_flagged_stale_until_acknowledged(board: Board) -> None:
    a1, b1 = board.a[0], board.b[0]
    board.op("fac", "consolidation.merge", {"source_ids": [a1, b1], "id": "k-interpreters"})
    edit = board.op("fac", "item.update", {"id": b1, "title": "Sworn interpreter at interviews"})
    # The same event tells readers of the consolidated item that a source changed.
    consolidated = next(c for c in edit.event.changes if c["id"] == "k-interpreters")
    stale = {s["id"]: s["stale"] for s in consolidated["values"]["sources"]}
    assert stale == {a1: False, b1: True}
    # The consolidated item's own text is not touched by a source's edit.
    assert board.item("k-interpreters")["title"] != "Sworn interpreter at interviews"
    ack = board.op("fac", "consolidation.ack_source", {"id": "k-interpreters", "source_id": b1})
    [change] = ack.event.changes
    assert {s["id"]: s["stale"] for s in change["values"]["sources"]} == {a1: False, b1: False}
    assert ack.event.scope == board.consolidated
    # A move, a delete: each marks it stale again.
    board.op("fac", "item.delete", {"id": a1})
    snapshot = ok(
        board.fac.get(f"/api/workshops/{board.wid}/checklists/{board.consolidated}/items")
    )
    assert [i["ref"] for i in snapshot] == ["K1"]


def test_participants_and_observers_cannot_merge_and_phases_are_kept(board: Board) -> None:
    a1, b1 = board.a[0], board.b[0]
    for role in ("ana", "obs"):
        exc = board.refused(role, "consolidation.merge", {"source_ids": [a1, b1]})
        assert exc.code == "forbidden" and "facilitators" in exc.message
    board.set_phase("breakout")
    exc = board.refused("fac", "consolidation.merge", {"source_ids": [a1, b1]})
    assert exc.code == "forbidden" and "breakout" in exc.message


def test_rest_merge_and_other_workshops(apps: AppFactory, fac: Api, board: Board) -> None:
    path = f"/api/workshops/{board.wid}/consolidation"
    a1, b1 = board.a[0], board.b[0]
    body = {"source_ids": [a1, b1], "id": "k-over-rest"}
    assert error_of(board.people["ana"].post(f"{path}/merge", json=body), 403)["code"] == (
        "forbidden"
    )
    assert error_of(board.people["obs"].post(f"{path}/merge", json=body), 403)
    assert error_of(board.people["ana"].get(f"/api/workshops/{board.wid}/coverage"), 403)
    # A facilitator of another workshop does not learn this one exists.
    email, password = OTHER_FACILITATOR
    create_facilitator_account(apps.settings.database_url, email, password)
    stranger = person(apps, fac)
    ok(stranger.login(email, password))
    elsewhere = setup_workshop(stranger, groups=1, phase="consolidation")
    assert error_of(stranger.post(f"{path}/merge", json=body), 404)
    assert error_of(stranger.get(f"/api/workshops/{board.wid}/coverage"), 404)
    # ... nor may merge this workshop's items into theirs.
    refused = error_of(
        stranger.post(
            f"/api/workshops/{elsewhere['id']}/consolidation/merge", json={"source_ids": [a1]}
        ),
        404,
    )
    assert refused["field"] == "args.source_ids.0"
    merged = ok(fac.post(f"{path}/merge", json=body))
    assert merged["ref"] == "K1" and merged["title"]
    assert [s["id"] for s in merged["sources"]] == [a1, b1]
    assert board.item(b1)["merged_into"] == "k-over-rest"
