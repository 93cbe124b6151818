"""Many clients, random ops, random disconnects, a server killed with -9: all converge.

The random choices come from a fixed seed; what they lead to also depends on how the
clients and the server interleave, which is up to the scheduler. That is the point: the
assertions must hold for every interleaving.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from roundtable.db import make_engine
from tests.realtime.clients import (
    Live,
    LiveClient,
    Scene,
    log_of,
    make_scene,
    opened,
    rows_of,
    visible_state,
)
from tests.realtime.peers import Peer
from tests.support import LiveServer, ok

SEED = 20140626


def make_peers(scene: Scene, per_group: int, rng: random.Random) -> list[Peer]:
    peers = []
    for group in range(len(scene.groups)):
        for n in range(per_group):
            name = f"g{group}p{n}"
            api = scene.join(group, name)
            peer_rng = random.Random(rng.random())
            peers.append(
                Peer(name, scene.server, api, scene.id, [scene.checklist(group)], peer_rng)
            )
    every_list = [scene.checklist(g) for g in range(len(scene.groups))]
    peers.append(
        Peer("fac", scene.server, scene.fac, scene.id, every_list, random.Random(rng.random()))
    )
    return peers


async def converge(scene: Scene, engine: Engine, peers: list[Peer]) -> None:
    """Settles every outbox, puts up a barrier every reader sees, then compares."""
    await asyncio.gather(*(p.settle() for p in peers))
    # A workshop-wide event after everything else: once a peer has it, it has all before it.
    scene.update(description=f"barrier {time.monotonic()}")
    head = scene.head()
    await asyncio.gather(*(p.reach(head) for p in peers))

    log = log_of(engine, scene.id)
    assert [e.seq for e in log] == list(range(1, head + 1)), "the log has a gap"
    counts = Counter((e.client_id, e.op_id) for e in log if e.client_id is not None)
    for peer in peers:
        peer.check(counts)
        fresh = LiveClient(scene.server, peer.client.api, scene.id)
        async with opened(fresh):
            await fresh.connect(last_seq=0)
            snapshot = await fresh.expect("snapshot")
        assert snapshot["seq"] == head == peer.client.last_seq
        state = visible_state(peer.client.entities)
        assert state == visible_state(fresh.entities), f"{peer.name} diverged from a snapshot"
        readable = {c["id"] for c in snapshot["checklists"]}
        rows = rows_of(engine, scene.id, readable)
        assert state["item"] == rows.items, f"{peer.name}'s items differ from the database"
        assert state["comment"] == rows.comments
        assert state.get("vote", {}) == rows.votes
    # Participants saw only their own group's list (reveal is off).
    for peer in peers[:-1]:
        items = peer.client.items().values()
        assert {i["checklist_id"] for i in items} <= set(peer.checklists)


async def finish(peers: list[Peer]) -> None:
    for peer in peers:
        await peer.disconnect(abrupt=False)


def test_random_clients_converge(live: Live) -> None:
    rng = random.Random(SEED)
    scene = make_scene(live)
    peers = make_peers(scene, per_group=4, rng=rng)

    async def scenario() -> None:
        try:
            await asyncio.gather(*(p.run(steps=40, p_disconnect=0.08) for p in peers))
            await converge(scene, live.engine, peers)
        finally:
            await finish(peers)

    started = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - started < 60
    assert sum(len(p.acknowledged) for p in peers) > 150
    assert sum(p.connects for p in peers) > len(peers) + 10  # the disconnects did happen
    assert sum(len(p.duplicates) for p in peers) > 0  # and so did resends of applied ops


@contextmanager
def own_server(url: str) -> Iterator[LiveServer]:
    server = LiveServer(url).start()
    try:
        yield server
    finally:
        server.stop()


def test_kill_9_loses_nothing_acknowledged(fresh_database: str) -> None:
    rng = random.Random(SEED + 9)
    engine = make_engine(fresh_database)
    with own_server(fresh_database) as server:
        scene = make_scene(Live(server, fresh_database, engine))
        peers = make_peers(scene, per_group=3, rng=rng)
        acked_at_kill: dict[str, set[int]] = {}

        async def kill_and_restart() -> None:
            # Kill mid-stream: once a good number of ops are through, while more are sent.
            while sum(len(p.acknowledged) for p in peers) < 40:
                await asyncio.sleep(0.01)
            server.kill()
            acked_at_kill.update({p.name: set(p.acknowledged) for p in peers})
            await asyncio.sleep(0.2)
            await asyncio.to_thread(server.start)

        async def scenario() -> None:
            try:
                await asyncio.gather(
                    kill_and_restart(), *(p.run(steps=50, p_disconnect=0.02) for p in peers)
                )
                scene.fac = server.api()  # its keep-alive connection died with the server
                ok(scene.fac.login())
                await converge(scene, engine, peers)
            finally:
                await finish(peers)

        try:
            asyncio.run(scenario())
            log = Counter((e.client_id, e.op_id) for e in log_of(engine, scene.id))
        finally:
            engine.dispose()
    for peer in peers:
        for op_id in acked_at_kill[peer.name]:
            assert log[(peer.client.client_id, op_id)] == 1, f"{peer.name} lost op {op_id}"
    assert all(p.connects >= 2 for p in peers), "every peer lived through the restart"
