"""The server is killed with -9 at full load: 8 live peers sending as fast as it takes
them, and a REST client creating items, and restarted on the same database.

Whatever was acknowledged (an event back in the stream, a 201) is there exactly once;
what was in flight got no answer at all (the process died), never a wrong one; each
client resends what it holds (the REST client its item, which comes back created or
``409`` when it had been committed after all); everyone converges; SQLite's file is
intact."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.faults.scenes import (
    acknowledged,
    answering,
    assert_clean_outcome,
    item_path,
    new_item,
    run_through,
    sqlite_path,
    sqlite_server,
)
from tests.integration.cluster import PatientPeer, follow, spread_peers
from tests.realtime.clients import log_of
from tests.support import Api

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

SEED = 20261130
STEPS = 60
OP_EVERY_S = 0.02  # each of 8 peers: as fast as the server answers


class RestWriter:
    """Creates items one after another; an item whose request got no answer is sent
    again (same id) until it gets one."""

    def __init__(self, api: Api, path: str) -> None:
        self.api, self.path = api, path
        self.created: list[str] = []  # 201
        self.conflicts: list[str] = []  # 409 on a resend: committed before the kill
        self.unanswered = 0
        self.statuses: Counter[int] = Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            body = new_item("Sent over REST")
            resent = False
            while True:
                try:
                    answer = self.api.post(self.path, json=body)
                except httpx.TransportError:
                    self.unanswered += 1
                    resent = True
                    self.stop.wait(0.2)
                    continue
                self.statuses[answer.status_code] += 1
                if answer.status_code == 201:
                    self.created.append(body["id"])
                elif answer.status_code == 409 and resent:
                    self.conflicts.append(body["id"])
                else:
                    raise AssertionError(f"{answer.status_code}: {answer.text}")
                break


def test_kill_9_under_load(tmp_path: Path) -> None:
    with sqlite_server(tmp_path) as c:
        server = c.servers[0]
        scene = c.scene(0)
        peers = spread_peers(c, scene, c.servers, 4, SEED, kind=PatientPeer)
        writer = RestWriter(follow(scene.join(1, "Rest"), server), item_path(scene, 1))
        thread = threading.Thread(target=writer.run)
        killed: dict[str, int] = {}

        async def kill_and_restart() -> None:
            await acknowledged(peers, 80)
            # Kill with ops in flight, not in a lull between two: a fast server answers
            # within a millisecond, so a kill at an arbitrary moment may find none.
            while not any(p.pending for p in peers):
                await asyncio.sleep(0.001)
            server.kill()  # nothing awaited since the look: those ops are still in flight
            killed["pending"] = sum(len(p.pending) for p in peers)
            await asyncio.to_thread(server.start, 90)
            # The REST client gets through to the new process, then stops, so the log
            # holds still while everyone converges.
            answered = writer.created[-1:] + writer.conflicts[-1:]
            while writer.created[-1:] + writer.conflicts[-1:] == answered:
                await asyncio.sleep(0.05)
            writer.stop.set()
            await asyncio.to_thread(thread.join, 30)

        thread.start()
        try:
            asyncio.run(
                run_through(
                    c, scene, peers, kill_and_restart, steps=STEPS, every=OP_EVERY_S, timeout=130
                )
            )
        finally:
            writer.stop.set()
            thread.join(30)

        assert killed["pending"] > 0, "nothing was in flight at the kill"
        assert all(p.connects >= 2 for p in peers)
        assert_clean_outcome(c, scene, peers)
        # Every REST item is there once, whether its 201 came or not; nothing else
        # was answered (no 500, no 503: the process was simply gone).
        assert writer.unanswered > 0 and set(writer.statuses) <= {201, 409}, writer.statuses
        made = Counter(
            change["id"]
            for event in log_of(c.engine, scene.id)
            if event.kind == "item.create"
            for change in event.changes
        )
        for item_id in writer.created + writer.conflicts:
            assert made[item_id] == 1, item_id
        with sqlite3.connect(sqlite_path(c)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        scene.fac = follow(scene.fac, server)
        answering(c, scene)
