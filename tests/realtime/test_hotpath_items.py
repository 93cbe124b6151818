"""The frequent item ops (update, move, delete) work on values, not ORM rows.

They must give what the ORM path gave: the same event values and rows, the same refusals,
and, inside one batch, a row written by one op must be what the next op sees, whether
that op reads it with SQLAlchemy Core or through the session (which may hold the row
from an earlier op of the batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from roundtable.checklists.models import Item
from roundtable.db import make_engine
from roundtable.errors import OpRejected
from roundtable.ops import build_registry
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import OpRequest, Submitted, submit_batch
from roundtable.values import item_values
from tests.support import Api, AppFactory, member_id_of, ok, setup_workshop


@dataclass
class Scene:
    engine: Engine
    registry: OpRegistry
    workshop_id: int
    member_id: int
    checklist_id: int
    other_checklist_id: int
    op_id: int = 0

    def op(self, op_kind: str, **args: Any) -> OpRequest:
        self.op_id += 1
        return OpRequest(self.workshop_id, self.member_id, op_kind, args, "c1", self.op_id)

    def item(self, item_id: str) -> Item:
        with Session(self.engine) as db:
            item = db.get(Item, item_id)
            assert item is not None
            return item


@pytest.fixture
def scene(apps: AppFactory, fac: Api) -> Any:
    w = setup_workshop(fac, groups=2)
    mine, other = w["groups"]
    apps.client().join(mine["join_code"], "Writer")
    engine = make_engine(apps.settings.database_url)
    member_id = member_id_of(engine, w["id"], "Writer")
    yield Scene(
        engine,
        build_registry(),
        w["id"],
        int(member_id),
        mine["checklist_id"],
        other["checklist_id"],
    )
    engine.dispose()


def _submitted(results: list[Any]) -> list[Submitted]:
    for result in results:
        assert isinstance(result, Submitted), result
    return results


def test_ops_of_one_batch_see_each_others_writes(scene: Scene) -> None:
    """The create and the restore go through the session, the update and the delete
    through Core: each sees what the one before it wrote."""
    results = _submitted(
        submit_batch(
            scene.engine,
            scene.registry,
            None,
            [
                scene.op(
                    "item.create",
                    id="item-0001",
                    checklist_id=scene.checklist_id,
                    kind="need",
                    title="First",
                ),
                scene.op("item.update", id="item-0001", title="Second", themes=[]),
                scene.op("item.delete", id="item-0001"),
                scene.op("item.restore", id="item-0001"),  # refused if it saw a stale row
                scene.op("item.update", id="item-0001", detail="More"),
                scene.op("comment.create", item_id="item-0001", body="Agreed"),
            ],
        )
    )
    seqs = [r.seq for r in results]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    item = scene.item("item-0001")
    assert (item.title, item.detail, item.deleted, item.updated_seq) == (
        "Second",
        "More",
        False,
        seqs[4],
    )
    assert item.field_seqs == {
        "title": [seqs[1], "c1"],
        "themes": [seqs[1], "c1"],
        "detail": [seqs[4], "c1"],
    }
    restored = results[3].event
    assert restored is not None
    [change] = restored.changes
    assert change["values"]["title"] == "Second"  # the restore read the updated row


def test_update_event_carries_the_resulting_values(scene: Scene) -> None:
    [created] = _submitted(
        submit_batch(
            scene.engine,
            scene.registry,
            None,
            [scene.op("item.create", checklist_id=scene.checklist_id, kind="need", title="A")],
        )
    )
    item_id = created.event.changes[0]["id"] if created.event else ""
    [updated] = _submitted(
        submit_batch(
            scene.engine,
            scene.registry,
            None,
            [
                scene.op(
                    "item.update",
                    id=item_id,
                    title="Call Somchai Jaidee on +66 81 234 5678",  # personal data
                    references=["ACTIP Art. 14"],
                    status="parked",
                )
            ],
        )
    )
    assert updated.event is not None and updated.seq is not None
    [change] = updated.event.changes
    row = item_values(scene.item(item_id))
    assert row["flags"] == ["personal_data"]
    fields = ("title", "references", "status", "flags", "updated_seq")
    assert change["values"] == {name: row[name] for name in fields}
    assert row["updated_seq"] == updated.seq
    # The REST caller's result is the item as written.
    assert updated.outcome is not None
    assert item_values(updated.outcome.result) == row


def test_refusals_name_the_rule_and_change_nothing(scene: Scene) -> None:
    [created] = _submitted(
        submit_batch(
            scene.engine,
            scene.registry,
            None,
            [scene.op("item.create", checklist_id=scene.checklist_id, kind="need", title="A")],
        )
    )
    assert created.event is not None
    item_id = created.event.changes[0]["id"]
    version = scene.item(item_id).updated_seq
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.op("item.update", id=item_id, title="B", if_version=version - 1),
            scene.op("item.update", id="no-such-item", title="B"),
            scene.op("item.move", id=item_id, position="a1"),  # this one goes through
            scene.op("item.delete", id=item_id, if_version=version),  # stale after the move
        ],
    )
    stale, missing, moved, late = results
    assert isinstance(stale, OpRejected) and stale.code == "stale"
    assert f"is at version {version}, not {version - 1}" in stale.message
    assert isinstance(missing, OpRejected) and missing.code == "not_found"
    assert isinstance(moved, Submitted)
    assert isinstance(late, OpRejected) and late.code == "stale"
    item = scene.item(item_id)
    assert (item.title, item.position, item.deleted) == ("A", "a1", False)
    assert item.updated_seq == moved.seq


def test_another_groups_item_is_not_found(scene: Scene, fac: Api) -> None:
    """A participant cannot edit, or learn of, an item in a group they cannot see."""
    other = ok(
        fac.post(
            f"/api/workshops/{scene.workshop_id}/checklists/{scene.other_checklist_id}/items",
            json={"kind": "need", "title": "Theirs"},
        ),
        201,
    )
    for kind, args in (
        ("item.update", {"title": "Mine now"}),
        ("item.move", {"position": "a1"}),
        ("item.delete", {}),
    ):
        [result] = submit_batch(
            scene.engine, scene.registry, None, [scene.op(kind, id=other["id"], **args)]
        )
        assert isinstance(result, OpRejected) and result.code == "not_found", kind
    assert scene.item(other["id"]).title == "Theirs"
