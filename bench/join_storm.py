"""Joins and reconnect storms: Roundtable against a bare ``websockets`` server doing the
same connects.

One workshop (review phase: everyone reads their group's list and the consolidated one)
with ``--groups`` groups and ``--connections`` members spread over them, each member one
connection. Per trial, each server is started afresh and:

1. **Open.** Every connection opens and says ``hello`` at the same moment; the figure is
   the time until the last one has its ``welcome`` (Roundtable: and its snapshot). The
   server's resident memory growth over the count is the memory per connection.
2. **Storm.** ``--storm`` of them drop at once (their TCP connection aborted); on
   Roundtable a facilitator makes ``--edits`` edits on the consolidated list meanwhile;
   then all come back at the same moment with the ``last_seq`` they had. The figure is
   the time until the last one has caught up to the head (Roundtable: events, never a
   snapshot; the bare server: its ``welcome``, the least a reconnect costs).

Each figure is the median of the trials, and reported as a ratio to the bare server's
median. A gap in any client's stream, a snapshot where events were due or a client that
never catches up fails the run (exit status 1).

    python bench/join_storm.py                    # 1,000 connections, storm of 300, 3 trials
    python bench/join_storm.py --quick            # 60 connections, storm of 30, one trial
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from fanout import code_version, machine
from fanout_load import process_cpu_s
from fanout_setup import (
    FACILITATOR,
    Roundtable,
    ServerProcess,
    bare_server,
    running,
)
from idle_connections import memory_kib

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
OPEN_TIMEOUT = 300.0


@dataclass
class Client:
    """One member's connection; reads everything that comes and keeps its ``last_seq``."""

    url: str
    origin: str
    cookie: str
    workshop_id: int
    client_id: str
    last_seq: int = 0
    welcomed: float = 0.0  # perf_counter at welcome (bare) or at the snapshot/events after it
    snapshots: int = 0
    gaps: int = 0
    ws: Any = None
    reader: asyncio.Task[None] | None = None
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    target: int = 0  # the seq this client waits for
    light: bool = True  # read only what the bench needs of each message (see ``peek``)

    async def connect(self, expect_state: bool) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            self.url,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers=headers,
            max_size=2**24,
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,
        )
        hello = {
            "type": "hello",
            "protocol": 1,
            "workshop_id": self.workshop_id,
            "client_id": self.client_id,
            "last_seq": self.last_seq,
        }
        self.caught_up.clear()
        await self.ws.send(json.dumps(hello))
        self.reader = asyncio.create_task(self._read(expect_state))
        await self.caught_up.wait()

    async def _read(self, expect_state: bool) -> None:
        try:
            async for raw in self.ws:
                message = peek(raw) if self.light else json.loads(raw)
                if message is None:
                    continue
                kind = message["type"]
                if kind == "welcome":
                    self.target = max(self.target, message["head_seq"])
                    if not expect_state or self.last_seq >= self.target:
                        self._done()
                elif kind == "snapshot":
                    self.snapshots += 1
                    self.last_seq = message["seq"]
                elif kind == "events":
                    if message["from"] != self.last_seq + 1:
                        self.gaps += 1
                    self.last_seq = message["to"]
                if expect_state and kind in ("snapshot", "events") and self.last_seq >= self.target:
                    self._done()
        except websockets.ConnectionClosed:
            pass

    def _done(self) -> None:
        if not self.caught_up.is_set():
            self.welcomed = time.perf_counter()
            self.caught_up.set()

    def abort(self) -> None:
        self.ws.transport.abort()
        if self.reader is not None:
            self.reader.cancel()

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            self.ws.transport.abort()


_SNAPSHOT_HEAD = re.compile(r'\{"type":"snapshot","seq":(\d+),')


def peek(raw: str | bytes) -> dict[str, Any] | None:
    """What the bench needs of a server message, without decoding all of it: one process
    plays every client here, so decoding a thousand snapshots (and everyone's presence)
    would time this process, not the server. A presence message is skipped (``None``);
    a snapshot gives its type and seq, from the head of its text; anything else, or a
    head that does not look as expected, is decoded in full."""
    text = raw if isinstance(raw, str) else raw.decode()
    if text.startswith('{"type":"presence"'):
        return None
    head = _SNAPSHOT_HEAD.match(text, 0, 64)
    if head is not None:
        return {"type": "snapshot", "seq": int(head.group(1))}
    return dict(json.loads(text))


# -- the workshop --------------------------------------------------------------------
@dataclass(frozen=True)
class Seeded:
    workshop_id: int
    consolidated: int
    cookies: list[str]  # one per member, interleaved over the groups


async def seed(origin: str, groups: int, members: int) -> Seeded:
    """A facilitator's workshop with ``groups`` groups in review, and ``members`` people
    who joined with the groups' codes (round-robin over the groups)."""
    headers = {"Origin": origin}
    async with httpx.AsyncClient(base_url=origin, headers=headers, timeout=120) as fac:
        email, password = FACILITATOR
        ok(await fac.post("/api/auth/login", json={"email": email, "password": password}))
        fac.headers["X-CSRF-Token"] = fac.cookies["rt_csrf"]
        wid = ok(await fac.post("/api/workshops", json={"title": "Join storm"}), 201)["id"]
        made = [
            ok(await fac.post(f"/api/workshops/{wid}/groups", json={"name": f"G{n}"}), 201)
            for n in range(groups)
        ]
        ok(await fac.patch(f"/api/workshops/{wid}", json={"phase": "review"}))
        checklists = ok(await fac.get(f"/api/workshops/{wid}/checklists"))
        consolidated = next(c["id"] for c in checklists if c["group_id"] is None)

    limit = asyncio.Semaphore(8)

    async def join(n: int) -> str:
        group = made[n % groups]
        async with limit, httpx.AsyncClient(base_url=origin, headers=headers) as member:
            body = {"code": group["join_code"], "display_name": f"Member {n}"}
            ok(await member.post("/api/join", json=body), 201)
            return "; ".join(f"{k}={v}" for k, v in member.cookies.items())

    cookies = await asyncio.gather(*(join(n) for n in range(members)))
    return Seeded(wid, consolidated, list(cookies))


def ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        request = response.request
        raise RuntimeError(f"{request.method} {request.url}: {response.text[:300]}")
    return response.json()


async def edit(origin: str, seeded: Seeded, count: int, label: str) -> int:
    """``count`` new items on the consolidated list; returns the workshop's head."""
    async with httpx.AsyncClient(base_url=origin, headers={"Origin": origin}, timeout=60) as fac:
        email, password = FACILITATOR
        ok(await fac.post("/api/auth/login", json={"email": email, "password": password}))
        fac.headers["X-CSRF-Token"] = fac.cookies["rt_csrf"]
        path = f"/api/workshops/{seeded.workshop_id}/checklists/{seeded.consolidated}/items"
        for n in range(count):
            body = {"kind": "need", "title": f"{label} {n}"}
            ok(await fac.post(path, json=body), 201)
        return int(ok(await fac.get(f"/api/workshops/{seeded.workshop_id}"))["head_seq"])


# -- one trial -----------------------------------------------------------------------
@dataclass
class Target:
    """A running server and how its clients reach it."""

    server: ServerProcess
    url_of: Callable[[int], str]
    cookie_of: Callable[[int], str]
    workshop_id: int
    stateful: bool  # Roundtable: welcome, then a snapshot or events
    edits: Callable[[], Awaitable[int]] | None  # Roundtable: the facilitator's edits


async def trial(
    target: Target, count: int, storm: int, tag: str, light: bool = True
) -> dict[str, Any]:
    pid = target.server.proc.pid if target.server.proc is not None else 0
    clients = [
        Client(
            target.url_of(n),
            target.server.origin,
            target.cookie_of(n),
            target.workshop_id,
            f"storm-{tag}-{n:05d}",
            light=light,
        )
        for n in range(count)
    ]
    try:
        await asyncio.sleep(1.0)
        before = memory_kib(pid)
        cpu0 = process_cpu_s(pid)
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(c.connect(target.stateful) for c in clients)), OPEN_TIMEOUT
        )
        open_s = max(c.welcomed for c in clients) - started
        open_cpu_s = process_cpu_s(pid) - cpu0
        await asyncio.sleep(2.0)
        after = memory_kib(pid)

        away = clients[:storm]
        for client in away:
            client.abort()
        head = await target.edits() if target.edits is not None else 0
        for client in away:
            client.target = head
        snapshots_before = sum(c.snapshots for c in away)
        cpu0 = process_cpu_s(pid)
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(c.connect(target.stateful) for c in away)), OPEN_TIMEOUT
        )
        storm_s = max(c.welcomed for c in away) - started
        storm_cpu_s = process_cpu_s(pid) - cpu0
        snapshots = sum(c.snapshots for c in away) - snapshots_before
        gaps = sum(c.gaps for c in clients)
        behind = sum(1 for c in away if target.stateful and c.last_seq < head)
        return {
            "connections": count,
            "open_s": round(open_s, 3),
            "open_cpu_s": round(open_cpu_s, 3),  # the server's, until the last was in
            "per_connection_kib": round((after["rss"] - before["rss"]) / count, 2),
            "per_connection_pss_kib": round((after["pss"] - before["pss"]) / count, 2),
            "storm_clients": storm,
            "storm_s": round(storm_s, 3),
            "storm_cpu_s": round(storm_cpu_s, 3),
            "storm_snapshots": snapshots,
            "gaps": gaps,
            "behind": behind,
            "load_1min": round(os.getloadavg()[0], 2),  # the machine's, at the trial's end
        }
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def roundtable_trial(
    rt: Roundtable, seeded: Seeded, count: int, storm: int, edits: int, tag: str, light: bool
) -> dict[str, Any]:
    with running(rt.server(), None) as server:
        url = f"ws://127.0.0.1:{server.port}/api/ws"
        target = Target(
            server,
            lambda n: url,
            lambda n: seeded.cookies[n],
            seeded.workshop_id,
            stateful=True,
            edits=lambda: edit(server.origin, seeded, edits, f"Away {tag}"),
        )
        return asyncio.run(trial(target, count, storm, tag, light))


def bare_trial(
    work: Path, count: int, storm: int, groups: int, tag: str, light: bool
) -> dict[str, Any]:
    with running(bare_server(work), None) as server:
        target = Target(
            server,
            lambda n: f"ws://127.0.0.1:{server.port}/room/{n % groups}",
            lambda n: "",
            1,
            stateful=False,
            edits=None,
        )
        return asyncio.run(trial(target, count, storm, tag, light))


def summarise(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--storm", type=int, default=300)
    parser.add_argument("--edits", type=int, default=20, help="made while the storm is away")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="60 connections, storm of 30")
    parser.add_argument(
        "--parse-all",
        action="store_true",
        help="decode every message in full (before 2026-11-29 23:20 the bench always did)",
    )
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    light = not args.parse_all
    if args.quick:
        args.connections, args.storm, args.trials = 60, 30, 1
    args.storm = min(args.storm, args.connections)

    trials: dict[str, list[dict[str, Any]]] = {"roundtable": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="rt-join-") as tmp:
        work = Path(tmp)
        rt = Roundtable(work)
        rt.prepare()
        with running(rt.server(), None) as server:
            seeded = asyncio.run(seed(server.origin, args.groups, args.connections))
        for n in range(args.trials):
            tag = f"t{n}"
            order = ["bare", "roundtable"] if n % 2 == 0 else ["roundtable", "bare"]
            for name in order:
                if name == "bare":
                    result = bare_trial(work, args.connections, args.storm, args.groups, tag, light)
                else:
                    result = roundtable_trial(
                        rt, seeded, args.connections, args.storm, args.edits, tag, light
                    )
                trials[name].append(result)
            r, b = trials["roundtable"][-1], trials["bare"][-1]
            print(
                f"trial {n + 1}: open {args.connections}: roundtable {r['open_s']:.2f} s, "
                f"bare {b['open_s']:.2f} s; storm {args.storm}: roundtable {r['storm_s']:.2f} s, "
                f"bare {b['storm_s']:.2f} s; KiB/connection {r['per_connection_kib']:.1f} vs "
                f"{b['per_connection_kib']:.1f}; server CPU s: open {r['open_cpu_s']:.2f} vs "
                f"{b['open_cpu_s']:.2f}, storm {r['storm_cpu_s']:.2f} vs {b['storm_cpu_s']:.2f}; "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )

    def median(name: str, key: str) -> float:
        return statistics.median(t[key] for t in trials[name])

    summary = {
        key: {
            "roundtable": summarise([t[key] for t in trials["roundtable"]]),
            "bare": summarise([t[key] for t in trials["bare"]]),
            "ratio": round(median("roundtable", key) / max(median("bare", key), 1e-3), 2),
        }
        for key in ("open_s", "open_cpu_s", "storm_s", "storm_cpu_s", "per_connection_kib")
    }
    failures = [
        f"{name} trial {n + 1}: {t['gaps']} gaps, {t['behind']} behind, "
        f"{t['storm_snapshots']} snapshots"
        for name in trials
        for n, t in enumerate(trials[name])
        if t["gaps"] or t["behind"] or (name == "roundtable" and t["storm_snapshots"])
    ]
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": machine(),
        "settings": vars(args) | {"output": str(args.output) if args.output else None},
        "trials": trials,
        "summary": summary,
        "failures": failures,
    }
    output = args.output or RESULTS / (
        f"join-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}{'-quick' if args.quick else ''}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nmedians of {args.trials} (roundtable / bare = ratio):")
    for key, figures in summary.items():
        print(
            f"  {key}: {figures['roundtable']['median']:.2f} / {figures['bare']['median']:.2f}"
            f" = {figures['ratio']:.2f}"
        )
    print(f"results: {output}")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
