"""A resilient test peer: an outbox, reconnects and resends, as the browser engine does.

An op stays in the outbox until it is *resolved*: its event comes back in the stream
(acknowledged), or the server rejects it, or answers a resend with ``ack duplicate``.
Ops are sent in ``op_id`` order on every connection (the protocol's rule), so a resend
after a reconnect always goes out before any newer op.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException

from roundtable.ordering import key_between
from tests.realtime.clients import LiveClient, token
from tests.support import Api, LiveServer

WORDS = ("shelter", "legal", "aid", "interpreter", "screening", "hotline", "referral", "safe")


class Peer:
    def __init__(
        self,
        name: str,
        server: LiveServer,
        api: Api,
        workshop_id: int,
        checklists: list[int],
        rng: random.Random,
    ) -> None:
        self.name = name
        self.client = LiveClient(server, api, workshop_id)
        self.checklists = checklists  # the lists this peer edits
        self.rng = rng
        self.prefix = f"{name}-{token()}"
        self.next_op = 1
        self.made = 0
        self.pending: dict[int, dict[str, Any]] = {}
        self.acknowledged: set[int] = set()
        self.rejected: dict[int, str] = {}
        self.duplicates: set[int] = set()
        self.deleted: set[str] = set()
        self.errors: list[BaseException] = []
        self.connects = 0
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None

    # -- connection ---------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    async def connect(self, deadline_s: float = 30.0) -> None:
        """Connects (retrying while the server is down), then resends the outbox in order."""
        async with self._lock:
            if self.connected:
                return
            deadline = time.monotonic() + deadline_s
            while True:
                try:
                    await self.client.connect()
                    break
                except (OSError, WebSocketException, TimeoutError):
                    await self.client.close()
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.05)
            self.connects += 1
            self._reader = asyncio.create_task(self._read(), name=f"peer-{self.name}")
            for op_id in sorted(self.pending):
                message = self.pending.get(op_id)
                if message is not None and not await self._send(message):
                    break

    async def disconnect(self, abrupt: bool) -> None:
        async with self._lock:
            ws = self.client.ws
            if ws is not None:
                if abrupt:
                    ws.transport.abort()  # as if the Wi-Fi dropped
                await ws.close()
            if self._reader is not None:
                await asyncio.wait_for(self._reader, 10)

    async def _send(self, message: dict[str, Any]) -> bool:
        try:
            await self.client.ws.send(json.dumps(message))
            return True
        except ConnectionClosed:
            return False  # the reader notices; the outbox resends after reconnecting

    async def _read(self) -> None:
        try:
            while True:
                self._note(await self.client.recv(timeout=3600))
        except ConnectionClosed:
            pass
        except BaseException as exc:  # a protocol violation fails the test at the end
            self.errors.append(exc)
            await self.client.close()

    def _note(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "events":
            for event in message["events"]:
                if event["client_id"] == self.client.client_id and event["op_id"]:
                    self.acknowledged.add(event["op_id"])
                    self.pending.pop(event["op_id"], None)
                for change in event["changes"]:
                    if change["entity"] == "item":
                        if change.get("deleted"):
                            self.deleted.add(change["id"])
                        else:
                            self.deleted.discard(change["id"])
        elif kind == "reject":
            assert message["op_id"] is not None, message
            self.rejected[message["op_id"]] = message["code"]
            self.pending.pop(message["op_id"], None)
        elif kind == "ack":
            self.duplicates.add(message["op_id"])
            self.pending.pop(message["op_id"], None)

    # -- acting -------------------------------------------------------------------------
    async def act(self) -> None:
        kind, args = self.choose()
        async with self._lock:
            op_id = self.next_op
            self.next_op += 1
            message = {"type": "op", "op_id": op_id, "kind": kind, "args": args}
            self.pending[op_id] = message
            if self.connected:
                await self._send(message)

    def choose(self) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        items = sorted(
            (i for i in self.client.items().values() if i.get("checklist_id") in self.checklists),
            key=lambda i: (i["position"], i["id"]),
        )
        roll = rng.random()
        if not items or roll < 0.3:
            return "item.create", self._create(items)
        item = rng.choice(items)
        if roll < 0.5:
            fields: dict[str, Any] = {}
            while not fields:
                if rng.random() < 0.6:
                    fields["title"] = self._words(3)
                if rng.random() < 0.3:
                    fields["detail"] = self._words(8)
                if rng.random() < 0.2:
                    fields["status"] = rng.choice(["open", "parked", "agreed"])
                if rng.random() < 0.1:
                    fields["kind"] = rng.choice(["need", "response", "practice"])
            if rng.random() < 0.5:
                fields["base_version"] = item["updated_seq"]
            return "item.update", {"id": item["id"], **fields}
        if roll < 0.6:
            return "item.move", {"id": item["id"], "position": self._position(items)}
        if roll < 0.68:
            return "item.delete", {"id": item["id"]}
        if roll < 0.74 and self.deleted:
            return "item.restore", {"id": rng.choice(sorted(self.deleted))}
        if roll < 0.87:
            return "comment.create", {"item_id": item["id"], "body": self._words(5)}
        return "vote.set", {"item_id": item["id"], "count": rng.randint(0, 2)}

    def _create(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        self.made += 1
        return {
            "id": f"{self.prefix}-{self.made}",
            "checklist_id": self.rng.choice(self.checklists),
            "kind": self.rng.choice(["need", "response", "practice"]),
            "title": self._words(3),
            "position": self._position(items),
        }

    def _position(self, items: list[dict[str, Any]]) -> str:
        if not items:
            return key_between(None, None)
        at = self.rng.randrange(len(items) + 1)
        before = items[at - 1]["position"] if at > 0 else None
        after = items[at]["position"] if at < len(items) else None
        try:
            return key_between(before, after)
        except ValueError:  # two people put items at the same place: go to the end
            return key_between(items[-1]["position"], None)

    def _words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()

    # -- running ------------------------------------------------------------------------
    async def run(self, steps: int, p_disconnect: float) -> None:
        await self.connect()
        for _ in range(steps):
            if self.rng.random() < p_disconnect:
                # An op goes out just before the line drops. After a clean close the
                # server has still applied it, so its resend must come back a duplicate.
                await self.act()
                await self.disconnect(abrupt=self.rng.random() < 0.5)
                await asyncio.sleep(self.rng.random() * 0.05)
                if self.rng.random() < 0.5:
                    await self.act()  # made while offline: waits in the outbox
            if not self.connected:
                await self.connect()
            await self.act()
            await asyncio.sleep(self.rng.random() * 0.01)

    async def settle(self, timeout: float = 30.0) -> None:
        """Until every op of the outbox is resolved."""
        deadline = time.monotonic() + timeout
        while self.pending:
            if self.errors:
                raise self.errors[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: ops never resolved: {sorted(self.pending)}")
            if not self.connected:
                await self.connect()
            await asyncio.sleep(0.02)

    async def reach(self, seq: int, timeout: float = 20.0) -> None:
        """Until this peer has applied everything up to ``seq``."""
        deadline = time.monotonic() + timeout
        while self.client.last_seq < seq:
            if self.errors:
                raise self.errors[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: at seq {self.client.last_seq}, not {seq}")
            if not self.connected:
                await self.connect()
            await asyncio.sleep(0.02)

    def check(self, log: Counter[tuple[str | None, int | None]]) -> None:
        """Against the log's count of each (client_id, op_id)."""
        if self.errors:
            raise self.errors[0]
        assert not self.pending
        mine = {op: n for (cid, op), n in log.items() if cid == self.client.client_id}
        for op_id in self.acknowledged:
            assert mine.get(op_id) == 1, f"{self.name}: op {op_id} in the log {mine.get(op_id)}x"
        for op_id in self.rejected:
            assert op_id not in mine, f"{self.name}: rejected op {op_id} is in the log"
        assert set(mine) <= set(range(1, self.next_op))
        assert all(n == 1 for n in mine.values())
