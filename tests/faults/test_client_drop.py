"""A client's network drops for 5 s, another's for 60 s, while everyone keeps editing
(both drops run at once, to keep the test to one minute).

Each traveller goes on editing offline. After 5 s the TCP connection is still there: the
edits made meanwhile go through on it, and the others' edits reach it, with no
reconnect. After 60 s both ends have given up on the connection by their own pings
(the server's and the client's WebSocket keepalive: 20 s interval, 20 s timeout, at
their defaults; nothing is shortened), so the traveller reconnects with its
``last_seq`` and resends its outbox. Either way its edits are in the log once, and it
ends up with the same state as everyone else. The clients who stayed online never
waited for the ones who dropped.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.link import Link
from tests.faults.scenes import (
    acknowledged,
    answering,
    assert_clean_outcome,
    peers_on,
    sqlite_server,
)
from tests.integration.cluster import PatientPeer, join_on
from tests.observability.checks import parse
from tests.realtime.peers import Peer
from tests.realtime.test_convergence import converge
from tests.support import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

SEED = 20261129
SHORT_S, LONG_S = 5.0, 60.0
OP_EVERY_S = 0.4
STEPS = int((LONG_S + 8) / OP_EVERY_S)


def connections(server: LiveServer) -> int:
    return int(parse(server.api().get("/metrics").text)["roundtable_connections"])


def test_clients_dropped_for_5_and_60_seconds_catch_up(tmp_path: Path) -> None:
    with sqlite_server(tmp_path) as c:
        scene = c.scene(0)
        server = c.servers[0]
        stay = peers_on(c, scene, 1, SEED)  # one per group, online throughout
        seen: dict[str, Any] = {}

        async def scenario() -> None:
            links = [Link(server), Link(server)]
            travellers = [
                PatientPeer(
                    name,
                    await link.start(),
                    join_on(scene, server, n % 2, name),
                    scene.id,
                    [scene.checklist(n % 2)],
                    random.Random(SEED + n),
                    servers=[],
                )
                for n, (name, link) in enumerate(zip(("short", "long"), links, strict=True))
            ]
            for t in travellers:
                t.servers = [t.client.server]
            short, long = travellers
            everyone = [*stay, *travellers]

            async def drop(link: Link, traveller: PatientPeer, seconds: float) -> None:
                await acknowledged(everyone, 20)
                link.cut()
                cut_at = time.monotonic()
                before = {p.name: len(p.acknowledged) for p in stay}
                made = traveller.next_op
                await asyncio.sleep(seconds - 3)
                if traveller is long:
                    # The server gave up on the silent connection (its ping went
                    # unanswered); the others' stayed.
                    seen["connections"] = await asyncio.to_thread(connections, server)
                await asyncio.sleep(max(0.0, cut_at + seconds - time.monotonic()))
                seen[traveller.name] = {
                    "others_acked": {p.name: len(p.acknowledged) - before[p.name] for p in stay},
                    "offline_ops": traveller.next_op - made,
                }
                link.restore()

            try:
                await asyncio.wait_for(
                    asyncio.gather(
                        drop(links[0], short, SHORT_S),
                        drop(links[1], long, LONG_S),
                        *(p.run_steady(STEPS, OP_EVERY_S) for p in everyone),
                    ),
                    LONG_S + 40,
                )
                await asyncio.wait_for(converge(scene, c.engine, list[Peer](everyone)), 40)
            finally:
                for peer in everyone:
                    await peer.disconnect(abrupt=False)
                for link in links:
                    await link.close()

            seen["travellers"] = travellers

        asyncio.run(scenario())
        short, long = seen["travellers"]
        for traveller in (short, long):
            info = seen[traveller.name]
            assert info["offline_ops"] >= 5, info  # it went on editing offline
            # Those online went on being served while it was away.
            assert all(n >= 5 for n in info["others_acked"].values()), info
        assert short.connects == 1, "a 5 s drop does not cost the connection"
        assert seen["connections"] == len(stay) + 1, seen["connections"]  # long's is gone
        assert long.connects == 2, long.hellos
        assert long.hellos[-1][1] > 0  # it came back with what it had, not from scratch
        assert_clean_outcome(c, scene, [*stay, short, long])
        answering(c, scene)
