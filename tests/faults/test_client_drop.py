"""A client's network drops briefly, another's for longer than the WebSocket keepalive
allows, while everyone keeps editing (both drops run at once).

Both ends ping: the server (``roundtable serve`` with ``WS_PING_INTERVAL`` and
``WS_PING_TIMEOUT``) and the client (the ``websockets`` keepalive), each every
``PING_INTERVAL_S``, giving up on a connection whose pong is ``PING_TIMEOUT_S`` late.
The production defaults are 20 s and 20 s; here they are scaled down so the test takes
seconds, with the drops scaled alike: the short drop is well under the timeout, the long
one twice interval plus timeout.

Each traveller goes on editing offline. After the short drop the TCP connection is still
there: the edits made meanwhile go through on it, and the others' edits reach it, with
no reconnect. During the long drop both ends give up on the connection by their own
pings, so the traveller reconnects with its ``last_seq`` and resends its outbox. Either
way its edits are in the log once, and it ends up with the same state as everyone else.
The clients who stayed online never waited for the ones who dropped.
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

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

SEED = 20261129
PING_INTERVAL_S, PING_TIMEOUT_S = 2.0, 5.0
KEEPALIVE = {"WS_PING_INTERVAL": str(PING_INTERVAL_S), "WS_PING_TIMEOUT": str(PING_TIMEOUT_S)}
# A ping sent as the link goes is answered when it comes back: in time after SHORT_S.
# Unanswered pings have closed the connection at both ends long before LONG_S.
SHORT_S = PING_TIMEOUT_S - 3.0
LONG_S = 2 * (PING_INTERVAL_S + PING_TIMEOUT_S)
OP_EVERY_S = 0.2
STEPS = int((LONG_S + 8) / OP_EVERY_S)


def connections(server: LiveServer) -> int:
    return int(parse(server.api().get("/metrics").text)["roundtable_connections"])


def test_clients_dropped_briefly_and_past_the_keepalive_catch_up(tmp_path: Path) -> None:
    with sqlite_server(tmp_path, env=KEEPALIVE, cli=True) as c:
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
                t.client.ping_interval, t.client.ping_timeout = PING_INTERVAL_S, PING_TIMEOUT_S
            short, long = travellers
            everyone = [*stay, *travellers]

            async def drop(link: Link, traveller: PatientPeer, seconds: float) -> None:
                await acknowledged(everyone, 20)
                link.cut()
                cut_at = time.monotonic()
                before = {p.name: len(p.acknowledged) for p in stay}
                made = traveller.next_op
                if traveller is long:
                    # The server gives up on the silent connection (its pings go
                    # unanswered) while the link is still cut; the others' stay.
                    expected = len(stay) + 1
                    while time.monotonic() < cut_at + seconds - 1:
                        seen["connections"] = await asyncio.to_thread(connections, server)
                        if seen["connections"] == expected:
                            break
                        await asyncio.sleep(0.2)
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
