"""Fan-out on PostgreSQL with 1, 2 or 4 app processes, for ``fanout.py --database postgres``.

Per run: a fresh database (``CREATE DATABASE`` on the base URL, dropped afterwards),
``roundtable migrate`` and ``create-facilitator`` on it, and the same workshop seeded
there and in a SQLite file. Each trial runs, in a rotating order, one Roundtable process
on SQLite (the reference) and N ``roundtable serve`` processes sharing the PostgreSQL
database for every N asked for. Members' connections go round-robin over the N processes
(consecutive members of a checklist sit on different processes, writers included), so
every edit is committed by one process and reaches the others through LISTEN/NOTIFY.

Server CPU over the measured window is the ``utime + stime`` of the N app processes plus
that of the PostgreSQL backends connected to the bench's database: their pids come from
``pg_stat_activity`` (``datname`` = the bench database, the monitoring connection
excluded), their CPU from ``/proc/<pid>/stat``, which any user can read although they run
as ``postgres``. Backends are tracked by pid across the window, a backend that exits
keeping its last reading, so the sum never goes backwards. PostgreSQL's shared
processes (WAL writer, checkpointer, background writer) serve every database of the
cluster and are left out.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from pathlib import Path

import psycopg
from fanout_load import MemberSpec, process_cpu_s
from fanout_setup import Roundtable, ServerProcess, Workshop, running
from psycopg import sql

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def base_url() -> str:
    return os.environ.get("ROUNDTABLE_TEST_PG_URL") or DEFAULT_PG_URL


def with_database(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name`` (the query string kept)."""
    head, _, query = url.partition("?")
    head = head.rsplit("/", 1)[0] + "/" + name
    return f"{head}?{query}" if query else head


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database on the base URL's server; dropped on the way out."""
    name = f"rt_fanout_{secrets.token_hex(4)}"
    admin = base_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


class PostgresRoundtable(Roundtable):
    """Roundtable's commands against a PostgreSQL database instead of a SQLite file."""

    def __init__(self, work: Path, url: str) -> None:
        super().__init__(work)
        self.url = url
        self.env = {**self.env, "DATABASE_URL": url}

    def servers(self, n: int) -> list[ServerProcess]:
        """``n`` processes on their own ports, each accepting the first one's Origin (the
        load client sends a single Origin whichever process a member is on)."""
        servers = [self.server() for _ in range(n)]
        origins = json.dumps([servers[0].origin])
        for k, server in enumerate(servers):
            server.name = f"roundtable-pg-{k + 1}"
            server.log = self.work / f"roundtable-pg-{k + 1}.log"
            server.env = {**server.env, "ALLOWED_ORIGINS": origins}
        return servers


class BackendCpu:
    """Cumulative CPU seconds of the PostgreSQL backends connected to one database."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.last: dict[int, float] = {}

    def pids(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [int(pid) for (pid,) in rows]

    def __call__(self) -> float:
        for pid in self.pids():
            # gone between the query and the read: keep what we had
            with suppress(OSError):
                self.last[pid] = process_cpu_s(pid)
        return sum(self.last.values())

    def close(self) -> None:
        self.conn.close()


def spread(workshop: Workshop, servers: Sequence[ServerProcess]) -> list[MemberSpec]:
    """Every member, the i-th (over the whole workshop) on process ``i mod N``."""
    urls = [f"ws://127.0.0.1:{s.port}/api/ws" for s in servers]
    members = workshop.members(lambda _room: "", cookies=True)
    return [replace(m, url=urls[i % len(urls)]) for i, m in enumerate(members)]


@contextmanager
def all_running(servers: Sequence[ServerProcess], cpu: int | None) -> Iterator[None]:
    with ExitStack() as stack:
        for server in servers:
            stack.enter_context(running(server, cpu))
        yield


class ServerCpu:
    """The server side's CPU seconds: the app processes plus, on PostgreSQL, the
    backends of the bench database; each reading also keeps the backends' share."""

    def __init__(self, servers: Sequence[ServerProcess], backends: BackendCpu | None) -> None:
        self.servers, self.backends = servers, backends
        self.readings: list[tuple[float, float]] = []  # (app processes, backends)

    def __call__(self) -> float:
        app = sum(s.cpu_s() for s in self.servers)
        pg = self.backends() if self.backends is not None else 0.0
        self.readings.append((app, pg))
        return app + pg

    def backends_s(self) -> float:
        """The backends' CPU between the first and the last reading."""
        return self.readings[-1][1] - self.readings[0][1] if self.readings else 0.0
