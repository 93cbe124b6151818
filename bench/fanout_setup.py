"""The servers under test and the workshop they serve, for ``fanout.py``.

Each server is a child process pinned to its own core. Roundtable is set up the way an
operator and a facilitator would: ``roundtable migrate`` and ``roundtable
create-facilitator`` on a fresh SQLite file, ``roundtable serve``, then the REST API for
the workshop, its groups and items, and ``POST /api/join`` for every member.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fanout_load import MemberSpec, process_cpu_s

BENCH = Path(__file__).resolve().parent
FACILITATOR = ("bench@example.org", "bench-facilitator-password")
SECRET_KEY = "fanout-bench-not-a-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pin(pid: int, cpu: int | None) -> None:
    """Pins every thread of ``pid`` to ``cpu`` (threads started later inherit it)."""
    if cpu is None:
        return
    for tid in os.listdir(f"/proc/{pid}/task"):
        os.sched_setaffinity(int(tid), {cpu})


class ServerProcess:
    """A server under test: its own process, on its own core, logging to a file."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str]) -> None:
        self.name, self.argv, self.log, self.env = name, argv, log, env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, cpu: int | None, timeout: float = 180.0) -> ServerProcess:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.argv, "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=BENCH.parent,
            )
        pin(self.proc.pid, cpu)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
                continue
            pin(self.proc.pid, cpu)  # and the threads it started meanwhile
            return self
        raise RuntimeError(f"{self.name} is not listening:\n{self.log.read_text()[-3000:]}")

    def cpu_s(self) -> float:
        assert self.proc is not None
        return process_cpu_s(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@contextmanager
def running(server: ServerProcess, cpu: int | None) -> Iterator[ServerProcess]:
    try:
        yield server.start(cpu)
    finally:
        server.stop()


# -- Roundtable and the baseline -------------------------------------------------------
class Roundtable:
    """A SQLite database in ``work`` and the commands that run Roundtable on it."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work / 'roundtable.sqlite3'}",
            "ROUNDTABLE_SECRET_KEY": SECRET_KEY,
        }

    def cli(self, *args: str) -> None:
        argv = [sys.executable, "-m", "roundtable.cli", *args]
        subprocess.run(argv, env=self.env, cwd=BENCH.parent, check=True, stdout=subprocess.DEVNULL)

    def prepare(self) -> None:
        self.cli("migrate")
        email, password = FACILITATOR
        self.cli("create-facilitator", "--email", email, "--password", password)

    def server(self) -> ServerProcess:
        argv = [sys.executable, "-m", "roundtable.cli", "serve", "--log-level", "warning"]
        return ServerProcess("roundtable", argv, self.work / "roundtable.log", self.env)


def bare_server(work: Path) -> ServerProcess:
    argv = [sys.executable, str(BENCH / "bare_server.py")]
    return ServerProcess("bare", argv, work / "bare.log", dict(os.environ))


# -- the workshop ----------------------------------------------------------------------
@dataclass(frozen=True)
class Room:
    checklist_id: int
    item_ids: list[str]  # one per writer
    cookies: list[str]  # one session per member


@dataclass(frozen=True)
class Workshop:
    id: int
    rooms: list[Room]

    def members(self, url_of: Callable[[Room], str], *, cookies: bool) -> list[MemberSpec]:
        """Every member, each room's first ``len(item_ids)`` members being its writers."""
        return [
            MemberSpec(
                room=room.checklist_id,
                url=url_of(room),
                cookie=cookie if cookies else "",
                item_id=room.item_ids[n] if n < len(room.item_ids) else None,
            )
            for room in self.rooms
            for n, cookie in enumerate(room.cookies)
        ]


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=30)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        request = response.request
        raise RuntimeError(f"{request.method} {request.url}: {response.text[:500]}")
    return response.json()


def seed_workshop(base_url: str, *, rooms: int, members: int, writers: int) -> Workshop:
    """As the facilitator: a workshop in breakout with ``rooms`` groups and an item per
    writer in each group's checklist; then ``members`` people join each group."""
    with _client(base_url) as fac:
        email, password = FACILITATOR
        _ok(fac.post("/api/auth/login", json={"email": email, "password": password}))
        fac.headers["X-CSRF-Token"] = fac.cookies["rt_csrf"]
        wid = _ok(fac.post("/api/workshops", json={"title": "Fan-out bench"}), 201)["id"]
        groups = [
            _ok(fac.post(f"/api/workshops/{wid}/groups", json={"name": f"Group {n + 1}"}), 201)
            for n in range(rooms)
        ]
        _ok(fac.patch(f"/api/workshops/{wid}", json={"phase": "breakout"}))
        items = {
            g["id"]: [
                _ok(
                    fac.post(
                        f"/api/workshops/{wid}/checklists/{g['checklist_id']}/items",
                        json={"kind": "need", "title": f"Item {w + 1} of {g['name']}"},
                    ),
                    201,
                )["id"]
                for w in range(writers)
            ]
            for g in groups
        }
    return Workshop(
        wid,
        [
            Room(g["checklist_id"], items[g["id"]], [join(base_url, g, m) for m in range(members)])
            for g in groups
        ],
    )


def join(base_url: str, group: dict[str, Any], n: int) -> str:
    """Joins ``group`` as its ``n``-th member; returns the session's Cookie header."""
    with _client(base_url) as member:
        body = {"code": group["join_code"], "display_name": f"{group['name']} member {n + 1}"}
        _ok(member.post("/api/join", json=body), 201)
        return "; ".join(f"{k}={v}" for k, v in member.cookies.items())
