"""Participants see their items' "merged into K1" marks come and go over a real WebSocket,
from a facilitator merging on a real server (uvicorn), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from roundtable.db import make_engine
from tests.realtime.clients import Live, LiveClient, Scene, make_scene, open_database, opened, token
from tests.support import Api, LiveServer, ok


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = open_database(request.param, tmp_path_factory.mktemp("db"), stack)
        server = LiveServer(url).start()
        stack.callback(server.stop)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield Live(server, url, engine)


def add_item(scene: Scene, api: Api, group: int, title: str) -> str:
    body = {"kind": "need", "title": title, "themes": ["identification"]}
    path = f"/api/workshops/{scene.id}/checklists/{scene.checklist(group)}/items"
    return str(ok(api.post(path, json=body), 201)["id"])


async def settle(*clients: LiveClient) -> None:
    for client in clients:
        await client.quiet(0.4)


def marks(client: LiveClient, item_id: str) -> tuple[Any, Any]:
    item = client.items()[item_id]
    return item.get("merged_into"), item.get("merged_ref")


def test_merge_marks_reach_participants_live(live: Live) -> None:
    scene = make_scene(live)
    ana, budi = scene.join(0, "Ana"), scene.join(1, "Budi")
    a1 = add_item(scene, ana, 0, "Interpreters for victims during police interviews")
    b1 = add_item(scene, budi, 1, "Interpreter at interviews")
    scene.update(phase="consolidation")
    k1, k2 = f"k-live-{token()}", f"k-live-{token()}"
    fac, a, b = scene.client(scene.fac), scene.client(ana), scene.client(budi)

    async def scenario() -> None:
        async with opened(fac, a, b):
            for client in (fac, a, b):
                await client.connect()
                await client.expect("snapshot")
            # Consolidation phase: participants may not read the consolidated list, so the
            # merge reaches them as a fresh snapshot of what they may see.
            await fac.op(1, "consolidation.merge", source_ids=[a1, b1], id=k1)
            ack = await fac.expect("ack")
            assert ack["op_id"] == 1 and ack["duplicate"] is False
            await settle(fac, a, b)
            assert fac.items()[k1]["ref"] == "K1"
            assert [s["id"] for s in fac.items()[k1]["sources"]] == [a1, b1]
            assert marks(a, a1) == (k1, "K1") and marks(b, b1) == (k1, "K1")
            assert k1 not in a.items() and b1 not in a.items()  # nothing they may not see
            await fac.op(2, "consolidation.unmerge", source_id=a1)
            await settle(fac, a, b)
            assert marks(a, a1) == (None, None)
            assert [s["id"] for s in fac.items()[k1]["sources"]] == [b1]

            # Review with groups revealed: everyone may read everything, so it is an event.
            scene.update(phase="review", reveal=True)
            await settle(fac, a, b)
            batches = len(a.batches)
            await fac.op(3, "consolidation.merge", source_ids=[a1], id=k2)
            await fac.until_seen(3)
            await a.until_seq(fac.last_seq)
            await b.until_seq(fac.last_seq)
            assert len(a.batches) > batches
            [event] = [e for m in a.batches[batches:] for e in m["events"]]
            assert event["kind"] == "consolidation.merge"
            assert marks(a, a1) == (k2, "K2") and marks(b, a1) == (k2, "K2")
            assert a.items()[k2]["sources"][0]["id"] == a1
            # Undo of that merge: the mark goes away again, for everyone.
            await fac.op(4, "consolidation.undo", seq=event["seq"])
            await fac.until_seen(4)
            await a.until_seq(fac.last_seq)
            assert marks(a, a1) == (None, None) and k2 not in a.items()
            assert not (fac.rejects or a.rejects or b.rejects)

    asyncio.run(scenario())
