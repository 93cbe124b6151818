"""Presence: who is where, ephemeral, only to those who may see that checklist."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from roundtable.db import make_engine
from tests.realtime.clients import Live, LiveClient, log_of, make_scene, open_database, opened
from tests.support import LiveServer, ok


def entries_of(client: LiveClient) -> list[dict[str, Any]]:
    """Who is here, as this client was told."""
    return client.presence_entries()


def where(client: LiveClient, member_id: int) -> list[tuple[int | None, str | None]]:
    return [
        (e["checklist_id"], e["editing_item_id"])
        for e in entries_of(client)
        if e["member_id"] == member_id
    ]


def test_presence_is_shared_filtered_and_cleared(live: Live) -> None:
    scene = make_scene(live)
    ana, ben, cat = scene.join(0, "Ana"), scene.join(0, "Ben"), scene.join(1, "Cat")
    ids = {
        name: ok(api.get(f"/api/workshops/{scene.id}/me"))["id"]
        for name, api in (("ana", ana), ("ben", ben), ("cat", cat))
    }
    mine, theirs = scene.checklist(0), scene.checklist(1)

    async def scenario() -> None:
        a, b, c = scene.client(ana), scene.client(ben), scene.client(cat)
        async with opened(a, b, c):
            for client in (a, b, c):
                await client.connect()
                await client.expect("snapshot")
            head = scene.head()
            await a.op(
                1,
                "item.create",
                id="presence-item-" + a.client_id[-8:],
                checklist_id=mine,
                kind="need",
                title="x",
            )
            await a.until_seen(1)
            item = next(iter(a.items()))

            await a.send({"type": "presence", "checklist_id": mine, "editing_item_id": item})
            await b.send({"type": "presence", "checklist_id": mine})
            await c.send({"type": "presence", "checklist_id": theirs, "editing_item_id": None})
            await b.recv_until(lambda _m: where(b, ids["ana"]) == [(mine, item)])
            await a.recv_until(lambda _m: where(a, ids["ben"]) == [(mine, None)])
            entry = next(e for e in entries_of(b) if e["member_id"] == ids["ana"])
            assert set(entry) == {"session", "member_id", "checklist_id", "editing_item_id"}

            # With reveal off, Cat (group B) is not told about anyone in group A's list,
            # nor Ana about Cat in group B's.
            await c.recv_until(lambda _m: where(c, ids["cat"]) == [(theirs, None)])
            await c.quiet(0.2)
            for message in c.presence:
                assert all(e["checklist_id"] != mine for e in message["entries"]), message
            await a.quiet(0.2)
            for message in a.presence:
                assert all(e["checklist_id"] != theirs for e in message["entries"]), message

            # A checklist one may not read is not accepted as a place to be.
            await c.send({"type": "presence", "checklist_id": mine, "editing_item_id": item})
            await c.recv_until(lambda _m: where(c, ids["cat"]) == [(None, None)])

            await a.close()
            await b.recv_until(lambda _m: where(b, ids["ana"]) == [])
            assert where(b, ids["ben"]) == [(mine, None)]
            assert scene.head() == head + 1, "presence never enters the log"

    asyncio.run(scenario())
    assert [e.kind for e in log_of(live.engine, scene.id)][-1] == "item.create"


@pytest.mark.postgres
def test_presence_across_processes_and_after_kill_9(tmp_path: Path) -> None:
    """Two app processes on one PostgreSQL database: people on one are seen from the
    other, and those of a process killed with -9 fade out instead of staying forever."""
    with ExitStack() as stack:
        url = open_database("postgres", tmp_path, stack)
        first = LiveServer(url).start()
        stack.callback(first.stop)
        second = LiveServer(url).start()
        stack.callback(second.stop)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        scene = make_scene(Live(first, url, engine))
        checklist = scene.checklist(0)
        ana, cat = scene.join(0, "Ana"), scene.join(0, "Cat")
        ben = second.api()
        ben.join(scene.groups[0]["join_code"], "Ben")
        ids = {
            name: ok(api.get(f"/api/workshops/{scene.id}/me"))["id"]
            for name, api in (("ana", ana), ("ben", ben), ("cat", cat))
        }

        async def scenario() -> None:
            a, c = LiveClient(first, ana, scene.id), LiveClient(first, cat, scene.id)
            b = LiveClient(second, ben, scene.id)
            async with opened(a, b, c):
                for client in (a, c):
                    await client.connect()
                    await client.expect("snapshot")
                await a.send({"type": "presence", "checklist_id": checklist})
                await a.recv_until(lambda _m: where(a, ids["ana"]) == [(checklist, None)])
                # Ben's process opens the workshop after Ana and Cat arrived on the other.
                await b.connect()
                await b.expect("snapshot")
                await b.recv_until(lambda _m: where(b, ids["ana"]) == [(checklist, None)])
                assert where(b, ids["cat"]) == [(None, None)]

                # Edits and moves cross over too.
                await a.op(1, "item.create", checklist_id=checklist, kind="need", title="Across")
                await b.recv_until(
                    lambda _m: any(i["title"] == "Across" for i in b.items().values())
                )
                item = next(iter(b.items()))
                await a.send(
                    {"type": "presence", "checklist_id": checklist, "editing_item_id": item}
                )
                await b.recv_until(lambda _m: where(b, ids["ana"]) == [(checklist, item)])

                await c.close()  # a normal goodbye is passed on at once
                await b.recv_until(lambda _m: where(b, ids["cat"]) == [], timeout=5)

                first.kill()  # no goodbye at all
                await b.recv_until(lambda _m: where(b, ids["ana"]) == [], timeout=20)
                assert where(b, ids["ben"]) == [(None, None)]

        asyncio.run(scenario())
