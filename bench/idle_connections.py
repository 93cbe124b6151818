"""Idle connections: server memory per open WebSocket, Roundtable against a bare
``websockets`` server holding the same number.

Each server gets ``N`` connections that said ``hello``, got their ``welcome`` (and, on
Roundtable, the snapshot and presence list of a real workshop: one member per
connection, 10 groups per workshop, ``--workshops`` workshops sharing the connections),
then stay quiet. The figure is the growth of the server
process's resident memory (``VmRSS``; ``Pss`` from ``smaps_rollup`` alongside) from a
warmed-up start, over ``N``: what one more idle participant costs. Both servers run in
the same run on the same machine; their ratio is what the target (≤ 2.5) is about.

Then a reconnect storm on Roundtable: ``--storm`` of the first workshop's connections
drop at once, a facilitator makes 20 edits there, and they all come back with their
``last_seq`` at the same moment; the figure is the time until every one has caught up.

    python bench/idle_connections.py                  # 1,000 connections, 3 trials
    python bench/idle_connections.py --quick          # 50 connections, one trial
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from fanout import code_version, machine
from fanout_setup import FACILITATOR, Roundtable, bare_server, running, seed_workshop

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
GROUPS = 10
WARM_UP = 10
EDITS = 20


def memory_kib(pid: int) -> dict[str, int]:
    """Resident and proportional set size of ``pid``, in KiB."""
    out = {}
    for name, field in (("status", "VmRSS:"), ("smaps_rollup", "Pss:")):
        with open(f"/proc/{pid}/{name}", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field):
                    out["rss" if field == "VmRSS:" else "pss"] = int(line.split()[1])
                    break
    return out


class Holder:
    """Opens idle connections and keeps them (reading whatever comes)."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.last_seq: list[int] = []
        self.workshop: list[int] = []
        self.gaps = 0  # events batches that did not start right after last_seq

    async def open(self, url: str, origin: str, cookie: str, workshop_id: int) -> int:
        headers = {"Cookie": cookie} if cookie else {}
        ws = await websockets.connect(
            url, origin=origin, additional_headers=headers, max_size=2**24, open_timeout=60
        )
        index = len(self.sockets)
        self.sockets.append(ws)
        self.last_seq.append(0)
        self.workshop.append(workshop_id)
        await self.hello(index)
        return index

    async def hello(self, index: int) -> None:
        ws = self.sockets[index]
        hello = {
            "type": "hello",
            "protocol": 1,
            "workshop_id": self.workshop[index],
            "client_id": f"idle-{index:05d}-{id(self) % 10000}",
            "last_seq": self.last_seq[index],
        }
        await ws.send(json.dumps(hello))
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        self.readers.append(asyncio.create_task(self._read(index, ws)))

    async def _read(self, index: int, ws: Any) -> None:
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "snapshot":
                    self.last_seq[index] = message["seq"]
                elif message["type"] == "events":
                    if message["from"] != self.last_seq[index] + 1:
                        self.gaps += 1
                    self.last_seq[index] = message["to"]
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def in_waves(coros: Sequence[Any], size: int = 100) -> list[Any]:
    done: list[Any] = []
    for start in range(0, len(coros), size):
        done.extend(await asyncio.gather(*coros[start : start + size]))
    return done


async def settle(pid: int, seconds: float = 2.0) -> dict[str, int]:
    await asyncio.sleep(seconds)
    return memory_kib(pid)


async def measure(pid: int, opener: Any, count: int, storm: Any = None) -> dict[str, Any]:
    """Memory before and after ``count`` idle connections made by ``opener(n)``."""
    holder = Holder()
    try:
        await in_waves([opener(holder, n) for n in range(WARM_UP)])
        before = await settle(pid)
        started = time.monotonic()
        await in_waves([opener(holder, n) for n in range(WARM_UP, WARM_UP + count)])
        opened_s = time.monotonic() - started
        after = await settle(pid)
        result: dict[str, Any] = {
            "connections": count,
            "open_s": round(opened_s, 2),
            "before_kib": before,
            "after_kib": after,
            "per_connection_kib": round((after["rss"] - before["rss"]) / count, 2),
            "per_connection_pss_kib": round((after["pss"] - before["pss"]) / count, 2),
        }
        if storm is not None:
            try:
                result["storm"] = await asyncio.wait_for(storm(holder), 600)
            except (TimeoutError, OSError, httpx.HTTPError) as exc:  # reported, not hidden
                result["storm"] = {"clients": 0, "caught_up_s": 0.0, "error": repr(exc)}
        result["gaps"] = holder.gaps
        return result
    finally:
        await holder.close()


def roundtable_trial(work: Path, count: int, storm_size: int, workshops: int) -> dict[str, Any]:
    rt = Roundtable(work)
    rt.prepare()
    with running(rt.server(), None) as server:
        assert server.proc is not None
        per_workshop = (WARM_UP + count + workshops - 1) // workshops
        members = (per_workshop + GROUPS - 1) // GROUPS
        seeded = [
            seed_workshop(server.origin, rooms=GROUPS, members=members, writers=0)
            for _ in range(workshops)
        ]
        cookies = [[room.cookies[m] for m in range(members) for room in w.rooms] for w in seeded]
        url = f"ws://127.0.0.1:{server.port}/api/ws"

        async def opener(holder: Holder, n: int) -> int:
            w = n % workshops
            return await holder.open(url, server.origin, cookies[w][n // workshops], seeded[w].id)

        async def storm(holder: Holder) -> dict[str, Any]:
            return await reconnect_storm(holder, server.origin, seeded[0].id, storm_size)

        return asyncio.run(measure(server.proc.pid, opener, count, storm if storm_size else None))


async def reconnect_storm(
    holder: Holder, origin: str, workshop_id: int, size: int
) -> dict[str, Any]:
    """``size`` connections of the workshop drop at once; 20 edits; all reconnect at once."""
    chosen = [n for n, w in enumerate(holder.workshop) if w == workshop_id][WARM_UP:][:size]
    for n in chosen:
        holder.sockets[n].transport.abort()
    async with httpx.AsyncClient(base_url=origin, headers={"Origin": origin}, timeout=120) as fac:
        email, password = FACILITATOR
        await fac.post("/api/auth/login", json={"email": email, "password": password})
        fac.headers["X-CSRF-Token"] = fac.cookies["rt_csrf"]
        checklists = (await fac.get(f"/api/workshops/{workshop_id}/checklists")).json()
        shared = next(c["id"] for c in checklists if c["group_id"] is None)
        await fac.patch(f"/api/workshops/{workshop_id}", json={"phase": "review"})
        for n in range(EDITS):  # on the consolidated list, which everyone reads
            body = {"kind": "need", "title": f"While away {n}"}
            made = await fac.post(
                f"/api/workshops/{workshop_id}/checklists/{shared}/items", json=body
            )
            assert made.status_code == 201, made.text
        head = (await fac.get(f"/api/workshops/{workshop_id}")).json()["head_seq"]
    cookies = [holder.sockets[n].request.headers.get("Cookie", "") for n in chosen]
    started = time.monotonic()

    async def back(n: int, cookie: str) -> None:
        ws = await websockets.connect(
            f"ws://{origin.removeprefix('http://')}/api/ws",
            origin=origin,
            additional_headers={"Cookie": cookie},
            max_size=2**24,
            open_timeout=60,
        )
        holder.sockets[n] = ws
        await holder.hello(n)
        while holder.last_seq[n] < head:
            await asyncio.sleep(0.01)

    await asyncio.gather(*(back(n, cookie) for n, cookie in zip(chosen, cookies, strict=True)))
    return {
        "clients": size,
        "edits_missed": EDITS,
        "caught_up_s": round(time.monotonic() - started, 2),
    }


def bare_trial(work: Path, count: int) -> dict[str, Any]:
    with running(bare_server(work), None) as server:
        assert server.proc is not None

        async def opener(holder: Holder, n: int) -> int:
            url = f"ws://127.0.0.1:{server.port}/room/{n % GROUPS}"
            return await holder.open(url, server.origin, "", 1)

        return asyncio.run(measure(server.proc.pid, opener, count))


def summarise(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description="Idle connections: memory per connection")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--storm", type=int, default=300, help="clients in the reconnect storm")
    parser.add_argument("--workshops", type=int, default=3, help="workshops sharing them")
    parser.add_argument("--quick", action="store_true", help="50 connections, one trial")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.connections, args.trials, args.storm, args.workshops = 50, 1, 20, 1
    args.storm = min(args.storm, args.connections)

    trials: dict[str, list[dict[str, Any]]] = {"roundtable": [], "bare": []}
    for n in range(args.trials):
        with tempfile.TemporaryDirectory(prefix="rt-idle-") as tmp:
            work = Path(tmp)
            trials["bare"].append(bare_trial(work, args.connections))
            rt_trial = roundtable_trial(work, args.connections, args.storm, args.workshops)
            trials["roundtable"].append(rt_trial)
        rt, bare = trials["roundtable"][-1], trials["bare"][-1]
        print(
            f"trial {n + 1}: roundtable {rt['per_connection_kib']:.1f} KiB/connection, "
            f"bare {bare['per_connection_kib']:.1f} KiB/connection, "
            f"storm of {rt.get('storm', {}).get('clients', 0)} caught up in "
            f"{rt.get('storm', {}).get('caught_up_s', 0):.2f} s",
            flush=True,
        )
    ratios = [
        rt["per_connection_kib"] / max(bare["per_connection_kib"], 0.01)
        for rt, bare in zip(trials["roundtable"], trials["bare"], strict=True)
    ]
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": machine(),
        "connections": args.connections,
        "workshops": args.workshops,
        "trials": trials,
        "summary": {
            "roundtable_kib": summarise([t["per_connection_kib"] for t in trials["roundtable"]]),
            "bare_kib": summarise([t["per_connection_kib"] for t in trials["bare"]]),
            "ratio": summarise(ratios),
            "storm_s": summarise(
                [t["storm"]["caught_up_s"] for t in trials["roundtable"] if "storm" in t] or [0.0]
            ),
        },
    }
    output = args.output or RESULTS / (
        f"idle-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}{'-quick' if args.quick else ''}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    s = results["summary"]
    print(
        f"\nper idle connection (median of {args.trials}): roundtable "
        f"{s['roundtable_kib']['median']:.1f} KiB, bare {s['bare_kib']['median']:.1f} KiB, "
        f"ratio {s['ratio']['median']:.2f} (min {s['ratio']['min']:.2f}, max "
        f"{s['ratio']['max']:.2f}); target <= 2.5\nresults: {output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
