"""The load client of the fan-out bench: members that listen, writers that edit at a steady rate.

One process drives every connection, with the same code against either server; only the
URL (and, for Roundtable, the session cookie) differs per member. Writers are members
too: each retitles its own item, and the scheduler sends one op every ``1/rate`` seconds
on a fixed clock, round-robin over writers interleaved across rooms (open loop: a slow
server makes ops queue, it does not slow the writers down).

Each edit sets its item's title to ``Edit <client_id>/<op_id>`` and receivers recognise
it by that title (under the Chatham House rule an event's ``client_id`` and ``op_id`` go
to its author only). Every received event is checked against the ledger of sent edits,
per member:
- ``from`` must be the member's ``last_seq + 1`` (else a *gap*), every event's seq must
  lie in ``[from, to]`` and rise (else *out of order*);
- each op must arrive once (else a *duplicate*), and only to members of the op's room
  (else *unexpected*).
``delivered / expected`` counts first receipts against ``ops sent x room size``.

Latency is taken from the writer's send to each member's receipt, both on this
process's ``perf_counter``; *edit-to-all* is the time until the last member of the room
has it.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CONNECT_WAVE = 25


def process_cpu_s(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process (all its threads), from ``/proc``."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass(frozen=True)
class MemberSpec:
    room: int  # the checklist: every member of a room receives every edit made in it
    url: str
    cookie: str = ""  # the Roundtable session; empty for the bare server
    item_id: str | None = None  # writers retitle this item


@dataclass(frozen=True)
class LoadSpec:
    workshop_id: int
    origin: str
    members: Sequence[MemberSpec]
    rate: float  # ops per second over all writers
    warmup_s: float
    duration_s: float
    settle_s: float = 1.0
    drain_timeout_s: float = 20.0


@dataclass
class Sent:
    room: int
    at: float
    measured: bool
    receipts: int = 0
    last_at: float = 0.0


@dataclass
class Faults:
    gaps: int = 0
    out_of_order: int = 0
    duplicates: int = 0
    unexpected: int = 0
    rejects: int = 0
    closed: int = 0

    def total(self) -> int:
        return sum(vars(self).values())


@dataclass
class Ledger:
    """Every op sent, how many members have it, and the faults seen."""

    room_sizes: dict[int, int]
    sent: dict[str, Sent] = field(default_factory=dict)  # by title
    faults: Faults = field(default_factory=Faults)
    delivered: int = 0
    measured_deliveries: int = 0
    measured_frames: int = 0
    delivery_latencies: list[float] = field(default_factory=list)
    measuring: bool = False
    closing: bool = False
    pending: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, key: str, room: int, measured: bool) -> None:
        self.sent[key] = Sent(room, time.perf_counter(), measured)
        self.pending += self.room_sizes[room]
        self.idle.clear()

    def receive(self, sent: Sent, at: float) -> None:
        sent.receipts += 1
        sent.last_at = at
        self.delivered += 1
        if sent.measured:
            self.measured_deliveries += 1
            self.delivery_latencies.append(at - sent.at)
        self.pending -= 1
        if self.pending == 0:
            self.idle.set()

    async def drained(self, timeout: float) -> bool:
        if self.pending == 0:
            return True
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Member:
    def __init__(self, spec: MemberSpec, load: LoadSpec, ledger: Ledger, client_id: str) -> None:
        self.spec = spec
        self.load = load
        self.ledger = ledger
        self.client_id = client_id
        self.ws: ClientConnection | None = None
        self.last_seq = 0
        self.joined_head = 0  # the head when it joined: events up to it are catch-up
        self.op_id = 0
        self.received: set[str] = set()

    async def connect(self) -> None:
        headers = {"Cookie": self.spec.cookie} if self.spec.cookie else None
        self.ws = await connect(
            self.spec.url,
            origin=Origin(self.load.origin),
            additional_headers=headers,
            max_size=2**24,
            ping_interval=None,
            open_timeout=30,
        )
        hello = {
            "type": "hello",
            "protocol": 1,
            "workshop_id": self.load.workshop_id,
            "client_id": self.client_id,
            "last_seq": 0,
        }
        await self.ws.send(json.dumps(hello))
        welcome = await self._receive("welcome")
        self.joined_head = int(welcome["head_seq"])
        if welcome["mode"] == "snapshot":
            # Possibly a snapshot a little behind the head, shared with others joining at
            # the same time; the events after it follow, as to any client.
            self.last_seq = int((await self._receive("snapshot"))["seq"])
        else:
            self.last_seq = self.joined_head

    async def _receive(self, kind: str) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if message.get("type") == kind:
                return message
            if message.get("type") != "presence":
                raise RuntimeError(f"expected {kind!r} after hello, got {message!r:.300}")

    async def listen(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                at = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "events":
                    self.on_events(message, at)
                elif kind == "reject":
                    self.ledger.faults.rejects += 1
        except ConnectionClosed:
            pass
        if not self.ledger.closing:
            self.ledger.faults.closed += 1

    def on_events(self, message: dict[str, Any], at: float) -> None:
        """Judges an ``events`` frame: it starts right after the last one (else a gap) and
        its seqs rise inside ``[from, to]`` (else out of order); each event then goes to
        :meth:`on_event`."""
        ledger, faults = self.ledger, self.ledger.faults
        first, last = int(message["from"]), int(message["to"])
        if first != self.last_seq + 1:
            faults.gaps += 1
        if ledger.measuring:
            ledger.measured_frames += 1
        previous = first - 1
        for event in message["events"]:
            seq = int(event["seq"])
            if not previous < seq <= last:
                faults.out_of_order += 1
            previous = max(previous, seq)
            self.on_event(event, seq, at)
        self.last_seq = max(self.last_seq, last)

    def on_event(self, event: dict[str, Any], seq: int, at: float) -> None:
        """One edit received: expected in this room, once. Events up to the head it
        joined at come before this run's edits (catch-up after a snapshot): only their
        order and contiguity are judged (by :meth:`on_events`)."""
        if seq <= self.joined_head:
            return
        ledger, faults = self.ledger, self.ledger.faults
        key = edit_title(event) or ""
        sent = ledger.sent.get(key)
        if sent is None or sent.room != self.spec.room:
            faults.unexpected += 1
        elif key in self.received:
            faults.duplicates += 1
        else:
            self.received.add(key)
            ledger.receive(sent, at)

    async def send_edit(self, measured: bool) -> None:
        assert self.ws is not None and self.spec.item_id is not None
        self.op_id += 1
        title = f"Edit {self.client_id}/{self.op_id}"
        op = {
            "type": "op",
            "op_id": self.op_id,
            "kind": "item.update",
            "args": {"id": self.spec.item_id, "title": title},
        }
        text = json.dumps(op)
        self.ledger.expect(title, self.spec.room, measured)
        await self.ws.send(text)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def edit_title(event: dict[str, Any]) -> str | None:
    """The title an event sets, if any: it names the edit."""
    for change in event.get("changes") or ():
        title = (change.get("values") or {}).get("title")
        if isinstance(title, str):
            return title
    return None


def interleave_writers(members: Sequence[Member]) -> list[Member]:
    """Writers ordered so consecutive ops go to different rooms: r0w0, r1w0, ..., r0w1, ..."""
    by_room: dict[int, list[Member]] = {}
    for m in members:
        if m.spec.item_id is not None:
            by_room.setdefault(m.spec.room, []).append(m)
    rounds = max((len(ws) for ws in by_room.values()), default=0)
    return [ws[i] for i in range(rounds) for ws in by_room.values() if i < len(ws)]


async def write_steadily(
    writers: Sequence[Member], rate: float, seconds: float, measured: bool
) -> float:
    """Sends ``rate x seconds`` edits on a fixed clock; returns the worst lateness (s)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    worst = 0.0
    for k in range(round(rate * seconds)):
        due = start + k / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        worst = max(worst, loop.time() - due)
        await writers[k % len(writers)].send_edit(measured)
    return worst


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


async def run_load(load: LoadSpec, server_cpu_s: Callable[[], float]) -> dict[str, Any]:
    """Connects every member, runs warm-up then the measured phase, and summarises."""
    room_sizes: dict[int, int] = {}
    for spec in load.members:
        room_sizes[spec.room] = room_sizes.get(spec.room, 0) + 1
    ledger = Ledger(room_sizes)
    run_id = secrets.token_hex(3)
    members = [
        Member(spec, load, ledger, f"bench-{run_id}-{n:04d}") for n, spec in enumerate(load.members)
    ]
    for wave in range(0, len(members), CONNECT_WAVE):
        await asyncio.gather(*(m.connect() for m in members[wave : wave + CONNECT_WAVE]))
    listeners = [asyncio.create_task(m.listen()) for m in members]
    writers = interleave_writers(members)
    await asyncio.sleep(load.settle_s)  # join-time presence messages die down

    await write_steadily(writers, load.rate, load.warmup_s, measured=False)
    warm = await ledger.drained(load.drain_timeout_s)
    await asyncio.sleep(0.5)

    ledger.measuring = True
    cpu_before, client_before = server_cpu_s(), process_cpu_s()
    started = time.perf_counter()
    lateness = await write_steadily(writers, load.rate, load.duration_s, measured=True)
    drained = warm and await ledger.drained(load.drain_timeout_s)
    elapsed = time.perf_counter() - started
    cpu_after, client_after = server_cpu_s(), process_cpu_s()
    ledger.measuring = False

    ledger.closing = True
    await asyncio.gather(*(m.close() for m in members), return_exceptions=True)
    await asyncio.gather(*listeners, return_exceptions=True)
    return summarise(
        ledger,
        load,
        len(writers),
        drained,
        elapsed,
        lateness,
        server_cpu=cpu_after - cpu_before,
        client_cpu=client_after - client_before,
    )


def summarise(
    ledger: Ledger,
    load: LoadSpec,
    writers: int,
    drained: bool,
    elapsed: float,
    lateness: float,
    *,
    server_cpu: float,
    client_cpu: float,
) -> dict[str, Any]:
    measured = [s for s in ledger.sent.values() if s.measured]
    expected = sum(ledger.room_sizes[s.room] for s in ledger.sent.values())
    to_all = [s.last_at - s.at for s in measured if s.receipts == ledger.room_sizes[s.room]]
    ms = 1000.0
    return {
        "members": len(load.members),
        "rooms": len(ledger.room_sizes),
        "writers": writers,
        "rate_ops_s": load.rate,
        "duration_s": load.duration_s,
        "ops_sent": len(ledger.sent),
        "ops_measured": len(measured),
        "expected": expected,
        "delivered": ledger.delivered,
        "delivered_ratio": ledger.delivered / expected if expected else float("nan"),
        "drained": drained,
        "faults": vars(ledger.faults),
        "measured_deliveries": ledger.measured_deliveries,
        "measured_frames": ledger.measured_frames,
        "window_s": elapsed,
        "send_lateness_max_ms": lateness * ms,
        "edit_to_all_ms": {
            "p50": percentile(to_all, 50) * ms,
            "p99": percentile(to_all, 99) * ms,
            "max": max(to_all, default=float("nan")) * ms,
            "events": len(to_all),
        },
        "per_delivery_ms": {
            "p50": percentile(ledger.delivery_latencies, 50) * ms,
            "p99": percentile(ledger.delivery_latencies, 99) * ms,
        },
        "server_cpu_s": server_cpu,
        "client_cpu_s": client_cpu,
        "cpu_us_per_delivery": server_cpu / ledger.measured_deliveries * 1e6
        if ledger.measured_deliveries
        else float("nan"),
    }
