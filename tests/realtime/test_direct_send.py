"""The hand-over writes event frames straight to caught-up sockets (``realtime.direct``).

These fail if the server we ship stops taking the direct path (a uvicorn upgrade that
renames what ``DirectSend`` reaches for) or if the direct path breaks a stream.
"""

from __future__ import annotations

import asyncio

from roundtable.realtime.direct import SCOPE_KEY, DirectSend
from tests.observability.checks import parse
from tests.realtime.clients import Live, make_scene, opened
from tests.support import Api


def direct_frames(api: Api) -> float:
    response = api.get("/metrics")  # loopback, no token configured: allowed
    assert response.status_code == 200, response.text
    return parse(response.text)["roundtable_direct_frames_total"]


def test_caught_up_members_get_frames_from_the_hand_over(live: Live) -> None:
    scene = make_scene(live)
    apis = [scene.join(0, name) for name in ("Ana", "Ben", "Cat")]
    other = scene.join(1, "Dan")
    ops = 12

    async def scenario() -> None:
        clients = [scene.client(api) for api in apis]
        dan = scene.client(other)
        async with opened(*clients, dan):
            for client in (*clients, dan):
                await client.connect()
                await client.expect("snapshot")
            for client in (*clients, dan):
                await client.quiet()  # presence settled: every sender idle
            before = direct_frames(scene.fac)
            ana = clients[0]
            for n in range(1, ops + 1):
                await ana.op(
                    n,
                    "item.create",
                    id=f"direct-{ana.client_id[-8:]}-{n}",
                    checklist_id=scene.checklist(0),
                    kind="need",
                    title=f"Point {n}",
                )
                await ana.until_seen(n)
                head = scene.head()
                for client in clients:
                    await client.until_seq(head)
            after = direct_frames(scene.fac)
            # One frame per op for each of the three who can see group 1's checklist.
            assert after - before == ops * len(clients)
            for client in clients:
                titles = sorted(i["title"] for i in client.items().values())
                assert titles == sorted(f"Point {n}" for n in range(1, ops + 1))
                batches = [b for b in client.batches if b["events"][0]["kind"] == "item.create"]
                assert len(batches) == ops  # one frame each, contiguous (LiveClient checks)
            assert not [m for m in await dan.quiet() if m["type"] == "events"]

            # Dan was never offered group 1's events; his own comes straight to him, in
            # one frame that covers what he skipped, with no snapshot or read-back.
            snapshots = len(dan.snapshots)
            before = direct_frames(scene.fac)
            await dan.op(
                1,
                "item.create",
                id=f"direct-{dan.client_id[-8:]}",
                checklist_id=scene.checklist(1),
                kind="need",
                title="Elsewhere",
            )
            await dan.until_seen(1)
            assert direct_frames(scene.fac) - before == 1
            assert len(dan.snapshots) == snapshots
            last = dan.batches[-1]
            assert [e["kind"] for e in last["events"]] == ["item.create"]
            assert last["to"] == last["events"][0]["seq"] == scene.head()
            assert last["from"] <= last["to"] - ops  # Ana's ops, skipped inside the range
            for client in clients:
                assert not [m for m in await client.quiet() if m["type"] == "events"]

    asyncio.run(scenario())


def test_only_uvicorns_own_websocket_send_is_used_directly() -> None:
    async def not_a_server_send(message: object) -> None:
        return None

    class Lookalike:
        conn = transport = writable = object()
        handshake_complete = close_sent = disconnected = False

        async def send(self, message: object) -> None:
            return None

    assert DirectSend.find({"type": "websocket"}) is None
    assert DirectSend.find({"type": "websocket", SCOPE_KEY: not_a_server_send}) is None
    assert DirectSend.find({"type": "websocket", SCOPE_KEY: Lookalike().send}) is None
