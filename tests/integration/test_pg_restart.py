"""A real PostgreSQL restart in the middle of a session (a private server: see
``private_pg``), with two app processes and peers sending ops on both.

While the database is down, ops fail cleanly: the live connection closes with 1013
(or 1011 when the database goes during a handshake), REST answers 503, readiness says
which part is down; nothing is acknowledged that was not committed. The peers keep
those ops pending, reconnect when the database is back, resend, and everything
converges with each acknowledged op in the log once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.faults.scenes import answering, assert_clean_outcome, item_path, new_item
from tests.integration.cluster import Cluster, cluster, follow, spread_peers
from tests.integration.private_pg import PrivatePostgres, private_postgres, wait_for_postgres
from tests.observability.checks import parse
from tests.realtime.peers import Peer
from tests.realtime.test_convergence import converge
from tests.support import create_facilitator_account, create_schema, error_of

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(150)]

SEED = 20261201
DOWN_S = 3.0
STEPS = 90
OP_EVERY_S = 0.1


@pytest.fixture
def restartable() -> Iterator[tuple[PrivatePostgres, Cluster]]:
    with private_postgres() as pg:
        url = pg.create_database("roundtable")
        create_schema(url)
        create_facilitator_account(url)
        with cluster(url, processes=2) as made:
            yield pg, made


def test_postgres_restart_mid_session(restartable: tuple[PrivatePostgres, Cluster]) -> None:
    pg, c = restartable
    scene = c.scene(0)
    peers = spread_peers(c, scene, c.servers, 1, SEED)
    during: dict[str, object] = {}

    async def restart() -> None:
        while sum(len(p.acknowledged) for p in peers) < 30:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(pg.stop, "fast")
        during["pending"] = {p.name: set(p.pending) for p in peers}
        during["acked"] = {p.name: set(p.acknowledged) for p in peers}
        await asyncio.sleep(0.5)  # the peers' ops and reconnects meet the outage

        def look() -> None:
            api = c.servers[0].api()
            api.client.cookies.update(scene.fac.client.cookies)
            during["op"] = api.post(item_path(scene), json=new_item("While down"))
            during["ready"] = [s.api().get("/api/ready") for s in c.servers]

        await asyncio.to_thread(look)
        await asyncio.sleep(max(0.0, DOWN_S - 0.5))
        await asyncio.to_thread(pg.start)
        during["up_at"] = time.monotonic()

    async def scenario() -> None:
        try:
            await asyncio.gather(restart(), *(p.run_steady(STEPS, OP_EVERY_S) for p in peers))
            await asyncio.to_thread(wait_for_postgres, c.url)
            scene.fac = follow(scene.fac, c.servers[0])  # new HTTP connections
            await converge(scene, c.engine, list[Peer](peers))
        finally:
            for peer in peers:
                await peer.disconnect(abrupt=False)

    asyncio.run(asyncio.wait_for(scenario(), 120))

    # While it was down: REST refused cleanly, readiness named the database.
    assert error_of(during["op"], 503)["code"] == "unavailable"  # type: ignore[arg-type]
    for ready in during["ready"]:  # type: ignore[attr-defined]
        assert ready.status_code == 503 and ready.json()["database"].startswith("unavailable")
    # Ops in flight were not acknowledged then; they were resent and are there once now.
    pending = during["pending"]
    assert sum(len(v) for v in pending.values()) > 0, "no op was in flight at the stop"  # type: ignore[attr-defined]
    codes = Counter(code for p in peers for code in p.close_codes[:-1])
    assert codes[1013] > 0 and set(codes) <= {1011, 1013}, codes
    assert_clean_outcome(c, scene, peers)
    # Each process opened a new LISTEN connection by itself.
    for server in c.servers:
        metrics = parse(server.api().get("/metrics").text)
        assert metrics["roundtable_notifier_reconnects_total"] >= 1
    answering(c, scene)
