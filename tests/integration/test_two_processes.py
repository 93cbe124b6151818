"""Two app processes on one PostgreSQL database: what is done through one is seen, in
order, exactly once, by the clients of the other, over the WebSocket and over REST."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roundtable.ordering import key_between
from tests.integration.cluster import Cluster, follow, join_on
from tests.realtime.clients import LiveClient, log_of, opened, token
from tests.support import ok

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

OPS_PER_CLIENT = 15


def stream_of(client: LiveClient, after: int) -> list[dict[str, Any]]:
    """The events a client was sent after ``after``, checking that its batches chain."""
    events: list[dict[str, Any]] = []
    expected_from = after + 1
    for batch in client.batches:
        if batch["to"] <= after:
            continue
        assert batch["from"] == expected_from, f"batch from {batch['from']}, not {expected_from}"
        expected_from = batch["to"] + 1
        events.extend(batch["events"])
    return events


def own(events: list[dict[str, Any]], client: LiveClient) -> list[int]:
    return [e["op_id"] for e in events if e["client_id"] == client.client_id]


def test_edits_cross_between_processes_in_order(shared_pair: Cluster) -> None:
    first, second = shared_pair.servers
    scene = shared_pair.scene(0)
    checklist = scene.checklist(0)
    base = f"/api/workshops/{scene.id}"
    ana = scene.join(0, "Ana")  # through the first process
    ben = join_on(scene, second, 0, "Ben")  # through the second
    ana_there, ben_there = follow(ana, second), follow(ben, first)
    ids = {
        name: ok(api.get(f"/api/workshops/{scene.id}/me"))["id"]
        for name, api in (("ana", ana), ("ben", ben))
    }

    async def scenario() -> int:
        a, b = LiveClient(first, ana, scene.id), LiveClient(second, ben, scene.id)
        async with opened(a, b):
            for client in (a, b):
                await client.connect()
                await client.expect("snapshot")
            start = max(a.last_seq, b.last_seq)
            await a.until_seq(start)
            await b.until_seq(start)

            # Over the WebSocket, both at once: each through its own process.
            async def edits(client: LiveClient, who: str) -> None:
                position: str | None = None
                for n in range(1, OPS_PER_CLIENT + 1):
                    position = key_between(position, None)
                    item = f"{who}-{n}-{token()}"
                    await client.op(
                        n,
                        "item.create",
                        id=item,
                        checklist_id=checklist,
                        kind="need",
                        title=f"{who} {n}",
                        position=position,
                    )
                    await asyncio.sleep(0.01)

            await asyncio.gather(edits(a, "ana"), edits(b, "ben"))
            for client in (a, b):
                await client.until_seen(OPS_PER_CLIENT, timeout=15)

            # Over REST, each through the process the other's socket is not on.
            made = ok(
                ben_there.post(
                    f"{base}/checklists/{checklist}/items",
                    json={"kind": "response", "title": "Ben over REST"},
                ),
                201,
            )
            ok(ana_there.patch(f"{base}/items/{made['id']}", json={"title": "Ana renamed it"}))
            ok(
                ben.post(
                    f"{base}/checklists/{checklist}/items", json={"kind": "need", "title": "B"}
                ),
                201,
            )
            head = scene.head()
            for client in (a, b):
                await client.until_seq(head, timeout=15)
            assert (
                a.items()[made["id"]]["title"]
                == b.items()[made["id"]]["title"]
                == ("Ana renamed it")
            )

            # Every seq after the snapshot, once, in order, on both sides.
            log = [e for e in log_of(shared_pair.engine, scene.id) if e.seq > start]
            assert [e.seq for e in log] == list(range(start + 1, head + 1))
            for client in (a, b):
                events = stream_of(client, start)
                assert [e["seq"] for e in events] == [e.seq for e in log]
                assert [(e["client_id"], e["op_id"], e["kind"]) for e in events] == [
                    (e.client_id, e.op_id, e.kind) for e in log
                ]
                for mine in (a, b):
                    assert own(events, mine) == list(range(1, OPS_PER_CLIENT + 1))
                # REST on the other process gives the same events as the live feed.
                other = ana_there if client is a else ben_there
                listed = ok(other.get(f"/api/workshops/{scene.id}/events", params={"after": start}))
                assert listed == events
            assert a.rejects == b.rejects == []

            # Presence crosses too, both ways.
            await b.send({"type": "presence", "checklist_id": checklist})
            await a.recv_until(lambda _m: seen_at(a, ids["ben"]) == [checklist], timeout=10)
            await a.send({"type": "presence", "checklist_id": checklist, "editing_item_id": None})
            await b.recv_until(lambda _m: seen_at(b, ids["ana"]) == [checklist], timeout=10)
            return head

    head = asyncio.run(scenario())
    assert head == scene.head(), "presence never enters the log"


def seen_at(client: LiveClient, member_id: int) -> list[int | None]:
    return [e["checklist_id"] for e in client.presence_entries() if e["member_id"] == member_id]
