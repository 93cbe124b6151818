"""Every database connection of the app processes is cut while ops are in flight.

A real PostgreSQL restart (``pg_ctlcluster 15 main restart``) would also break the tests
other people run on the same server at the same time, so these tests use the stand-in:
``pg_terminate_backend`` on every backend of this test's own database (pool, LISTEN and
presence connections alike), which is what the app processes see of a restart. To be
sure ops are in flight when the cut comes, the test holds the workshop's row lock
first, so the ops queue up inside their transactions, then cuts, then lets go.

Ops in flight must fail cleanly (the socket closes with 1013, or 1011; REST answers
503 ``unavailable``), nothing is half-applied, clients keep those ops and resend them,
and after recovery everyone converges with each acknowledged op in the log once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest

from tests.integration.cluster import Cluster, backends, spread_peers, terminate
from tests.realtime.clients import log_of, token
from tests.realtime.peers import Peer
from tests.realtime.test_convergence import converge
from tests.support import PG_BASE_URL, Api, error_of, lock_waiters, ok

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

SEED = 20260501
CUTS = 3
STEPS = 60
OP_EVERY_S = 0.08  # per peer: 8 peers, 100 ops a second in all
CUT_EVERY_S = 1.2


@contextmanager
def workshop_locked(url: str, workshop_id: int) -> Iterator[int]:
    """Holds the workshop's row lock (every op takes it first); yields the locker's pid."""
    with psycopg.connect(url) as locker:
        locker.execute("SELECT id FROM workshop WHERE id = %s FOR UPDATE", (workshop_id,))
        try:
            yield locker.info.backend_pid
        finally:
            locker.rollback()


def cut_everything(cluster: Cluster, spare: int) -> int:
    """Terminates every backend of the cluster's database but ``spare``."""
    victims = backends(PG_BASE_URL, cluster.dbname) - {spare}
    return terminate(PG_BASE_URL, victims)


async def cut_while_in_flight(cluster: Cluster, workshop_id: int, waiters: int = 1) -> int:
    """Locks, waits until ``waiters`` ops are stuck on the lock, cuts every connection."""

    def run() -> int:
        with workshop_locked(cluster.url, workshop_id) as locker:
            deadline = time.monotonic() + 15
            while len(lock_waiters(cluster.url, locker)) < waiters:
                assert time.monotonic() < deadline, "no op reached the database"
                time.sleep(0.02)
            return cut_everything(cluster, spare=locker)

    return await asyncio.to_thread(run)


def test_cut_connections_mid_session_lose_and_double_nothing(shared_pair: Cluster) -> None:
    scene = shared_pair.scene(1)
    peers = spread_peers(shared_pair, scene, shared_pair.servers, 2, SEED)
    cut: list[int] = []

    async def cuts() -> None:
        for _ in range(CUTS):
            await asyncio.sleep(CUT_EVERY_S)
            cut.append(await cut_while_in_flight(shared_pair, scene.id, waiters=2))

    async def scenario() -> None:
        try:
            await asyncio.gather(cuts(), *(p.run_steady(STEPS, OP_EVERY_S) for p in peers))
            await converge(scene, shared_pair.engine, list[Peer](peers))
        finally:
            for peer in peers:
                await peer.disconnect(abrupt=False)

    asyncio.run(asyncio.wait_for(scenario(), 75))

    assert len(cut) == CUTS and all(n >= 2 for n in cut), cut
    # Ops in flight failed cleanly: the socket was closed with 1013 (or 1011), and no op
    # was refused for the database's sake (a refusal would drop it from the outbox).
    codes = Counter(code for p in peers for code in p.close_codes[:-1])  # the last: ours
    assert codes[1013] > 0, codes
    assert set(codes) <= {1011, 1013}, codes
    refusals = Counter(code for p in peers for code in p.rejected.values())
    assert not refusals.keys() & {"internal", "unavailable"}, refusals
    assert sum(p.connects for p in peers) > len(peers)
    # Each acknowledged op once (``converge`` checked it against the log too).
    log = Counter((e.client_id, e.op_id) for e in log_of(shared_pair.engine, scene.id))
    for peer in peers:
        for op_id in peer.acknowledged:
            assert log[(peer.client.client_id, op_id)] == 1


def post_during_cut(cluster: Cluster, api: Api, path: str, body: dict[str, Any]) -> httpx.Response:
    """Sends a REST op, and cuts every connection while it waits inside its transaction."""
    answer: list[httpx.Response] = []
    with workshop_locked(cluster.url, body["workshop_id"]) as locker:
        sender = threading.Thread(target=lambda: answer.append(api.post(path, json=body["item"])))
        sender.start()
        deadline = time.monotonic() + 15
        while not lock_waiters(cluster.url, locker):
            assert time.monotonic() < deadline, "the op never reached the database"
            time.sleep(0.02)
        assert cut_everything(cluster, spare=locker) >= 1
        sender.join(15)
    assert not sender.is_alive() and answer
    return answer[0]


def rest_scene(cluster: Cluster) -> tuple[Api, str, dict[str, Any]]:
    scene = cluster.scene(0)
    ben = scene.join(0, "Ben")
    path = f"/api/workshops/{scene.id}/checklists/{scene.checklist(0)}/items"
    item = {"id": f"rest-{token()}", "kind": "need", "title": "Sent as the database went"}
    return ben, path, {"workshop_id": scene.id, "item": item}


def test_rest_op_in_flight_is_not_applied_and_can_be_sent_again(shared_pair: Cluster) -> None:
    ben, path, body = rest_scene(shared_pair)
    answer = post_during_cut(shared_pair, ben, path, body)
    assert answer.status_code in (500, 503), answer.text  # 503: see the test below
    assert not [
        e for e in log_of(shared_pair.engine, body["workshop_id"]) if e.kind == "item.create"
    ]

    # The client sends it again; the app has new connections by now.
    made = ok(ben.post(path, json=body["item"]), 201)
    assert made["id"] == body["item"]["id"]
    creates = [
        e for e in log_of(shared_pair.engine, body["workshop_id"]) if e.kind == "item.create"
    ]
    assert [c["id"] for e in creates for c in e.changes] == [made["id"]]


def test_rest_op_in_flight_answers_503_unavailable(shared_pair: Cluster) -> None:
    ben, path, body = rest_scene(shared_pair)
    answer = post_during_cut(shared_pair, ben, path, body)
    assert error_of(answer, 503)["code"] == "unavailable"
