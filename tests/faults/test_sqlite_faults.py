"""SQLite faults: the database locked by another writer for longer than the busy timeout,
and the disk full.

Ops caught by either must fail cleanly: the live connection closes with 1013 before any
op queued behind it is handled, REST answers ``503 unavailable`` (never a 500), nothing
of them is in the log or the rows; the clients keep them and resend them once the
database can write again, and everything converges.
"""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.scenes import (
    acknowledged,
    answering,
    assert_clean_outcome,
    close_codes,
    item_path,
    new_item,
    peers_on,
    run_through,
    sqlite_path,
    sqlite_server,
    titles_created,
)
from tests.integration.cluster import Cluster
from tests.realtime.clients import Scene
from tests.support import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, error_of, ok

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

BUSY_TIMEOUT_S = 0.5
FAULT_S = 3.0
STEPS = 50
OP_EVERY_S = 0.1  # per peer; 4 peers: the fault lasts through about 30 ops in all


def rest_during_fault(scene: Scene, c: Cluster) -> dict[str, httpx.Response]:
    """What a REST client gets while the database cannot write: an op, a sign-in and a
    join (all writes), and reads."""
    server = c.servers[0]
    visitor = server.api()
    return {
        "op": scene.fac.post(item_path(scene), json=new_item("During the fault")),
        "login": visitor.post(
            "/api/auth/login", json={"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
        ),
        "join": visitor.post(
            "/api/join",
            json={"code": scene.groups[0]["join_code"], "display_name": "Late Lee"},
        ),
        "read": scene.fac.get(f"/api/workshops/{scene.id}/checklists"),
        "ready": server.api().get("/api/ready"),
    }


def check_rest_answers(c: Cluster, scene: Scene, answers: dict[str, httpx.Response]) -> None:
    for what in ("op", "login", "join"):
        assert error_of(answers[what], 503)["code"] == "unavailable", what
    # Reads go on (WAL: readers never wait for the writer).
    assert answers["read"].status_code == 200
    assert answers["ready"].status_code == 200
    # Nothing of the refused writes was kept: no item, no member, no session for Lee.
    assert "During the fault" not in titles_created(c, scene)
    assert "Before the fault" in titles_created(c, scene)  # the check can see titles
    members = ok(scene.fac.get(f"/api/workshops/{scene.id}/members"))
    assert "Late Lee" not in {m["display_name"] for m in members}


def fault_scenario(
    c: Cluster, scene: Scene, hold: Callable[[Callable[[], None]], None], seed: int
) -> dict[str, httpx.Response]:
    """Peers work through a fault that ``hold`` keeps up while it calls its argument;
    returns what REST got meanwhile."""
    ok(scene.fac.post(item_path(scene), json=new_item("Before the fault")), 201)
    peers = peers_on(c, scene, 2, seed)
    answers: dict[str, httpx.Response] = {}

    async def fault() -> None:
        await acknowledged(peers, 20)

        def during() -> None:
            time.sleep(FAULT_S / 2)  # ops pile into the fault first
            answers.update(rest_during_fault(scene, c))
            time.sleep(FAULT_S / 2)

        await asyncio.to_thread(hold, during)

    asyncio.run(run_through(c, scene, peers, fault, steps=STEPS, every=OP_EVERY_S))
    codes = close_codes(peers)
    assert codes[1013] > 0, codes  # ops did meet the fault
    assert set(codes) == {1013}, codes
    assert sum(p.connects for p in peers) > len(peers)
    assert_clean_outcome(c, scene, peers)
    return answers


# -- locked ------------------------------------------------------------------------------
def hold_write_lock(path: Path, during: Callable[[], None]) -> None:
    """Another connection takes SQLite's write lock and keeps it while ``during`` runs."""
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")
        during()
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_database_locked_past_the_busy_timeout(tmp_path: Path) -> None:
    env = {"SQLITE_BUSY_TIMEOUT": str(BUSY_TIMEOUT_S)}
    with sqlite_server(tmp_path, env) as c:
        scene = c.scene(0)
        path = sqlite_path(c)
        answers = fault_scenario(c, scene, lambda during: hold_write_lock(path, during), 8101)
        check_rest_answers(c, scene, answers)
        answering(c, scene)


# -- disk full ---------------------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of our own: a disk that can really fill up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Writes a file until the disk has no room left; returns it."""
    filler = disk / "filler"
    block = b"\0" * 4096
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def test_disk_full(tiny_disk: Path) -> None:
    with sqlite_server(tiny_disk) as c:
        scene = c.scene(0)
        seen: dict[str, Any] = {}

        def hold_disk_full(during: Callable[[], None]) -> None:
            filler = fill(tiny_disk)
            try:
                during()
                # SQLite's own words reached the server: the real error, not a stand-in.
                seen["log"] = c.servers[0].log_path.read_text(errors="replace")
            finally:
                filler.unlink()
            threading.Event().wait(0.1)

        answers = fault_scenario(c, scene, hold_disk_full, 8102)
        check_rest_answers(c, scene, answers)
        assert "database or disk is full" in seen["log"]
        answering(c, scene)
