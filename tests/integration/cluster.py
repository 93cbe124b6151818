"""Several app processes on one PostgreSQL database, and what the scale-out tests do to it."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine

from roundtable.db import make_engine
from tests.realtime.clients import Live, Scene, make_scene
from tests.realtime.peers import Peer
from tests.support import Api, LiveServer

POLL_INTERVAL_S = 0.5
SERVER_ENV = {"POLL_INTERVAL": str(POLL_INTERVAL_S)}


@dataclass
class Cluster:
    url: str
    engine: Engine  # for reading rows back in assertions, never for writing
    servers: list[LiveServer]

    def live(self, n: int = 0) -> Live:
        return Live(self.servers[n], self.url, self.engine)

    def scene(self, n: int = 0, **kw: Any) -> Scene:
        return make_scene(self.live(n), **kw)

    @property
    def dbname(self) -> str:
        return self.url.rpartition("/")[2]


@contextmanager
def cluster(
    url: str, processes: int = 2, env: dict[str, str] | None = None, *, cli: bool = False
) -> Iterator[Cluster]:
    """``processes`` uvicorn processes on the database ``url`` (which has the schema and
    the facilitator's account); started as ``roundtable serve`` when ``cli``."""
    with ExitStack() as stack:
        servers = [
            LiveServer(url, env={**SERVER_ENV, **(env or {})}, cli=cli) for _ in range(processes)
        ]
        for server in servers:
            stack.callback(server.stop)
        with ThreadPoolExecutor(processes) as pool:  # they start in parallel
            list(pool.map(lambda s: s.start(timeout=90), servers))  # a busy CI box
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield Cluster(url, engine, servers)


def follow(api: Api, server: LiveServer) -> Api:
    """The same person (same cookies) talking to another process."""
    other = server.api()
    other.client.cookies.update(api.client.cookies)
    return other


def join_on(scene: Scene, server: LiveServer, group: int, name: str) -> Api:
    """A participant who joins through ``server``."""
    api = server.api()
    api.join(scene.groups[group]["join_code"], name)
    return api


# -- the database's side -----------------------------------------------------------------
def backends(base_url: str, dbname: str, *, listening: bool = False) -> set[int]:
    """The server processes of other sessions on ``dbname`` (only LISTEN ones if asked)."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    if listening:
        sql += " AND query ILIKE 'LISTEN%%'"
    with psycopg.connect(base_url, autocommit=True) as conn:
        return {int(row[0]) for row in conn.execute(sql, (dbname,)).fetchall()}


def terminate(base_url: str, pids: set[int]) -> int:
    """``pg_terminate_backend`` on each of ``pids``; how many were terminated."""
    if not pids:
        return 0
    with psycopg.connect(base_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)",
            (list(pids),),
        ).fetchall()
    return sum(1 for row in rows if row[0])


def terminate_listeners(base_url: str, dbname: str) -> int:
    with psycopg.connect(base_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query ILIKE 'LISTEN%%' AND datname = %s",
            (dbname,),
        ).fetchall()
    return sum(1 for row in rows if row[0])


async def wait_until(predicate: Any, timeout: float, what: str, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(step)


# -- clients -----------------------------------------------------------------------------
class FailoverPeer(Peer):
    """A :class:`Peer` that knows several processes: when the one it is on stops taking
    connections it goes to the next (as a load balancer would send it). It remembers how
    each of its connections ended."""

    def __init__(self, *args: Any, servers: list[LiveServer], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.servers = servers
        self.close_codes: list[int | None] = []
        self.hellos: list[tuple[int, int]] = []  # (port, last_seq) of each hello sent

    async def connect(self, deadline_s: float = 30.0) -> None:
        deadline = time.monotonic() + deadline_s
        while not self.connected:
            self.hellos.append((self.client.server.port, self.client.last_seq))
            try:
                await super().connect(deadline_s=0.3)
                return
            except Exception:  # refused, reset, or closed before the welcome
                self.hellos.pop()
                if time.monotonic() > deadline:
                    raise
                at = self.servers.index(self.client.server)
                self.client.server = self.servers[(at + 1) % len(self.servers)]

    async def _read(self) -> None:
        await super()._read()
        ws = self.client.ws
        self.close_codes.append(None if ws is None else ws.close_code)

    async def run_steady(
        self, steps: int, every: float, fault: asyncio.Event | None = None, after: int = 3
    ) -> None:
        """One op every ``every`` seconds, reconnecting whenever the line is down: ``steps``
        ops, and when ``fault`` is given, on until ``after`` more ops have gone after it is
        set (so a slow machine cannot finish the stream before the fault lands)."""
        await self.connect()
        done = 0
        since_fault = 0
        while done < steps or (fault is not None and since_fault < after):
            if not self.connected:
                await self.connect()
            await self.act()
            done += 1
            if fault is not None and fault.is_set():
                since_fault += 1
            await asyncio.sleep(every)


class PatientPeer(FailoverPeer):
    """A peer that keeps retrying for as long as a browser tab stays open (minutes), for
    faults that outlast :class:`FailoverPeer`'s 30 s."""

    async def connect(self, deadline_s: float = 150.0) -> None:
        await super().connect(deadline_s)


def spread_peers(
    cluster: Cluster,
    scene: Scene,
    servers: list[LiveServer],
    per_server: int,
    seed: int,
    kind: type[FailoverPeer] = FailoverPeer,
) -> list[FailoverPeer]:
    """``per_server`` members of every group on each of ``servers``, each with its own seeded
    random stream, able to fail over to any process of the cluster."""
    rng = random.Random(seed)
    peers: list[FailoverPeer] = []
    for group in range(len(scene.groups)):
        for server in servers:
            for n in range(per_server):
                name = f"g{group}-{server.port}-{n}"
                peers.append(
                    kind(
                        name,
                        server,
                        join_on(scene, server, group, name),
                        scene.id,
                        [scene.checklist(group)],
                        random.Random(rng.random()),
                        servers=cluster.servers,
                    )
                )
    return peers
