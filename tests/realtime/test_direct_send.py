"""The hand-over writes event frames straight to caught-up sockets (``realtime.direct``).

These fail if the server we ship stops taking the direct path (a uvicorn upgrade that
renames what ``DirectSend`` reaches for) or if the direct path breaks a stream.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

from roundtable.db import make_engine
from roundtable.realtime.direct import SCOPE_KEY, DirectSend
from tests.observability.checks import parse
from tests.realtime.clients import Live, LiveClient, Scene, make_scene, open_database, opened
from tests.support import Api, LiveServer, ok


def direct_frames(api: Api) -> float:
    return counters(api)[0]


def counters(api: Api, kind: str = "events") -> tuple[float, float]:
    """(frames of that kind written as they are, frames built for them)."""
    response = api.get("/metrics")  # loopback, no token configured: allowed
    assert response.status_code == 200, response.text
    samples = parse(response.text)
    if kind == "presence":
        return (
            samples["roundtable_presence_frames_total"],
            samples["roundtable_presence_frames_built_total"],
        )
    return (
        samples["roundtable_direct_frames_total"],
        samples["roundtable_shared_frames_built_total"],
    )


async def settled(clients: list[LiveClient]) -> None:
    """Connects each client, and waits until presence has settled: every sender idle."""
    for client in clients:
        await client.connect()
        await client.expect("snapshot")
    for client in clients:
        await client.quiet()


async def add_points(scene: Scene, clients: list[LiveClient], ops: int) -> None:
    """The first client adds ``ops`` points to group 1's checklist, one at a time, each
    seen by every client before the next."""
    writer = clients[0]
    for n in range(1, ops + 1):
        await writer.op(
            n,
            "item.create",
            id=f"direct-{writer.client_id[-8:]}-{n}",
            checklist_id=scene.checklist(0),
            kind="need",
            title=f"Point {n}",
        )
        await writer.until_seen(n)
        head = scene.head()
        for client in clients:
            await client.until_seq(head)


def test_caught_up_members_get_frames_from_the_hand_over(live: Live) -> None:
    scene = make_scene(live)
    apis = [scene.join(0, name) for name in ("Ana", "Ben", "Cat")]
    other = scene.join(1, "Dan")
    ops = 12

    async def scenario() -> None:
        clients = [scene.client(api) for api in apis]
        dan = scene.client(other)
        async with opened(*clients, dan):
            await settled([*clients, dan])
            before, built_before = counters(scene.fac)
            await add_points(scene, clients, ops)
            after, built = counters(scene.fac)
            # One frame per op for each of the three who can see group 1's checklist...
            assert after - before == ops * len(clients)
            # ...built once for all three: the same text (one view, one range of seqs),
            # compressed on its own as the connections negotiated (no server context).
            assert built - built_before == ops
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


def test_a_presence_change_is_one_frame_for_the_room(live: Live) -> None:
    """Everyone of a view, caught up to the same presence version, is sent the same text:
    its frame is built once and written to each of them."""
    scene = make_scene(live)
    names = ("Ana", "Ben", "Cat", "Dan", "Eve")
    apis = [scene.join(0, name) for name in names]
    ids = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in apis]
    here = scene.checklist(0)

    def there(client: LiveClient, member: int) -> bool:
        return any(
            e["member_id"] == member and e["checklist_id"] == here
            for e in client.presence_entries()
        )

    async def scenario() -> None:
        clients = [scene.client(api) for api in apis]
        async with opened(*clients):
            await settled(clients)
            written, built = counters(scene.fac, "presence")
            await clients[0].send({"type": "presence", "checklist_id": here})
            for client in clients:
                await client.recv_until(lambda _m, c=client: there(c, ids[0]))
            more_written, more_built = counters(scene.fac, "presence")
            # At least the four others were written the same delta, from fewer builds.
            assert more_written - written >= len(clients) - 1
            assert more_built - built < more_written - written

    asyncio.run(scenario())


def test_under_plain_uvicorn_each_connection_frames_its_own(tmp_path: Path) -> None:
    """``uvicorn roundtable.asgi:app`` keeps uvicorn's protocol, whose compression keeps a
    context per connection: the hand-over still writes directly, one frame built per
    connection by its own compressor, and nothing is shared."""
    with ExitStack() as stack:
        url = open_database("sqlite", tmp_path, stack)
        server = LiveServer(url, cli=False).start()
        stack.callback(server.stop)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        scene = make_scene(Live(server, url, engine))
        apis = [scene.join(0, name) for name in ("Ana", "Ben")]
        ops = 5

        async def scenario() -> None:
            clients = [scene.client(api) for api in apis]
            async with opened(*clients):
                await settled(clients)
                before, built_before = counters(scene.fac)
                await add_points(scene, clients, ops)
                after, built = counters(scene.fac)
                assert after - before == ops * len(clients)
                assert built == built_before
                for client in clients:
                    titles = sorted(i["title"] for i in client.items().values())
                    assert titles == sorted(f"Point {n}" for n in range(1, ops + 1))

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
