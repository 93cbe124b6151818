"""The same op sent many times: over one connection again and again, and at once over
many connections of the same client (old sockets not yet dead, tabs restored twice)
spread over two app processes on PostgreSQL. It is applied once; every other copy is
answered ``ack duplicate`` pointing at the one event; a refused op resent stays
refused and out of the log."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.faults.scenes import answering, new_item
from tests.integration.cluster import Cluster, cluster, follow, join_on
from tests.realtime.clients import LiveClient, log_of, open_database, opened

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

CONNECTIONS_PER_PROCESS = 4
SENDS_PER_CONNECTION = 25


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    """One process on SQLite; two on PostgreSQL, so copies race across processes."""
    with ExitStack() as stack:
        url = open_database(request.param, tmp_path, stack)
        with cluster(url, processes=1 if request.param == "sqlite" else 2) as made:
            yield made


def answers(clients: list[LiveClient], op_id: int) -> int:
    """How many copies of ``op_id`` the server answered (``ack`` or ``reject``)."""
    return sum(1 for c in clients for m in (*c.acks, *c.rejects) if m["op_id"] == op_id)


async def read_until(clients: list[LiveClient], done: Any) -> None:
    while not done():
        await asyncio.gather(*(c.quiet(0.2) for c in clients))


def test_an_op_sent_many_times_is_applied_once(servers: Cluster) -> None:
    scene = servers.scene(0)
    ana = join_on(scene, servers.servers[0], 0, "Ana")
    client_id = "resender-0001"
    item = new_item("Sent many times", checklist_id=scene.checklist(0))
    op = {"type": "op", "op_id": 7, "kind": "item.create", "args": item}
    bad = {
        "type": "op",
        "op_id": 8,
        "kind": "item.update",
        "args": {"id": "nowhere-to-be-found", "title": "x"},
    }

    async def scenario() -> list[LiveClient]:
        clients = [
            LiveClient(server, follow(ana, server), scene.id, client_id)
            for server in servers.servers
            for _ in range(CONNECTIONS_PER_PROCESS)
        ]
        async with opened(*clients):
            for client in clients:
                await client.connect()
                await client.quiet(0.1)

            async def hammer(client: LiveClient, message: dict[str, Any]) -> None:
                for _ in range(SENDS_PER_CONNECTION):
                    await client.send(message)

            sent = len(clients) * SENDS_PER_CONNECTION
            # All copies at once; one is applied, the rest are answered.
            await asyncio.gather(*(hammer(c, op) for c in clients))
            await read_until(
                clients,
                lambda: answers(clients, 7) >= sent - 1 and all(7 in c.seen_ops for c in clients),
            )
            await asyncio.gather(*(hammer(c, bad) for c in clients))
            await read_until(clients, lambda: answers(clients, 8) >= sent)
            await asyncio.gather(*(c.quiet(0.3) for c in clients))  # and nothing more
        return clients

    clients = asyncio.run(asyncio.wait_for(scenario(), 60))
    sent = len(clients) * SENDS_PER_CONNECTION

    log = log_of(servers.engine, scene.id)
    mine = [e for e in log if e.client_id == client_id]
    assert [(e.op_id, e.kind) for e in mine] == [(7, "item.create")]
    seq = mine[0].seq
    # One copy applied; every other one acknowledged as a duplicate of that event.
    acks = [a for c in clients for a in c.acks if a["op_id"] == 7]
    assert len(acks) == sent - 1
    assert {a["seq"] for a in acks} == {seq}
    for client in clients:
        assert client.seen_ops == {7}  # its event, streamed once to every connection
        assert Counter(e["seq"] for b in client.batches for e in b["events"])[seq] == 1
    # The refused op: refused, then duplicates with no event to point at. Copies that
    # race the first refusal (before it is recorded, in its own transaction) may be
    # refused too, on PostgreSQL's two processes: refused all the same, never applied.
    rejects = [r for c in clients for r in c.rejects if r["op_id"] == 8]
    assert rejects and {r["code"] for r in rejects} == {"not_found"}
    bad_acks = [a for c in clients for a in c.acks if a["op_id"] == 8]
    assert len(rejects) + len(bad_acks) == sent and {a["seq"] for a in bad_acks} == {None}
    assert not [e for e in log if e.op_id == 8 and e.client_id == client_id]
    items = [c for e in log for c in e.changes if c["id"] == item["id"]]
    assert len(items) == 1
    answering(servers, scene)
