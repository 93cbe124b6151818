"""One trial of the roundtable day against one server process, for ``roundtable_day.py``.

``run_day`` drives the day's phases in order while the writers keep writing at a steady
rate on a fixed clock (open loop):

1. *warm-up*, then *steady*: the day as it is, facilitators on the dashboard and merging;
   server CPU per delivery is taken over this phase;
2. *slow*: one facilitator's laptop stops reading; the phase lasts until the server has
   closed that connection (its ``roundtable_connections`` gauge drops); then, as
   *reconnect*, the laptop reads what was in flight, sees the close and reconnects from
   its ``last_seq``;
3. *export*: the consolidated checklist as PDF and the day's workshop as JSON, at once;
4. *joins*: newcomers join by code and connect, spread over a couple of seconds. They
   run in a load-client process of their own (``day_newcomers.py``, on the same core as
   this one), started with the trial and stopped at its end, so the seats whose latency
   is judged are timed by a loop the newcomers do not hold up.

Against the bare server only warm-up and steady run (it has no merges, exports or joins).
``run_steps`` raises the writers, a step at a time, until edit-to-all p99 passes the limit
or delivery falls behind.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from day_load import MERGES, DayLedger, Seat, ms_stats, probe
from day_newcomers import NewcomerProcess, Orders
from day_setup import (
    Day,
    Rest,
    Timings,
    export_during_load,
    live_connections,
    watch_dashboard,
)
from fanout_load import (
    CONNECT_WAVE,
    LoadSpec,
    Member,
    MemberSpec,
    interleave_writers,
    process_cpu_s,
    write_steadily,
)

Result = dict[str, Any]

CLOSED_FOR_SLOWNESS = 4008


@dataclass(frozen=True)
class Plan:
    writers: int  # per group
    writer_rate: float  # ops/s per writer
    warmup_s: float
    steady_s: float
    merge_every_s: float
    dashboard_every_s: float
    joins: int
    joins_within_s: float
    slow_timeout_s: float  # the slow phase gives up waiting for the close after this
    detail_chars: int = 0  # random text sent as the detail of every edit
    drain_timeout_s: float = 30.0
    joins_only: bool = False  # leave out the slow reader and the export


@dataclass(frozen=True)
class Target:
    """Where the seats connect: Roundtable (cookies, one URL) or the bare server."""

    name: str
    base_url: str  # http origin
    ws_url: Callable[[int | None], str]  # room -> URL; None: a facilitator's
    cpu_s: Callable[[], float]
    roundtable: bool


class Crowd:
    """The seats of one trial and their listeners."""

    def __init__(self, target: Target, day: Day, ledger: DayLedger, writers: int) -> None:
        self.target, self.day, self.ledger = target, day, ledger
        run = secrets.token_hex(3)
        live, rooms = day.live, day.live.rooms
        load = LoadSpec(live.id, target.base_url, [], 0.0, 0.0, 0.0)
        self.load = load
        all_rooms = frozenset(r.checklist_id for r in rooms)
        cookies = target.roundtable
        self.participants = [
            Seat(
                MemberSpec(
                    room.checklist_id,
                    target.ws_url(room.checklist_id),
                    cookie if cookies else "",
                    room.item_ids[n] if n < writers else None,
                ),
                load,
                ledger,
                f"day-{run}-{room.checklist_id}-{n}",
                frozenset({room.checklist_id}),
                live.id,
            )
            for room in rooms
            for n, cookie in enumerate(room.cookies)
        ]
        self.watchers = [
            Seat(
                MemberSpec(0, target.ws_url(None), cookie if cookies else ""),
                load,
                ledger,
                f"dash-{run}-{k}",
                all_rooms,
                live.id,
            )
            for k, cookie in enumerate(day.facilitators)
        ]
        self.mergers = (
            [
                Seat(
                    MemberSpec(MERGES, target.ws_url(None), cookie),
                    load,
                    ledger,
                    f"merge-{run}-{k}",
                    frozenset({MERGES}),
                    day.consolidation.id,
                )
                for k, cookie in enumerate(day.facilitators)
            ]
            if target.roundtable
            else []
        )
        for room in rooms:
            ledger.room_sizes[room.checklist_id] = len(room.cookies) + len(self.watchers)
        ledger.room_sizes[MERGES] = len(self.mergers)
        self.rest = Rest(target.base_url)
        self.listeners: dict[Seat, asyncio.Task[None]] = {}
        self.newcomers: NewcomerProcess | None = None  # started by start_newcomers
        self.newcomers_result: Result = {}  # their stream checks, once closed

    async def start_newcomers(self, plan: Plan) -> None:
        """Starts the newcomers' process (idle until ``join_crowd``), on this process's
        core(s) (``pin`` in ``roundtable_day.run``)."""
        rooms = self.day.live.rooms
        orders = Orders(
            base_url=self.target.base_url,
            ws_urls={r.checklist_id: self.target.ws_url(r.checklist_id) for r in rooms},
            workshop_id=self.day.live.id,
            join_codes=self.day.join_codes,
            joins=plan.joins,
            joins_within_s=plan.joins_within_s,
            writers={s.client_id: s.spec.room for s in self.participants if s.spec.item_id},
            cpus=sorted(os.sched_getaffinity(0)),
        )
        self.newcomers = NewcomerProcess(orders)
        await self.newcomers.start()

    @property
    def seats(self) -> list[Seat]:
        return [*self.participants, *self.watchers, *self.mergers]

    async def connect(self, slow: Seat | None) -> None:
        """Connects every seat, a wave at a time, each reading from its welcome on (an
        early seat left unread while the rest connect would stop answering the server's
        pings and be closed)."""

        async def opened(seat: Seat) -> None:
            await seat.connect(tiny_window=seat is slow)
            self.listen(seat)

        seats = self.seats
        for wave in range(0, len(seats), CONNECT_WAVE):
            await asyncio.gather(*(opened(s) for s in seats[wave : wave + CONNECT_WAVE]))

    def listen(self, seat: Seat) -> None:
        self.listeners[seat] = asyncio.create_task(seat.listen())

    async def close(self) -> None:
        """Closes every seat, and the newcomers in their process at the same time."""
        self.ledger.closing = True

        async def newcomers() -> None:
            if self.newcomers is not None:
                self.newcomers_result = await self.newcomers.stop()

        closing = asyncio.gather(*(s.close() for s in self.seats), return_exceptions=True)
        await asyncio.gather(closing, newcomers())
        await asyncio.gather(*self.listeners.values(), return_exceptions=True)
        await self.rest.aclose()


async def keep_writing(writers: Sequence[Member], rate: float, stop: asyncio.Event) -> None:
    """The fan-out bench's fixed-clock writer, a second at a time until ``stop``."""
    while not stop.is_set():
        await write_steadily(writers, rate, 1.0, measured=True)


async def keep_merging(crowd: Crowd, every_s: float, stop: asyncio.Event) -> int:
    """The facilitators take turns merging two items of different groups; returns how many."""
    rooms = crowd.day.consolidation.rooms
    pairs = [
        [rooms[g].item_ids[n], rooms[(g + 1) % len(rooms)].item_ids[n]]
        for n in range(0, len(rooms[0].item_ids))
        for g in range(0, len(rooms) - 1, 2)
    ]
    done = 0
    for done, sources in enumerate(pairs, start=1):
        merger = crowd.mergers[done % len(crowd.mergers)]
        await merger.send_merge(f"m{secrets.token_hex(6)}", sources)
        try:
            await asyncio.wait_for(stop.wait(), every_s)
            return done
        except TimeoutError:
            pass
    return done


async def run_day(target: Target, day: Day, plan: Plan) -> Result:
    ledger = DayLedger(
        room_sizes={}, detail=secrets.token_urlsafe(plan.detail_chars)[: plan.detail_chars]
    )
    crowd = Crowd(target, day, ledger, plan.writers)
    try:
        if target.roundtable:  # the joins need join codes: Roundtable only
            await crowd.start_newcomers(plan)
        return await the_day(crowd, plan)
    finally:  # whatever happened, no newcomers' process outlives the trial
        if crowd.newcomers is not None:
            await crowd.newcomers.kill()


async def the_day(crowd: Crowd, plan: Plan) -> Result:
    """The day's phases on ``crowd`` (see the module's docstring)."""
    target, day, ledger, rest = crowd.target, crowd.day, crowd.ledger, crowd.rest
    slow = crowd.watchers[-1]  # designated on both servers; it stalls on Roundtable only
    slow.excluded = True
    ledger.excluded_rooms = slow.sees
    await crowd.connect(slow)
    writers = interleave_writers(crowd.participants)
    rate = plan.writer_rate * len(writers)
    stop_all, stop_probe = asyncio.Event(), asyncio.Event()
    prober = asyncio.create_task(probe(ledger, crowd.watchers[0], stop_probe))
    await asyncio.sleep(1.0)  # join-time presence dies down

    ledger.phase = "warmup"
    writing = asyncio.create_task(keep_writing(writers, rate, stop_all))
    await asyncio.sleep(plan.warmup_s)
    timings = Timings()
    side: list[asyncio.Task[Any]] = []
    if target.roundtable:
        side = [
            asyncio.create_task(
                watch_dashboard(
                    rest, cookie, day.live.id, plan.dashboard_every_s, timings, stop_all
                )
            )
            for cookie in day.facilitators
        ]
        merging = asyncio.create_task(keep_merging(crowd, plan.merge_every_s, stop_all))

    result: dict[str, Any] = {"target": target.name, "writers": len(writers), "rate": rate}
    ledger.phase = "steady"
    ledger.measuring = True
    cpu0, client0, t0 = target.cpu_s(), process_cpu_s(), time.perf_counter()
    delivered0 = ledger.delivered
    await asyncio.sleep(plan.steady_s)
    cpu1, client1, t1 = target.cpu_s(), process_cpu_s(), time.perf_counter()
    ledger.measuring = False
    steady_deliveries = ledger.delivered - delivered0  # received within the window
    result["steady_window"] = {
        "seconds": t1 - t0,
        "server_cpu_s": cpu1 - cpu0,
        "client_cpu_s": client1 - client0,
        "deliveries": steady_deliveries,
        "cpu_us_per_delivery": (cpu1 - cpu0) / steady_deliveries * 1e6
        if steady_deliveries
        else float("nan"),
    }
    if target.roundtable:
        if not plan.joins_only:
            ledger.phase = "slow"
            result["slow_reader"] = await slow_reader(crowd, slow, plan)
            ledger.phase = "export"
            started = time.perf_counter()
            await export_during_load(rest, day.facilitators[0], day, timings)
            result["export_s"] = time.perf_counter() - started
            await asyncio.sleep(0.5)
        ledger.phase = "joins"
        cpu0 = target.cpu_s()
        result["joins"] = await join_crowd(crowd, plan)
        result["joins"]["server_cpu_s"] = target.cpu_s() - cpu0  # the 1 s after included
    ledger.phase = "end"
    stop_all.set()
    await writing
    await asyncio.gather(*side)
    if target.roundtable:
        result["merges"] = await merging
        if "slow_reader" in result:
            result["slow_reader"]["credited_by_snapshot"] = credit_snapshot(ledger, slow)
    result["drained"] = await ledger.drained(plan.drain_timeout_s)
    stop_probe.set()
    await prober
    await crowd.close()
    result["phases"] = {
        p: ledger.phase_summary(p)
        for p in ("steady", "slow", "reconnect", "export", "joins")
        if p in seen(ledger)
    }
    result["rest"] = timings.summary()
    result |= correctness(ledger)
    newcomers = crowd.newcomers_result
    result["newcomer_faults"] = sum(newcomers.get("faults", {}).values())
    codes: dict[str, int] = dict(newcomers.get("close_codes", {}))
    for seat in crowd.seats:
        for code in seat.close_codes:
            codes[str(code)] = codes.get(str(code), 0) + 1
    result["close_codes"] = codes  # every connection's, the end of the trial included
    if "joins" in result:  # the newcomers' own loop lag while they joined, and their checks
        lag = newcomers.get("loop_lag_ms", {}).get("joins", ms_stats([]))
        result["joins"]["newcomers_loop_lag_ms"] = lag
        result["joins"]["newcomers_checks"] = newcomers
    return result


def seen(ledger: DayLedger) -> set[str]:
    return set(ledger.phase_of.values())


def correctness(ledger: DayLedger) -> dict[str, Any]:
    expected = sum(ledger.room_sizes[s.room] for s in ledger.sent.values())
    return {
        "ops_sent": sum(1 for s in ledger.sent.values() if s.room != MERGES),
        "merges_sent": sum(1 for s in ledger.sent.values() if s.room == MERGES),
        "expected": expected,
        "delivered": ledger.delivered,
        "delivered_ratio": ledger.delivered / expected if expected else float("nan"),
        "faults": vars(ledger.faults),
        "unjudged_events": ledger.unjudged,
    }


# -- the slow reader -----------------------------------------------------------------
async def slow_reader(crowd: Crowd, slow: Seat, plan: Plan) -> dict[str, Any]:
    """Stops reading on ``slow`` until the server drops it; then reads, and reconnects."""
    before = await live_connections(crowd.rest)
    slow.stalled = True
    listener = crowd.listeners.pop(slow)
    listener.cancel()  # the laptop stops reading (cancelling recv() loses nothing)
    await asyncio.gather(listener, return_exceptions=True)
    started = time.perf_counter()
    closed_by_server = False
    while time.perf_counter() - started < plan.slow_timeout_s:
        await asyncio.sleep(0.25)
        if await live_connections(crowd.rest) < before:
            closed_by_server = True
            break
    stalled_s = time.perf_counter() - started
    # It reads again: what was in flight, then the end of the connection. From here on the
    # others' latencies count as the reconnection's (a snapshot of the whole workshop).
    crowd.ledger.phase = "reconnect"
    crowd.listen(slow)
    done, _ = await asyncio.wait([crowd.listeners[slow]], timeout=30)
    if not done:  # the server never let go: the laptop gives up instead
        assert slow.ws is not None
        slow.ws.transport.abort()
        await crowd.listeners[slow]
    close_code = slow.close_codes[-1] if closed_by_server and slow.close_codes else None
    # And it comes back, catching up from the last event it read.
    last_read = slow.last_seq
    await slow.connect(last_seq=last_read)
    slow.stalled = False
    crowd.listen(slow)
    return {
        "closed_by_server": closed_by_server,
        "stalled_s": stalled_s,
        "close_code": close_code,
        "resumed_from": last_read,
        "resumed_by_snapshot_at": slow.snapshot_seq,
    }


def credit_snapshot(ledger: DayLedger, seat: Seat) -> int:
    """Counts as delivered to ``seat`` the edits its reconnection snapshot covered (seq at
    or below the snapshot's), after checking the snapshot shows each item's latest title."""
    at = seat.snapshot_seq
    if at is None:
        return 0
    latest: dict[str, tuple[int, str]] = {}
    for key, seq in ledger.seq_of.items():
        item = ledger.item_of(key)
        if item is not None and seq <= at and seq > latest.get(item, (0, ""))[0]:
            latest[item] = (seq, key)
    for item, (_seq, title) in latest.items():
        if item in seat.snapshot_titles and seat.snapshot_titles[item] != title:
            ledger.faults.unexpected += 1  # the snapshot lost an edit
    credited = 0
    for key, sent in ledger.sent.items():
        committed = ledger.seq_of.get(key)
        if (
            committed is not None
            and committed <= at
            and sent.room in seat.sees
            and key not in seat.received
        ):
            seat.received.add(key)
            ledger.receive(sent, seat.snapshot_at)
            credited += 1
    return credited


# -- 300 joins -----------------------------------------------------------------------
async def join_crowd(crowd: Crowd, plan: Plan) -> Result:
    """``plan.joins`` newcomers join by code and connect, spread over ``joins_within_s``,
    in their own process (``day_newcomers.py``), where each is judged (gaps, order,
    duplicates, strays by writer) from its welcome on; they are not counted for delivery.
    They keep reading until the trial closes (``Crowd.close``)."""
    assert crowd.newcomers is not None
    newcomers0, client0, t0 = crowd.newcomers.cpu_s(), process_cpu_s(), time.perf_counter()
    summary = await crowd.newcomers.join(time.monotonic() + 0.05)
    await asyncio.sleep(1.0)
    # The client core's use over the joins (the 1 s after included): both processes share it.
    summary["window_s"] = time.perf_counter() - t0
    summary["client_cpu_s"] = process_cpu_s() - client0
    summary["newcomers_client_cpu_s"] = crowd.newcomers.cpu_s() - newcomers0
    return summary


# -- the step test -------------------------------------------------------------------
async def run_steps(
    target: Target, day: Day, steps: Sequence[int], plan: Plan, limit_ms: float
) -> list[dict[str, Any]]:
    """Writers per group raised a step at a time (each at ``plan.writer_rate``), each step
    ``plan.steady_s`` long, until edit-to-all p99 passes ``limit_ms`` or the deliveries
    of a step are not all in ``plan.drain_timeout_s`` after it."""
    ledger = DayLedger(room_sizes={})
    crowd = Crowd(target, day, ledger, max(steps))
    await crowd.connect(None)
    stop_probe = asyncio.Event()
    prober = asyncio.create_task(probe(ledger, crowd.watchers[0], stop_probe))
    await asyncio.sleep(1.0)
    by_room: dict[int, list[Seat]] = {}
    for seat in crowd.participants:
        by_room.setdefault(seat.spec.room, []).append(seat)
    out: list[dict[str, Any]] = []
    for k in steps:
        writers = interleave_writers([s for room in by_room.values() for s in room[:k]])
        rate = plan.writer_rate * len(writers)
        ledger.phase = f"step-{k}"
        cpu0, client0, t0 = target.cpu_s(), process_cpu_s(), time.perf_counter()
        lateness = await write_steadily(writers, rate, plan.steady_s, measured=True)
        drained = await ledger.drained(plan.drain_timeout_s)
        cpu1, client1, t1 = target.cpu_s(), process_cpu_s(), time.perf_counter()
        step = ledger.phase_summary(ledger.phase) | {
            "writers": len(writers),
            "rate": rate,
            "drained": drained,
            "server_core_busy": (cpu1 - cpu0) / (t1 - t0),
            "client_core_busy": (client1 - client0) / (t1 - t0),
            "send_lateness_max_ms": lateness * 1000,
            "faults": dict(vars(ledger.faults)),
        }
        out.append(step)
        p99 = step["edit_to_all_ms"]["p99"]
        print(f"    step {target.name} {len(writers)} writers {rate:g} ops/s: p99 {p99:.1f} ms,"
              f" server core {step['server_core_busy']:.0%}, client core"
              f" {step['client_core_busy']:.0%}, drained {drained}", flush=True)  # fmt: skip
        if not drained or p99 > limit_ms or ledger.faults.total():
            break
        await asyncio.sleep(0.5)
    stop_probe.set()
    await prober
    await crowd.close()
    return out
