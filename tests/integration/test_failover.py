"""One of two app processes is killed with -9 while its clients and the other's are
sending ops at a steady rate: its clients go over to the other process, catch up from
their ``last_seq``, resend what was not acknowledged, and nothing is lost or doubled."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.integration.cluster import Cluster, FailoverPeer, follow, spread_peers
from tests.realtime.clients import log_of
from tests.realtime.peers import Peer
from tests.realtime.test_convergence import converge
from tests.support import ok

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

SEED = 20260429
PER_GROUP_AND_PROCESS = 2
STEPS = 40
OP_EVERY_S = 0.03  # per peer: 8 peers, about 250 ops a second in all


def test_kill_9_clients_fail_over_to_the_other_process(pair: Cluster) -> None:
    doomed, survivor = pair.servers
    scene = pair.scene(1)  # the facilitator works through the survivor
    peers = spread_peers(pair, scene, [doomed, survivor], PER_GROUP_AND_PROCESS, SEED)
    on_doomed = [p for p in peers if p.client.server is doomed]
    acked_at_kill: dict[str, set[int]] = {}
    pending_at_kill: dict[str, set[int]] = {}
    next_at_kill: dict[str, int] = {}
    killed = asyncio.Event()

    async def kill_mid_stream() -> None:
        # Once a good number of ops are through, at a moment when some sent to the doomed
        # process are not yet acknowledged (no await between the look and the kill).
        await asyncio.wait_for(until_acknowledged(peers, 40), 30)
        await asyncio.wait_for(wait_until_pending(on_doomed), 30)
        doomed.kill()
        killed.set()
        acked_at_kill.update({p.name: set(p.acknowledged) for p in peers})
        pending_at_kill.update({p.name: set(p.pending) for p in peers})
        next_at_kill.update({p.name: p.next_op for p in peers})

    async def scenario() -> None:
        try:
            await asyncio.gather(
                kill_mid_stream(), *(p.run_steady(STEPS, OP_EVERY_S, killed) for p in peers)
            )
            await converge(scene, pair.engine, list[Peer](peers))
        finally:
            for peer in peers:
                await peer.disconnect(abrupt=False)

    asyncio.run(asyncio.wait_for(scenario(), 75))

    log = Counter((e.client_id, e.op_id) for e in log_of(pair.engine, scene.id))
    for peer in peers:
        for op_id in acked_at_kill[peer.name] | peer.acknowledged:
            assert log[(peer.client.client_id, op_id)] == 1, f"{peer.name}: op {op_id}"
        assert not peer.errors
    for peer in on_doomed:
        # It went over to the survivor with a hello carrying what it had.
        assert peer.client.server is survivor
        assert peer.connects == 2, peer.hellos
        port, last_seq = peer.hellos[-1]
        assert port == survivor.port and last_seq > 0
        assert peer.close_codes[0] == 1006  # the process died: no close frame
        assert peer.next_op > next_at_kill[peer.name], "it went on sending after the kill"
    for peer in peers:
        if peer not in on_doomed:
            assert peer.connects == 1 and peer.client.server is survivor
    # The kill did land mid-stream: ops were still in flight on the dead process.
    assert sum(len(pending_at_kill[p.name]) for p in on_doomed) > 0
    # The REST view of the log, through the survivor, holds each op once as well.
    fac = follow(scene.fac, survivor)
    listed = ok(fac.get(f"/api/workshops/{scene.id}/events", params={"limit": 1000}))
    ops = Counter((e["client_id"], e["op_id"]) for e in listed if e["client_id"])
    assert set(ops.values()) == {1}
    assert sum(ops.values()) == sum(log[k] for k in log if k[0] is not None)


async def wait_until_pending(peers: list[FailoverPeer]) -> None:
    while not any(p.pending for p in peers):
        await asyncio.sleep(0)


async def until_acknowledged(peers: list[FailoverPeer], count: int) -> None:
    while sum(len(p.acknowledged) for p in peers) < count:
        await asyncio.sleep(0.01)
