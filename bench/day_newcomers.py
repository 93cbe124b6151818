"""The roundtable day's newcomers, in a load-client process of their own.

``day_trial.join_crowd`` makes ``joins`` newcomers join by code and connect while the
day's seats keep receiving edits, and judges the seats' delivery latency meanwhile. Run
in the seats' own event loop, the newcomers (300 REST joins, 300 handshakes and
snapshots, then their share of every event) held that loop up by hundreds of
milliseconds, and the seats' latency was as much the load client's as the server's. So
they run here, in a child process started by the trial (``NewcomerProcess``) with the
same interpreter and on the same core(s) as the load client (it inherits the parent's
affinity and sets it again from its orders): the server keeps its core to itself, and
the seats are timed by a loop the newcomers do not hold up.

The conversation is JSON lines: on stdin, the orders (``Orders``), then
``{"start": t}``, then ``{"stop": true}`` (or the end of stdin); on stdout, ``{"ready":
true}`` once set up, the joins' summary once every newcomer is connected or has failed,
and the stream checks once closed. ``t`` is on ``time.monotonic()``, which is the
machine's one monotonic clock (CLOCK_MONOTONIC) in both processes.

Each newcomer joins with ``POST /api/join``, opens its connection, says hello and reads
the welcome and the opening of its snapshot (``day_load.Seat.connect``), then reads
until told to stop. What is checked here, per newcomer, from its welcome on:

- *gaps* and *out of order*: each ``events`` frame starts right after the last one and
  its seqs rise inside ``[from, to]`` (``fanout_load.Member.on_events``);
- *duplicates*: an edit (named by its title) received twice;
- *strays*: an edit by a writer of another group. The writer is read from the title
  (``Edit <client id>/<op id>``) and looked up in the orders' map of writers to groups;
  an edit by a writer the map does not know counts as a stray too;
- *rejects* and connections closed before the stop.

What is not: that an edit was sent at all, its latency, or that a newcomer got every
edit after its welcome (the sent ledger is in the other process; newcomers are not
counted for delivery there either); events that carry no edit (a member joining, say)
are counted, not judged. The bare server has no join by code, so the trial runs the
joins against Roundtable only.

    echo '<orders>' | python bench/day_newcomers.py     # normally started by day_trial
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from day_load import DayLedger, Seat, ms_stats, probe
from day_setup import Rest, join_by_code
from fanout import run_async  # uvloop when installed, as in the load client
from fanout_load import LoadSpec, MemberSpec, edit_title, process_cpu_s
from websockets.exceptions import ConnectionClosed

HERE = Path(__file__).resolve()
SETTLE_S = 1.0  # after the last join, still the joins phase (as in the trial)


@dataclass(frozen=True)
class Orders:
    base_url: str  # http origin, for the joins
    ws_urls: dict[int, str]  # room (checklist id) -> its WebSocket URL
    workshop_id: int
    join_codes: list[tuple[int, str]]  # (room, code); newcomer n takes n % len
    joins: int
    joins_within_s: float  # the joins are spread evenly over this
    writers: dict[str, int]  # a writer's client id -> the room it edits
    cpus: list[int] | None = None  # the load client's cores; None: as inherited

    @staticmethod
    def from_json(text: str) -> Orders:
        raw = json.loads(text)
        return Orders(
            base_url=raw["base_url"],
            ws_urls={int(k): v for k, v in raw["ws_urls"].items()},
            workshop_id=int(raw["workshop_id"]),
            join_codes=[(int(room), str(code)) for room, code in raw["join_codes"]],
            joins=int(raw["joins"]),
            joins_within_s=float(raw["joins_within_s"]),
            writers={k: int(v) for k, v in raw["writers"].items()},
            cpus=raw.get("cpus"),
        )


# -- the child ---------------------------------------------------------------------------
class Newcomer(Seat):
    """A newcomer's seat, judged without the sent ledger (see the module's docstring)."""

    def __init__(self, orders: Orders, ledger: DayLedger, room: int, cookie: str, n: int) -> None:
        load = LoadSpec(orders.workshop_id, orders.base_url, [], 0.0, 0.0, 0.0)
        spec = MemberSpec(room, orders.ws_urls[room], cookie)
        client_id = f"new-{n}-{secrets.token_hex(3)}"
        super().__init__(spec, load, ledger, client_id, frozenset({room}), orders.workshop_id)
        self.writers = orders.writers
        self.counts = False

    def on_event(self, event: dict[str, Any], seq: int, at: float) -> None:
        key = edit_title(event)
        if key is None:
            self.day.unjudged += 1
            return
        writer = key.removeprefix("Edit ").rpartition("/")[0]
        if self.writers.get(writer) not in self.sees:
            self.day.faults.unexpected += 1
        elif key in self.received:
            self.day.faults.duplicates += 1
        else:
            self.received.add(key)


class Crowd:
    """The newcomers of one trial, in this process."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.ledger = DayLedger(room_sizes={})  # faults and loop lag; nothing is counted
        self.rest = Rest(orders.base_url)
        self.seats: list[Newcomer] = []
        self.listeners: list[asyncio.Task[None]] = []

    async def join(self, start: float) -> dict[str, Any]:
        """Newcomer n joins at ``start + n x spread / joins`` and connects; the summary
        once all are in (or failed)."""
        orders, codes = self.orders, self.orders.join_codes
        times: list[float] = []
        failures: list[str] = []

        async def newcomer(n: int) -> None:
            due = start + n * orders.joins_within_s / orders.joins
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            room, code = codes[n % len(codes)]
            t = time.monotonic()
            try:
                cookie = await join_by_code(self.rest, code, f"Newcomer {n + 1}")
                seat = Newcomer(orders, self.ledger, room, cookie, n)
                await seat.connect()
            except (OSError, RuntimeError, ConnectionClosed, TimeoutError) as exc:
                failures.append(f"{type(exc).__name__}: {exc}"[:200])
                return
            times.append(time.monotonic() - t)
            self.seats.append(seat)
            self.listeners.append(asyncio.create_task(seat.listen()))

        await asyncio.gather(*(newcomer(n) for n in range(orders.joins)))
        return {
            "joined": len(times),
            "failures": failures,
            "all_connected_s": time.monotonic() - start,
            "within_target": sum(1 for t in times if t <= orders.joins_within_s),
            "join_to_welcome_ms": ms_stats(times),
        }

    async def close(self) -> dict[str, Any]:
        self.ledger.closing = True
        await asyncio.gather(*(s.close() for s in self.seats), return_exceptions=True)
        await asyncio.gather(*self.listeners, return_exceptions=True)
        await self.rest.aclose()
        codes: dict[str, int] = {}
        for seat in self.seats:
            for code in seat.close_codes:
                codes[str(code)] = codes.get(str(code), 0) + 1
        return {
            "faults": vars(self.ledger.faults),
            "unjudged_events": self.ledger.unjudged,
            "close_codes": codes,
            "loop_lag_ms": {p: ms_stats(v) for p, v in self.ledger.loop_lag.items()},
            "cpus": sorted(os.sched_getaffinity(0)),
        }


def say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def read_order() -> dict[str, Any]:
    """The next line of stdin; the end of stdin is a stop."""
    line = await asyncio.to_thread(sys.stdin.readline)
    return json.loads(line) if line.strip() else {"stop": True}


async def child() -> dict[str, Any]:
    orders = Orders.from_json(sys.stdin.readline())
    if orders.cpus:
        os.sched_setaffinity(0, orders.cpus)
    crowd = Crowd(orders)
    # httpx's first request imports and builds what it needs: before the joins, not in them
    warm = await crowd.rest.client(timeout=60).get("/api/health")
    warm.raise_for_status()
    say({"ready": True})
    order = await read_order()
    if "start" not in order:
        return await crowd.close()
    start = float(order["start"])
    ledger, stop_probe = crowd.ledger, asyncio.Event()
    ledger.phase = "joins"
    prober = asyncio.create_task(probe(ledger, None, stop_probe))
    joining = asyncio.create_task(crowd.join(start))
    stopping = asyncio.create_task(read_order())
    await asyncio.wait([joining, stopping], return_when=asyncio.FIRST_COMPLETED)
    if joining.done():
        say(joining.result())
        # the trial's joins phase goes on for a second after the last join
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(stopping), SETTLE_S)
        ledger.phase = "after"
    else:  # stopped before every newcomer was in: the trial failed
        joining.cancel()
        await asyncio.gather(joining, return_exceptions=True)
    await stopping
    stop_probe.set()
    await prober
    return await crowd.close()


def main() -> None:
    say(run_async(child()))


# -- the parent ----------------------------------------------------------------------------
class NewcomerProcess:
    """The trial's handle on the newcomers' process: started early (its imports and set-up
    land before the measured phases), told to start the joins, stopped at the end of the
    trial, and terminated (then killed) if it has not exited by then, whatever happened."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=HERE.parent, limit=2**24,
        )  # fmt: skip
        await self._send(asdict(self.orders))
        await self._read(timeout)  # {"ready": true}

    def cpu_s(self) -> float:
        assert self.proc is not None
        return process_cpu_s(self.proc.pid)

    async def join(self, start: float) -> dict[str, Any]:
        """Starts the joins at ``start`` (``time.monotonic()``); their summary once done."""
        await self._send({"start": start})
        return await self._read(self.orders.joins_within_s + 180.0)

    async def stop(self, timeout: float = 60.0) -> dict[str, Any]:
        """Closes the newcomers; the checks of their streams."""
        await self._send({"stop": True})
        result = await self._read(timeout)
        assert self.proc is not None
        await asyncio.wait_for(self.proc.wait(), timeout)
        return result

    async def kill(self) -> None:
        """Ends the process if it still runs: terminate, then kill."""
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

    async def _send(self, message: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        await self.proc.stdin.drain()

    async def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            code = await asyncio.wait_for(self.proc.wait(), 5.0)
            raise RuntimeError(f"the newcomers' process exited ({code}) without answering")
        message: dict[str, Any] = json.loads(line)
        return message


if __name__ == "__main__":
    main()
