"""The LISTEN connections of both app processes are terminated by the database while
edits go on: doorbells are lost for a moment, but delivery to the other process's
clients resumes within the poll interval, nothing is missed, and each notifier opens a
new LISTEN connection by itself.

Each notifier resyncs as soon as its listener is back, which usually beats the poll;
``test_a_lost_doorbell_is_made_up_by_the_poll`` takes the doorbell away altogether, so
there only the poll can deliver."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import psycopg
import pytest

from roundtable.ops import build_registry
from roundtable.sync.service import submit
from tests.integration.cluster import (
    POLL_INTERVAL_S,
    Cluster,
    backends,
    join_on,
    terminate_listeners,
    wait_until,
)
from tests.realtime.clients import LiveClient, log_of, opened, token
from tests.support import PG_BASE_URL, LiveServer, ok

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

OPS = 70
OP_EVERY_S = 0.05
# Delivery after a lost doorbell waits for the next poll (or the listener's resync);
# the margin is for a busy two-core machine.
MAX_DELAY_S = POLL_INTERVAL_S + 0.75


class Arrivals:
    """Reads a client's stream in the background, noting when each op's event came."""

    def __init__(self, client: LiveClient) -> None:
        self.client = client
        self.at: dict[tuple[str, int], float] = {}
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            message = await self.client.recv(timeout=60)
            if message["type"] == "events":
                now = time.monotonic()
                for event in message["events"]:
                    key = (event["client_id"], event["op_id"])
                    assert key not in self.at, f"{key} delivered twice"
                    self.at[key] = now

    def check(self) -> None:
        if self.task is not None and self.task.done():
            self.task.result()  # a protocol violation in the stream fails the test

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def test_listener_loss_delays_delivery_by_at_most_a_poll(shared_pair: Cluster) -> None:
    first, second = shared_pair.servers
    scene = shared_pair.scene(0)
    checklist = scene.checklist(0)
    ana = scene.join(0, "Ana")
    ben = join_on(scene, second, 0, "Ben")
    listeners_before = backends(PG_BASE_URL, shared_pair.dbname, listening=True)
    assert len(listeners_before) == 2, "one LISTEN connection per process"
    cut_at: list[float] = []
    replaced: list[set[int]] = []

    async def scenario() -> None:
        a, b = LiveClient(first, ana, scene.id), LiveClient(second, ben, scene.id)
        async with opened(a, b):
            for client in (a, b):
                await client.connect()
                await client.expect("snapshot")
            at_a, at_b = Arrivals(a), Arrivals(b)
            at_a.start()
            at_b.start()

            async def write(client: LiveClient) -> None:
                for n in range(1, OPS + 1):
                    await client.op(
                        n,
                        "item.create",
                        id=f"{client.client_id}-{n}-{token()}",
                        checklist_id=checklist,
                        kind="need",
                        title=f"Op {n}",
                    )
                    await asyncio.sleep(OP_EVERY_S)

            async def cut_twice() -> None:
                listening = listeners_before
                for _ in range(2):
                    await asyncio.sleep(OPS * OP_EVERY_S / 4)
                    assert await asyncio.to_thread(
                        terminate_listeners, PG_BASE_URL, shared_pair.dbname
                    ) == len(listening)
                    cut_at.append(time.monotonic())
                    old = listening

                    def reconnected(old: set[int] = old) -> bool:
                        now = backends(PG_BASE_URL, shared_pair.dbname, listening=True)
                        return len(now) == 2 and not now & old

                    await wait_until(reconnected, 5, "new LISTEN connections")
                    listening = backends(PG_BASE_URL, shared_pair.dbname, listening=True)
                    replaced.append(listening)

            try:
                await asyncio.gather(write(a), write(b), cut_twice())

                sent = {(c.client_id, n) for c in (a, b) for n in range(1, OPS + 1)}

                def caught_up() -> bool:
                    at_a.check()
                    at_b.check()
                    # Every op sent has reached both sides (the last ones may still have
                    # been committing when the writers stopped), and both are at the head.
                    arrived = sent <= set(at_a.at) and sent <= set(at_b.at)
                    return arrived and a.last_seq == b.last_seq == scene.head()

                await wait_until(caught_up, 10, "every op at both clients, both at the head")
            finally:
                await at_a.stop()
                await at_b.stop()

            # Nothing missed, nothing twice, and each op seen by the other side soon after
            # its author saw it committed, also just after the listeners were cut.
            mine = {(c.client_id, n) for c in (a, b) for n in range(1, OPS + 1)}
            assert mine <= set(at_a.at) and mine <= set(at_b.at)
            delays = []
            for author, reader in ((at_a, at_b), (at_b, at_a)):
                for n in range(1, OPS + 1):
                    key = (author.client.client_id, n)
                    delays.append((reader.at[key] - author.at[key], author.at[key], n))
            after_cuts = [d for d in delays if d[1] >= cut_at[0]]
            assert after_cuts, "edits went on after the cut"
            worst = max(d[0] for d in delays)
            assert worst <= MAX_DELAY_S, f"an op took {worst:.2f}s to cross over"
            assert a.rejects == b.rejects == []

    asyncio.run(asyncio.wait_for(scenario(), 60))
    log = log_of(shared_pair.engine, scene.id)
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert len(replaced) == 2 and all(len(r) == 2 for r in replaced)


def test_a_lost_doorbell_is_made_up_by_the_poll(shared_pair: Cluster) -> None:
    """An op committed with no doorbell at all (through the one write path, from this
    process, with no notifier) reaches the clients of both processes by the poll."""
    first, second = shared_pair.servers
    scene = shared_pair.scene(0)
    checklist = scene.checklist(0)
    fac_member = ok(scene.fac.get(f"/api/workshops/{scene.id}/me"))["id"]
    ana = scene.join(0, "Ana")
    ben = join_on(scene, second, 0, "Ben")
    registry = build_registry()

    def silently(n: int) -> int:
        done = submit(
            shared_pair.engine,
            registry,
            None,  # no doorbell
            workshop_id=scene.id,
            member_id=fac_member,
            kind="item.create",
            args={"checklist_id": checklist, "kind": "need", "title": f"Silent {n}"},
            client_id="silent-writer",
            op_id=n,
        )
        assert done.seq is not None
        return int(done.seq)

    async def scenario() -> list[float]:
        a, b = LiveClient(first, ana, scene.id), LiveClient(second, ben, scene.id)
        delays: list[float] = []
        async with opened(a, b):
            for client in (a, b):
                await client.connect()
                await client.expect("snapshot")
            for n in range(1, 4):
                seq = await asyncio.to_thread(silently, n)
                committed = time.monotonic()
                for client in (a, b):
                    await client.until_seq(seq, timeout=5)
                    delays.append(time.monotonic() - committed)
                assert [e["op_id"] for e in a.batches[-1]["events"]] == [n]
                await asyncio.sleep(0.2)  # land at another point of the poll cycle
        return delays

    delays = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert max(delays) <= MAX_DELAY_S, f"delivery took {max(delays):.2f}s"


def set_connections_allowed(dbname: str, allowed: bool) -> None:
    with psycopg.connect(PG_BASE_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS {str(allowed).lower()}')


def ready_of(server: LiveServer) -> tuple[int, dict[str, str]]:
    answer = server.api().get("/api/ready")
    return answer.status_code, answer.json()


def test_a_listener_kept_down_delivers_by_the_poll_and_says_so(shared_pair: Cluster) -> None:
    """The LISTEN connections are terminated and the database takes no new connection
    for a few seconds (as when ``max_connections`` is reached): the notifiers cannot
    come back, but the processes keep writing through their pooled connections, edits
    still cross between them by the poll, and ``/api/ready`` says the notifier is down
    until it is back by itself."""
    first, second = shared_pair.servers
    scene = shared_pair.scene(0)
    checklist = scene.checklist(0)
    ana = scene.join(0, "Ana")
    ben = join_on(scene, second, 0, "Ben")
    seen: dict[str, Any] = {}

    async def scenario() -> list[float]:
        a, b = LiveClient(first, ana, scene.id), LiveClient(second, ben, scene.id)
        delays: list[float] = []
        async with opened(a, b):
            for client in (a, b):
                await client.connect()
                await client.expect("snapshot")
            await asyncio.to_thread(set_connections_allowed, shared_pair.dbname, False)
            try:
                assert (
                    await asyncio.to_thread(terminate_listeners, PG_BASE_URL, shared_pair.dbname)
                    == 2
                )
                await asyncio.sleep(0.3)
                seen["down"] = [await asyncio.to_thread(ready_of, s) for s in (first, second)]
                for n in range(1, 6):
                    await a.op(
                        n,
                        "item.create",
                        id=f"kept-down-{n}-{token()}",
                        checklist_id=checklist,
                        kind="need",
                        title=f"Down {n}",
                    )
                    await a.until_seen(n)
                    sent = time.monotonic()
                    await b.until_seq(a.last_seq, timeout=5)
                    delays.append(time.monotonic() - sent)
                    await asyncio.sleep(0.3)
            finally:
                await asyncio.to_thread(set_connections_allowed, shared_pair.dbname, True)

            def both_ready() -> bool:
                return all(ready_of(s)[0] == 200 for s in (first, second))

            await wait_until(both_ready, 10, "the notifiers to be back")
        return delays

    delays = asyncio.run(asyncio.wait_for(scenario(), 60))
    for status, body in seen["down"]:
        assert status == 503 and body["notifier"].startswith("unavailable"), body
        assert body["database"] == "ok", body  # the pooled connections went on
    assert max(delays) <= MAX_DELAY_S, f"delivery took {max(delays):.2f}s"
    assert len(backends(PG_BASE_URL, shared_pair.dbname, listening=True)) == 2
