"""``roundtable serve --workers 2`` on PostgreSQL: one port, two worker processes, the
kernel handing each new connection to one of them. Everyone gets every event they may
see, whichever worker they landed on and whichever worker the writer is on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from roundtable.db import make_engine
from tests.integration.cluster import backends
from tests.realtime.clients import LiveClient, log_of, opened, visible_state
from tests.support import (
    PG_BASE_URL,
    ROOT,
    Api,
    LiveServer,
    create_facilitator_account,
    ok,
    setup_workshop,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

WORKERS = 2
OPS_PER_WRITER = 10
MAX_CLIENTS = 24


class ServedByCli(LiveServer):
    """``roundtable serve --workers N``, as an operator starts it. Stopping it stops the
    whole process group it started (the supervisor and its workers)."""

    def __init__(self, database_url: str, workers: int) -> None:
        super().__init__(database_url)
        self.workers = workers

    def start(self, timeout: float = 40.0) -> ServedByCli:
        env = {**os.environ, "DATABASE_URL": self.database_url, "POLL_INTERVAL": "0.5"}
        command = [str(ROOT / ".venv" / "bin" / "roundtable"), "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--log-level", "warning"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        dbname = self.database_url.rpartition("/")[2]
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited early:\n{self.log_path.read_text()[-3000:]}")
            # Ready when every worker has its LISTEN connection and one answers.
            if len(backends(PG_BASE_URL, dbname, listening=True)) == self.workers:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.base_url}/api/health", timeout=1).status_code == 200:
                        return self
            time.sleep(0.1)
        raise RuntimeError(f"serve did not start:\n{self.log_path.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children]

    def stop(self) -> None:
        self.close_clients()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):  # a worker left behind
            os.killpg(self.proc.pid, signal.SIGKILL)


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def server_side_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the accepted socket of the TCP connection ``client_port`` made."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if (
                    int(local.rsplit(":", 1)[1], 16) == server_port
                    and int(remote.rsplit(":", 1)[1], 16) == client_port
                ):
                    return inode
    return None


def worker_of(server: ServedByCli, client: LiveClient) -> int | None:
    inode = server_side_inode(server.port, client.ws.local_address[1])
    for pid in server.worker_pids():
        if inode is not None and inode in socket_inodes(pid):
            return pid
    return None


@pytest.fixture
def served(pg_url: str) -> Iterator[ServedByCli]:
    create_facilitator_account(pg_url)
    server = ServedByCli(pg_url, WORKERS)
    try:
        yield server.start()
    finally:
        server.stop()


def test_serve_with_two_workers_delivers_to_everyone(served: ServedByCli) -> None:
    fac = served.api()
    ok(fac.login())
    made = setup_workshop(fac, groups=2)
    wid = made["id"]
    people: list[Api] = [fac]
    engine = make_engine(served.database_url)

    def newcomer(n: int) -> Api:
        api = served.api()
        api.join(made["groups"][n % 2]["join_code"], f"Person {n}")
        return api

    async def scenario() -> None:
        clients: list[LiveClient] = []
        async with contextlib.AsyncExitStack() as stack:

            async def connect(api: Api) -> LiveClient:
                client = LiveClient(served, api, wid)
                await stack.enter_async_context(opened(client))
                await client.connect()
                await client.expect("snapshot")
                return client

            # Several at once; more until both workers hold some (the kernel decides).
            people.extend(newcomer(n) for n in range(7))
            clients.extend(await asyncio.gather(*(connect(api) for api in people)))
            while len({worker_of(served, c) for c in clients}) < WORKERS:
                assert len(clients) < MAX_CLIENTS, "every connection went to one worker"
                api = newcomer(len(people))
                people.append(api)
                clients.append(await connect(api))
            placed = {worker_of(served, c) for c in clients}
            assert None not in placed and len(placed) == WORKERS, placed

            # Writers on both workers, at once: the facilitator and one of each group.
            workers = {worker_of(served, c): c for c in clients}
            writers = list(workers.values())
            writers += [c for c in clients[1:3] if c not in writers]
            checklist_of = {
                c.client_id: sorted(
                    i for i, cl in c.entities["checklist"].items() if cl.get("group_id") is not None
                )[0]
                for c in writers
            }
            starts = {c.client_id: c.last_seq for c in clients}

            async def write(client: LiveClient) -> None:
                for n in range(1, OPS_PER_WRITER + 1):
                    await client.op(
                        n,
                        "item.create",
                        checklist_id=checklist_of[client.client_id],
                        kind="need",
                        title=f"{client.client_id} {n}",
                    )
                    await asyncio.sleep(0.02)

            await asyncio.gather(*(write(c) for c in writers))
            for client in writers:
                await client.until_seen(OPS_PER_WRITER, timeout=20)
            ok(fac.patch(f"/api/workshops/{wid}", json={"description": "barrier"}))
            log = log_of(engine, wid)
            head = log[-1].seq
            for client in clients:
                await client.until_seq(head, timeout=20)

            for client in clients:
                readable = set(client.entities["checklist"])
                expected = [
                    e.seq
                    for e in log
                    if e.seq > starts[client.client_id] and (e.scope is None or e.scope in readable)
                ]
                got = [e["seq"] for b in client.batches for e in b["events"]]
                assert got == expected, f"{client.client_id} on {worker_of(served, client)}"
                assert client.rejects == []
                fresh = LiveClient(served, client.api, wid)
                async with opened(fresh):
                    await fresh.connect(last_seq=0)
                    await fresh.expect("snapshot")
                assert visible_state(client.entities) == visible_state(fresh.entities)

    try:
        asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        engine.dispose()
