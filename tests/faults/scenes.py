"""What the fault tests share: servers on their own database, peers that keep working
through the fault, and the checks every fault ends with.

After each fault: every acknowledged op is in the log exactly once, every client holds
what a fresh snapshot and the database hold (``converge``), the requests caught by the
fault were answered cleanly (``503 unavailable`` or a 1013 close, never a 500 or a
refusal that would drop the op), and the service answers again (``answering``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.integration.cluster import Cluster, FailoverPeer, cluster, spread_peers
from tests.realtime.clients import Scene, log_of, open_database, token
from tests.realtime.peers import Peer
from tests.realtime.test_convergence import converge
from tests.support import ok


@contextmanager
def sqlite_server(
    tmp: Path, env: dict[str, str] | None = None, *, cli: bool = False
) -> Iterator[Cluster]:
    """One uvicorn process on a new SQLite database under ``tmp`` (``roundtable serve``
    when ``cli``)."""
    with ExitStack() as stack:
        url = open_database("sqlite", tmp, stack)
        with cluster(url, processes=1, env=env, cli=cli) as made:
            yield made


def sqlite_path(c: Cluster) -> Path:
    return Path(c.url.split("///", 1)[1])


def peers_on(c: Cluster, scene: Scene, per_group: int, seed: int) -> list[FailoverPeer]:
    return spread_peers(c, scene, c.servers, per_group, seed)


async def acknowledged(peers: list[FailoverPeer], count: int) -> None:
    while sum(len(p.acknowledged) for p in peers) < count:
        await asyncio.sleep(0.01)


async def run_through(
    c: Cluster,
    scene: Scene,
    peers: list[FailoverPeer],
    fault: Callable[[], Awaitable[None]],
    *,
    steps: int,
    every: float,
    timeout: float = 90,
) -> None:
    """The peers send ``steps`` ops each, one every ``every`` s, reconnecting whenever
    their line is down, while ``fault`` runs; then everything must converge."""

    async def scenario() -> None:
        try:
            await asyncio.gather(fault(), *(p.run_steady(steps, every) for p in peers))
            await converge(scene, c.engine, list[Peer](peers))
        finally:
            for peer in peers:
                await peer.disconnect(abrupt=False)

    await asyncio.wait_for(scenario(), timeout)


def close_codes(peers: list[FailoverPeer]) -> Counter[int | None]:
    """How the server ended the peers' connections (the last one of each was ours)."""
    return Counter(code for p in peers for code in p.close_codes[:-1])


def assert_clean_outcome(c: Cluster, scene: Scene, peers: list[FailoverPeer]) -> None:
    """No op was refused for the fault's sake (a refusal drops it from the outbox), and
    each acknowledged op is in the log once."""
    refusals = Counter(code for p in peers for code in p.rejected.values())
    assert not refusals.keys() & {"internal", "unavailable"}, refusals
    log = Counter((e.client_id, e.op_id) for e in log_of(c.engine, scene.id))
    for peer in peers:
        assert not peer.errors, peer.errors
        for op_id in peer.acknowledged:
            assert log[(peer.client.client_id, op_id)] == 1, f"{peer.name}: op {op_id}"


def answering(c: Cluster, scene: Scene) -> None:
    """Every process is ready and takes a new edit."""
    for server in c.servers:
        assert ok(server.api().get("/api/ready"))["status"] == "ready"
    made = ok(scene.fac.post(item_path(scene), json=new_item("After the fault")), 201)
    assert made["title"] == "After the fault"


def item_path(scene: Scene, group: int = 0) -> str:
    return f"/api/workshops/{scene.id}/checklists/{scene.checklist(group)}/items"


def new_item(title: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"fault-{token()}", "kind": "need", "title": title, **extra}


def titles_created(c: Cluster, scene: Scene) -> list[str]:
    """The titles of the items the log says were created."""
    return [
        change["values"]["title"]
        for event in log_of(c.engine, scene.id)
        if event.kind == "item.create"
        for change in event.changes
        if change["entity"] == "item" and "values" in change
    ]
