"""The roundtable day's load client, built on the fan-out bench's (``fanout_load.py``).

A *seat* is one WebSocket connection and the rooms it may see. Participants see their
group's checklist; a facilitator on the dashboard sees every group's; a facilitator's
seat on the consolidation workshop sees the merges (the pseudo-room ``MERGES``).
Writers retitle their items as in the fan-out bench, and each edit names itself by its
title; a merge names itself by the consolidated item it creates. The checks are the
fan-out bench's (gaps, order, duplicates, strays, rejects, unexpected closes), with
"stray" meaning an edit of a room the seat may not see. Events that carry no edit or
merge (a newcomer joining, say) are counted, not judged.

On top of that, per *phase* of the day (the ledger's ``phase`` when an edit was sent):
edit-to-all latency, and every delivery's latency to the seats that are not the slow
reader. Probes run throughout: a ``ping`` every 100 ms from one facilitator seat (its
round trip is the server's responsiveness, loop lag included) and the client's own loop
lag (how late a 50 ms tick fires), so a client that cannot keep up shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fanout_load import Ledger, LoadSpec, Member, MemberSpec, edit_title, percentile
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

PRESENCE = '{"type":"presence"'  # how Roundtable's presence messages begin
SNAPSHOT = '{"type":"snapshot","seq":'  # and its snapshots
MERGES = -1  # the pseudo-room of the consolidation workshop's merges
MS = 1000.0


@dataclass
class DayLedger(Ledger):
    """The fan-out ledger, with phases and the probes' readings."""

    phase: str = ""
    phase_of: dict[str, str] = field(default_factory=dict)
    others: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    loop_lag: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unjudged: int = 0  # events that are neither an edit nor a merge
    presence: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # bytes
    seq_of: dict[str, int] = field(default_factory=dict)  # key -> the seq it was committed at
    item_of_writer: dict[str, str] = field(default_factory=dict)  # client id -> its item
    # Edit-to-all leaves out one designated seat (the slow reader, on both servers): per
    # edit, how many of the others have it and when the last of them got it.
    excluded_rooms: frozenset[int] = frozenset()
    to_others: dict[str, list[float]] = field(default_factory=dict)
    detail: str = ""  # sent with every edit (the quick run's heavier edits), or nothing

    def item_of(self, key: str) -> str | None:
        """The item an edit retitled (``Edit <client_id>/<op_id>``)."""
        writer = key.removeprefix("Edit ").rpartition("/")[0]
        return self.item_of_writer.get(writer)

    def expect(self, key: str, room: int, measured: bool) -> None:
        super().expect(key, room, measured)
        self.phase_of[key] = self.phase

    def edit_to_all(self, phase: str) -> list[float]:
        """Edit-to-all latencies (s) of the edits sent in ``phase``: until every seat of
        the room but the designated slow reader had it."""
        out = []
        for key, s in self.sent.items():
            if self.phase_of[key] != phase or s.room == MERGES:
                continue
            others = self.room_sizes[s.room] - (s.room in self.excluded_rooms)
            count, last_at = self.to_others.get(key, (0, 0.0))
            if count == others:
                out.append(last_at - s.at)
        return out

    def phase_summary(self, phase: str) -> dict[str, Any]:
        to_all, others = self.edit_to_all(phase), self.others[phase]
        pings, lag = self.pings[phase], self.loop_lag[phase]
        return {
            "edits": sum(
                1 for k, s in self.sent.items() if self.phase_of[k] == phase and s.room != MERGES
            ),
            "edit_to_all_ms": ms_stats(to_all),
            "delivery_others_ms": ms_stats(others),
            "ping_rtt_ms": ms_stats(pings),
            "client_loop_lag_ms": ms_stats(lag),
            "presence_bytes": self.presence[phase],
        }


def ms_stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50) * MS,
        "p99": percentile(values, 99) * MS,
        "max": max(values, default=float("nan")) * MS,
        "count": len(values),
    }


def merge_key(event: dict[str, Any], ledger: Ledger) -> str | None:
    """The merge an event records: the id of a consolidated item the ledger expects."""
    for change in event.get("changes") or ():
        item_id = change.get("id")
        if isinstance(item_id, str) and item_id in ledger.sent:
            return item_id
    return None


class Seat(Member):
    """A member's connection that may see several rooms, and knows when it is the slow one."""

    def __init__(
        self,
        spec: MemberSpec,
        load: LoadSpec,
        ledger: DayLedger,
        client_id: str,
        sees: frozenset[int],
        workshop_id: int,
    ) -> None:
        super().__init__(spec, load, ledger, client_id)
        self.day = ledger
        self.sees = sees
        self.workshop_id = workshop_id
        self.excluded = False  # the designated slow reader: not one of the "others"
        self.stalled = False  # it stopped reading: its connection may well end
        self.counts = True  # False: judged (gaps, order, strays), not counted for delivery
        self.snapshot_seq: int | None = None  # a snapshot on catching up: its seq ...
        self.snapshot_at = 0.0  # ... when it came, and each item's title in it
        self.snapshot_titles: dict[str, str] = {}
        if spec.item_id is not None:
            ledger.item_of_writer[client_id] = spec.item_id
        self.close_codes: list[int | None] = []
        self.pings: list[float] = []

    async def connect(self, *, last_seq: int = 0, tiny_window: bool = False) -> None:
        """Opens the connection and says hello with ``last_seq`` (the catch-up point).

        ``tiny_window``: a laptop on a poor link. A 4 KiB receive buffer, a 536-byte
        segment size (the server's send buffer grows with its segments: a loopback
        connection's 64 KiB ones would let it take megabytes before the sender must
        wait), one queued message and no compression."""
        headers = {"Cookie": self.spec.cookie} if self.spec.cookie else None
        extra: dict[str, Any] = {}
        if tiny_window:
            parts = urlsplit(self.spec.url)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
            extra = {"sock": sock, "max_queue": 1, "compression": None}
        self.ws = await connect(
            self.spec.url,
            origin=Origin(self.load.origin),
            additional_headers=headers,
            max_size=2**24,
            ping_interval=None,
            open_timeout=60,
            close_timeout=2,
            **extra,
        )
        hello = {"type": "hello", "protocol": 1, "workshop_id": self.workshop_id,
                 "client_id": self.client_id, "last_seq": last_seq}  # fmt: skip
        await self.ws.send(json.dumps(hello))
        welcome = await self._receive("welcome")
        if welcome["mode"] == "snapshot" and not last_seq:
            # A newcomer needs only the snapshot's seq, which opens its text: not parsing
            # the rest (~100 KB each, 300 in 2 s) keeps the load client from saturating.
            self.last_seq = await self._receive_snapshot_seq()
        elif welcome["mode"] == "snapshot":
            snapshot = await self._receive("snapshot")
            self.last_seq = int(snapshot["seq"])
            # too far behind for events: the state at a seq instead
            self.snapshot_seq, self.snapshot_at = self.last_seq, time.perf_counter()
            self.snapshot_titles = {i["id"]: i["title"] for i in snapshot["items"]}
        elif not last_seq:
            self.last_seq = int(welcome["head_seq"])

    async def _receive_snapshot_seq(self) -> int:
        """Reads up to the snapshot and returns its seq, parsing only its opening."""
        assert self.ws is not None
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), 30)
            if isinstance(raw, str) and raw.startswith(PRESENCE):
                continue
            if isinstance(raw, str) and raw.startswith(SNAPSHOT):
                digits = raw[len(SNAPSHOT) : len(SNAPSHOT) + 24].partition(",")[0]
                return int(digits)
            raise RuntimeError(f"expected a snapshot after the welcome, got {raw!r:.300}")

    async def listen(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                at = time.perf_counter()
                # Presence is counted, not parsed: 300 joins bring thousands a second.
                if isinstance(raw, str) and raw.startswith(PRESENCE):
                    self.day.presence[self.day.phase] += len(raw)
                    continue
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "events":
                    self.on_events(message, at)
                elif kind == "reject":
                    self.ledger.faults.rejects += 1
                elif kind == "pong" and self.pings:
                    self.day.pings[self.day.phase].append(at - self.pings.pop(0))
        except ConnectionClosed:
            pass
        rcvd = self.ws.close_code
        self.close_codes.append(rcvd)
        if not self.ledger.closing and not self.stalled:
            self.ledger.faults.closed += 1

    def on_event(self, event: dict[str, Any], seq: int, at: float) -> None:
        """An edit or a merge: expected in a room this seat sees, once; an edit's delay
        to the others is kept per phase."""
        ledger, faults = self.day, self.day.faults
        key = merge_key(event, ledger) or edit_title(event)
        if key is None:
            ledger.unjudged += 1
            return
        sent = ledger.sent.get(key)
        ledger.seq_of.setdefault(key, seq)
        if sent is None or sent.room not in self.sees:
            faults.unexpected += 1
        elif key in self.received:
            faults.duplicates += 1
        elif self.counts:
            self.received.add(key)
            ledger.receive(sent, at)
            if not self.excluded:
                ledger.others[ledger.phase_of[key]].append(at - sent.at)
                mark = ledger.to_others.setdefault(key, [0, 0.0])
                mark[0], mark[1] = mark[0] + 1, at

    async def send_edit(self, measured: bool) -> None:
        """The fan-out bench's edit, with the ledger's ``detail`` when it has one. On a
        connection that has closed, the edit is expected and never delivered: the
        listener has counted the close, and the trial goes on."""
        with contextlib.suppress(ConnectionClosed):
            await self._send_edit(measured)

    async def _send_edit(self, measured: bool) -> None:
        if not self.day.detail:
            await super().send_edit(measured)
            return
        assert self.ws is not None and self.spec.item_id is not None
        self.op_id += 1
        title = f"Edit {self.client_id}/{self.op_id}"
        args = {"id": self.spec.item_id, "title": title, "detail": self.day.detail}
        op = {"type": "op", "op_id": self.op_id, "kind": "item.update", "args": args}
        self.ledger.expect(title, self.spec.room, measured)
        await self.ws.send(json.dumps(op))

    async def send_ping(self) -> None:
        assert self.ws is not None
        self.pings.append(time.perf_counter())
        await self.ws.send('{"type":"ping"}')

    async def send_merge(self, merge_id: str, source_ids: list[str]) -> None:
        assert self.ws is not None
        self.op_id += 1
        op = {"type": "op", "op_id": self.op_id, "kind": "consolidation.merge",
              "args": {"source_ids": source_ids, "id": merge_id}}  # fmt: skip
        self.ledger.expect(merge_id, MERGES, self.ledger.measuring)
        with contextlib.suppress(ConnectionClosed):  # counted by the listener
            await self.ws.send(json.dumps(op))


async def probe(ledger: DayLedger, pinger: Seat | None, stop: asyncio.Event) -> None:
    """Every 50 ms: how late the tick fired (client loop lag); every 100 ms a ping."""
    loop = asyncio.get_running_loop()
    tick = 0.05
    due = loop.time() + tick
    n = 0
    while not stop.is_set():
        await asyncio.sleep(max(0.0, due - loop.time()))
        ledger.loop_lag[ledger.phase].append(max(0.0, loop.time() - due))
        due += tick
        n += 1
        if pinger is not None and n % 2 == 0 and len(pinger.pings) < 50:
            try:
                await pinger.send_ping()
            except ConnectionClosed:
                return
