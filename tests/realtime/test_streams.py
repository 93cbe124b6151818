"""Catch-up, idempotent resends, contiguous batches and snapshots over a real server."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.realtime.clients import (
    Live,
    LiveClient,
    Scene,
    log_of,
    make_scene,
    opened,
    rows_of,
    token,
    visible_state,
)
from tests.support import ok


async def connect_fresh(client: LiveClient) -> dict[str, Any]:
    welcome = await client.connect()
    assert welcome["mode"] == "snapshot"
    return await client.expect("snapshot")


def create_args(scene: Scene, group: int, title: str) -> dict[str, Any]:
    return {
        "id": f"it-{token()}",
        "checklist_id": scene.checklist(group),
        "kind": "need",
        "title": title,
    }


def assert_matches_db(live: Live, scene: Scene, snapshot: dict[str, Any]) -> None:
    checklists = {c["id"] for c in snapshot["checklists"]}
    rows = rows_of(live.engine, scene.id, checklists)
    assert {i["id"]: i for i in snapshot["items"]} == rows.items
    assert {c["id"]: c for c in snapshot["comments"]} == rows.comments
    assert {v["id"]: v for v in snapshot["votes"]} == rows.votes
    assert snapshot["seq"] == scene.head()


def test_catch_up_sends_exactly_the_missed_events(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")

    async def scenario() -> None:
        a, b = scene.client(ana), scene.client(ben)
        async with opened(a, b):
            await connect_fresh(a)
            await connect_fresh(b)
            first = create_args(scene, 0, "Safe shelter")
            await a.op(1, "item.create", **first)
            await a.until_seen(1)
            await b.until_seq(a.last_seq)
            await a.close()
            missed_from = a.last_seq + 1

            await b.op(1, "item.update", id=first["id"], title="Safe shelter, open 24 h")
            await b.op(2, "item.create", **create_args(scene, 0, "Interpreters"))
            await b.op(3, "comment.create", item_id=first["id"], body="Also for men")
            await b.op(4, "item.move", id=first["id"], position="x")
            await b.op(5, "vote.set", item_id=first["id"], count=2)
            await b.until_seen(5)
            head = scene.head()

            welcome = await a.connect()
            assert welcome["mode"] == "events"
            assert welcome["head_seq"] == head
            batch = await a.expect("events")
            assert batch["from"] == missed_from
            assert batch["to"] == head
            assert [e["seq"] for e in batch["events"]] == list(range(missed_from, head + 1))
            assert [(e["client_id"], e["op_id"]) for e in batch["events"]] == [
                (b.client_id, n) for n in range(1, 6)
            ]
            assert await a.quiet() == [], "nothing more (no duplicates) after the catch-up"
            assert visible_state(a.entities) == visible_state(b.entities)
            assert a.items()[first["id"]]["title"] == "Safe shelter, open 24 h"

    asyncio.run(scenario())


def test_resent_op_is_applied_once(live: Live) -> None:
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    item = create_args(scene, 0, "Hotline")
    seen: dict[str, int] = {}

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            await connect_fresh(a)
            await a.op(1, "item.create", **item)
            await a.until_seen(1)
            # comment.create without an id is not idempotent by itself: a second apply
            # would make a second comment.
            comment = {"item_id": item["id"], "body": "Needs a budget line"}
            await a.op(2, "comment.create", **comment)
            await a.op(2, "comment.create", **comment)
            ack = await a.expect("ack")
            assert ack["type"] == "ack" and ack["op_id"] == 2 and ack["duplicate"] is True
            comment_seq = seen["comment"] = ack["seq"]
            await a.until_seen(2)
            await a.close()

            welcome = await a.connect()
            assert welcome["last_op_id"] == 2
            await a.op(2, "comment.create", **comment)
            ack = await a.expect("ack")
            assert ack == {"type": "ack", "op_id": 2, "duplicate": True, "seq": comment_seq}
            assert a.rejects == []
            # An op refused by the rules (another group's list), resent: a duplicate whose
            # seq is None, since it never made an event. (Malformed args are refused again
            # on every resend, before the idempotency check, with the same message.)
            refused = {**item, "id": "other-id-1", "checklist_id": scene.checklist(1)}
            await a.op(3, "item.create", **refused)
            assert (await a.expect("reject"))["op_id"] == 3
            await a.op(3, "item.create", **refused)
            assert await a.expect("ack") == {
                "type": "ack",
                "op_id": 3,
                "duplicate": True,
                "seq": None,
            }
            # An older op resent after a newer one: a duplicate too, nothing new streams.
            await a.op(1, "item.create", **item)
            assert (await a.expect("ack"))["op_id"] == 1
            assert [m for m in await a.quiet() if m["type"] == "events"] == []

    asyncio.run(scenario())
    events = ok(scene.fac.get(f"/api/workshops/{scene.id}/events"))
    mine = [e for e in events if e["kind"] in ("comment.create", "item.create")]
    assert [(e["kind"], e["op_id"]) for e in mine] == [("item.create", 1), ("comment.create", 2)]
    assert mine[1]["seq"] == seen["comment"]
    assert len(rows_of(live.engine, scene.id, {scene.checklist(0)}).comments) == 1


def test_hidden_groups_edits_keep_batches_contiguous(live: Live) -> None:
    scene = make_scene(live)
    ana, cat, ben = scene.join(0, "Ana"), scene.join(0, "Cat"), scene.join(1, "Ben")

    async def scenario() -> None:
        a, c, b = scene.client(ana), scene.client(cat), scene.client(ben)
        async with opened(a, b, c):
            snapshot = await connect_fresh(a)
            start = snapshot["seq"]
            assert [cl["id"] for cl in snapshot["checklists"]] == [scene.checklist(0)]
            await connect_fresh(b)
            await connect_fresh(c)
            op_ids = {"b": 0, "c": 0}

            async def edit(who: LiveClient, key: str, group: int, title: str) -> None:
                op_ids[key] += 1
                await who.op(op_ids[key], "item.create", **create_args(scene, group, title))

            # Each round: Cat's visible edit, then three of Ben's that Ana cannot see; each
            # waited for, so the log has this order (two sockets' ops could otherwise commit
            # in either order) and ends with hidden events.
            for round_ in range(4):
                await edit(c, "c", 0, f"A{round_}")
                await c.until_seen(op_ids["c"])
                for n in range(3):
                    await edit(b, "b", 1, f"B{round_}.{n}")
                await b.until_seen(op_ids["b"])
            head = scene.head()
            await a.recv_until(lambda _m: sum(len(x["events"]) for x in a.batches) == 4)
            assert await a.quiet() == []

            # Every batch starts right after the previous one ended, and together they
            # cover the hidden seqs between Ana's events without a false gap.
            expect_from = start + 1
            for batch in a.batches:
                assert batch["from"] == expect_from
                expect_from = batch["to"] + 1
            assert any(x["from"] < x["events"][0]["seq"] for x in a.batches)
            assert all(e["client_id"] == c.client_id for x in a.batches for e in x["events"])
            assert a.last_seq < head  # the three hidden events at the end are not covered yet
            assert set(a.items()) == set(rows_of(live.engine, scene.id, {scene.checklist(0)}).items)

            # Reconnecting with a stale last_seq: caught up with what Ana may see since then.
            stale = a.batches[1]["to"]
            await a.close()
            welcome = await a.connect(last_seq=stale)
            assert welcome["mode"] == "events"
            batch = await a.expect("events")
            assert batch["from"] == stale + 1 and batch["to"] == head
            assert [e["op_id"] for e in batch["events"]] == [3, 4]
            # The next visible event chains on from the catch-up.
            await edit(c, "c", 0, "A-late")
            later = await a.expect("events")
            assert later["from"] == head + 1
            assert [e["op_id"] for e in later["events"]] == [5]
            rows = rows_of(live.engine, scene.id, {scene.checklist(0)})
            assert a.items() == rows.items

    asyncio.run(scenario())


def test_snapshot_modes(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
    threshold = 500

    async def scenario() -> None:
        a, b = scene.client(ana), scene.client(ben)
        async with opened(a, b):
            # last_seq = 0
            assert_matches_db(live, scene, await connect_fresh(a))
            await connect_fresh(b)
            item = create_args(scene, 0, "Case management")
            await b.op(1, "item.create", **item)
            await b.until_seen(1)
            await a.until_seq(b.last_seq)
            await a.close()
            left_at = a.last_seq

            # more than snapshot_threshold behind
            n_ops = threshold + 3
            for n in range(2, n_ops + 2):
                await b.op(n, "item.update", id=item["id"], detail=f"revision {n}")
            await b.until_seen(n_ops + 1, timeout=60)
            head = scene.head()
            assert head - left_at > threshold
            welcome = await a.connect()
            assert (welcome["mode"], welcome["head_seq"]) == ("snapshot", head)
            snapshot = await a.expect("snapshot")
            assert_matches_db(live, scene, snapshot)
            assert a.items()[item["id"]]["detail"] == f"revision {n_ops + 1}"
            await a.close()

            # exactly snapshot_threshold behind: still events
            welcome = await a.connect(last_seq=head - threshold)
            assert welcome["mode"] == "events"
            batch = await a.expect("events")
            assert (batch["from"], batch["to"]) == (head - threshold + 1, head)
            assert len(batch["events"]) == threshold
            await a.close()

            # ahead of the head (a client of a database that was restored from a backup)
            welcome = await a.connect(last_seq=head + 40)
            assert welcome["mode"] == "snapshot"
            snapshot = await a.expect("snapshot")
            assert snapshot["seq"] == head
            assert_matches_db(live, scene, snapshot)
            # and it streams on from the snapshot
            await b.op(n_ops + 2, "item.update", id=item["id"], title="Case management 2")
            batch = await a.expect("events")
            assert batch["from"] == head + 1

    asyncio.run(scenario())


def test_visibility_change_sends_a_fresh_snapshot(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(1, "Ben")
    theirs = create_args(scene, 1, "Group B's point")

    async def scenario() -> None:
        a, b = scene.client(ana), scene.client(ben)
        async with opened(a, b):
            await connect_fresh(b)
            await b.op(1, "item.create", **theirs)
            await b.until_seen(1)
            first = await connect_fresh(a)
            assert theirs["id"] not in {i["id"] for i in first["items"]}

            scene.update(reveal=True)
            revealed = await a.expect("snapshot")
            assert {c["id"] for c in revealed["checklists"]} == {
                scene.checklist(0),
                scene.checklist(1),
            }
            assert theirs["id"] in a.items()
            assert_matches_db(live, scene, revealed)
            # Group B's edits now reach Ana live.
            await b.op(2, "item.update", id=theirs["id"], title="Group B's point, revised")
            await a.recv_until(lambda _m: a.items()[theirs["id"]]["title"].endswith("revised"))

            scene.update(phase="review")
            review = await a.expect("snapshot")
            assert scene.consolidated in {c["id"] for c in review["checklists"]}
            assert_matches_db(live, scene, review)

            scene.update(reveal=False)
            hidden = await a.expect("snapshot")
            assert scene.checklist(1) not in {c["id"] for c in hidden["checklists"]}
            assert theirs["id"] not in a.items()
            assert_matches_db(live, scene, hidden)

    asyncio.run(scenario())
    assert log_of(live.engine, scene.id)[-1].resync
