"""One WebSocket connection: the handshake, the receive loop and the sender.

The sender is a single task that waits for a wake-up and then sends, contiguously from
its own ``last_sent``, whatever the room has loaded (or, if it fell behind the room's
buffer, what it reads itself). Sends are bounded by a timeout: a client that stops
reading is closed with 4008 and catches up when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from functools import partial
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from roundtable.accounts.service import find_session, member_in_workshop
from roundtable.db import read_session
from roundtable.errors import OpRejected
from roundtable.groups.models import Member
from roundtable.realtime.hub import RenderedEvent, Room
from roundtable.realtime.protocol import (
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    ClientMessage,
    CloseCode,
    Hello,
    OpMessage,
    Ping,
    PresenceMessage,
)
from roundtable.realtime.snapshot import build_snapshot, readable_checklist_ids
from roundtable.security import SESSION_COOKIE, origin_allowed
from roundtable.services import Services
from roundtable.sync.log import read_since
from roundtable.sync.models import Event, SyncClient
from roundtable.workshops.models import Workshop

log = logging.getLogger("roundtable.ws")
_client_message = TypeAdapter(ClientMessage)
_hello = TypeAdapter(Hello)
BATCH = 500


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Connection:
    def __init__(self, ws: WebSocket, services: Services) -> None:
        self.ws = ws
        self.services = services
        self.workshop_id = 0
        self.client_id = ""
        self.member_id = 0
        self.visible: set[int] = set()
        self.last_sent = 0  # every seq up to here has been considered
        self.last_delivered = 0  # the client's last_seq: the ``to`` of the last batch sent
        self.presence_key = secrets.token_urlsafe(6)
        self.room: Room | None = None
        self._wake = asyncio.Event()
        self._send_lock = asyncio.Lock()
        self._closed = False
        self._sender: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------
    async def run(self) -> None:
        settings = self.services.settings
        await self.ws.accept()
        try:
            headers = self.ws.headers
            if not origin_allowed(
                headers.get("origin"), settings.allowed_origins, headers.get("host")
            ):
                raise Closed(CloseCode.FORBIDDEN, "origin not allowed")
            hello = await self._receive_hello()
            await self._start(hello)
            await self._receive_loop()
        except Closed as closed:
            await self.close(closed.code, closed.reason)
        except WebSocketDisconnect:
            pass
        finally:
            self._closed = True
            if self._sender is not None:
                self._sender.cancel()
            self.services.hub.leave(self)

    async def close(self, code: int, reason: str) -> None:
        self._closed = True
        if self.ws.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await self.ws.close(code, reason)

    async def _receive_hello(self) -> Hello:
        try:
            text = await asyncio.wait_for(self._receive_text(), timeout=15)
        except TimeoutError as exc:
            raise Closed(CloseCode.BAD_HANDSHAKE, "expected hello within 15 s") from exc
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise Closed(CloseCode.BAD_HANDSHAKE, "hello: not JSON") from exc
        protocol = raw.get("protocol") if isinstance(raw, dict) else None
        if isinstance(protocol, int) and protocol < MIN_PROTOCOL_VERSION:
            raise Closed(CloseCode.PROTOCOL_TOO_OLD, f"protocol {protocol} is too old")
        try:
            return _hello.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "message"
            raise Closed(CloseCode.BAD_HANDSHAKE, f"hello.{where}: {first['msg']}"[:120]) from exc

    async def _start(self, hello: Hello) -> None:
        token = self.ws.cookies.get(SESSION_COOKIE)
        member_id, workshop_exists, last_op_id = await self.services.hub.run_read(
            partial(_resolve, token, hello.workshop_id, hello.client_id)
        )
        if not workshop_exists:
            raise Closed(CloseCode.NOT_FOUND, f"workshop {hello.workshop_id} does not exist")
        if member_id is None:
            raise Closed(CloseCode.FORBIDDEN, "not a member of this workshop: join or sign in")
        self.workshop_id = hello.workshop_id
        self.client_id = hello.client_id
        self.member_id = member_id
        self.room = await self.services.hub.join(self)
        # Registered first, so no doorbell between here and the first send is missed.
        head = self.room.loaded
        behind = head - hello.last_seq
        use_snapshot = (
            hello.last_seq == 0
            or behind > self.services.settings.snapshot_threshold
            or hello.last_seq > head
        )
        catchup: list[Event] = []
        if not use_snapshot:
            catchup, visible = await self.services.hub.run_read(
                partial(_catchup, self.workshop_id, member_id, hello.last_seq, head)
            )
            if any(e.resync for e in catchup):
                use_snapshot = True
            self.visible = visible
        await self._send_json(
            {
                "type": "welcome",
                "protocol": PROTOCOL_VERSION,
                "head_seq": head,
                "last_op_id": last_op_id,
                "mode": "snapshot" if use_snapshot else "events",
                "member_id": member_id,
            }
        )
        if use_snapshot:
            await self._send_snapshot()
        else:
            self.last_sent = self.last_delivered = hello.last_seq
            await self._send_events([RenderedEvent(e) for e in catchup])
        self.services.hub.publish_presence(
            self.room, self.presence_key, self._presence_entry(None, None)
        )
        self.send_presence([{"session": k, **v} for k, v in sorted(self.room.presence.items())])
        self._sender = asyncio.create_task(self._pump(), name=f"ws-send-{self.presence_key}")
        self.wake()

    # -- receiving -------------------------------------------------------------------
    async def _receive_text(self) -> str:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None:
            data = message.get("bytes") or b""
            if len(data) > self.services.settings.ws_max_message_bytes:
                raise Closed(CloseCode.MESSAGE_TOO_LARGE, "message too large")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                return "\x00invalid-utf8"
        if len(text) > self.services.settings.ws_max_message_bytes:
            raise Closed(CloseCode.MESSAGE_TOO_LARGE, "message too large")
        return str(text)

    async def _receive_loop(self) -> None:
        while not self._closed:
            text = await self._receive_text()
            try:
                raw = json.loads(text)
            except ValueError:
                await self._reject(None, "invalid", "message: not valid JSON")
                continue
            op_id = raw.get("op_id") if isinstance(raw, dict) else None
            op_id = op_id if isinstance(op_id, int) and not isinstance(op_id, bool) else None
            try:
                message = _client_message.validate_python(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                if first["type"] in ("union_tag_invalid", "union_tag_not_found", "model_type"):
                    kind = raw.get("type") if isinstance(raw, dict) else None
                    await self._reject(
                        op_id, "unknown_message", f"type: unknown message type {kind!r}"[:200]
                    )
                else:
                    where = ".".join(str(p) for p in first["loc"][1:]) or "message"
                    await self._reject(
                        op_id, "invalid", f"{where}: {first['msg']}"[:300], field=where
                    )
                continue
            if isinstance(message, OpMessage):
                await self._handle_op(message)
            elif isinstance(message, PresenceMessage):
                self._handle_presence(message)
            elif isinstance(message, Ping):
                await self._send_json({"type": "pong"})
            else:
                await self._reject(None, "invalid", "type: hello was already received")

    async def _handle_op(self, message: OpMessage) -> None:
        try:
            result = await self.services.submit(
                workshop_id=self.workshop_id,
                member_id=self.member_id,
                kind=message.kind,
                args=message.args,
                client_id=self.client_id,
                op_id=message.op_id,
            )
        except OpRejected as exc:
            log.info(
                "op rejected: workshop=%s member=%s kind=%s code=%s",
                self.workshop_id,
                self.member_id,
                message.kind[:40],
                exc.code,
            )
            await self._reject(message.op_id, exc.code, exc.message, field=exc.field)
            if exc.code == "forbidden" and "not a member" in exc.message:
                raise Closed(CloseCode.FORBIDDEN, "no longer a member of this workshop") from exc
            return
        if result.duplicate:
            await self._send_json({"type": "ack", "op_id": message.op_id, "duplicate": True})

    def _handle_presence(self, message: PresenceMessage) -> None:
        if self.room is None:
            return
        checklist = message.checklist_id if message.checklist_id in self.visible else None
        editing = message.editing_item_id if checklist is not None else None
        self.services.hub.publish_presence(
            self.room, self.presence_key, self._presence_entry(checklist, editing)
        )

    def _presence_entry(self, checklist_id: int | None, editing: str | None) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "checklist_id": checklist_id,
            "editing_item_id": editing,
        }

    # -- sending ---------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    async def _pump(self) -> None:
        try:
            while not self._closed:
                await self._wake.wait()
                self._wake.clear()
                await self._drain()
        except Closed as closed:
            await self.close(closed.code, closed.reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            await self.close(1011, "send failed")

    async def _drain(self) -> None:
        room = self.room
        assert room is not None
        while not self._closed and self.last_sent < room.loaded:
            if self.last_sent >= room.buffer_base:
                events = room.slice_after(self.last_sent, BATCH)
            elif room.loaded - self.last_sent > self.services.settings.snapshot_threshold:
                await self._send_snapshot()
                continue
            else:
                rows = await self.services.hub.run_read(
                    partial(_read_range, self.workshop_id, self.last_sent, BATCH)
                )
                events = [RenderedEvent(e) for e in rows]
            if not events:
                return
            await self._send_events(events)

    async def _send_events(self, events: list[RenderedEvent]) -> None:
        """Sends the visible ones of ``events`` (contiguous after ``last_sent``)."""
        room = self.room
        assert room is not None
        texts: list[str] = []
        covered = self.last_sent
        resync = False
        for event in events:
            if event.seq <= covered:
                continue
            if event.resync:
                resync = True
                break
            covered = event.seq
            if event.scope is None or event.scope in self.visible:
                texts.append(event.text_for(room.policy, self.member_id))
        if texts:
            await self._send_text(
                '{"type":"events","from":%d,"to":%d,"events":[%s]}'
                % (self.last_delivered + 1, covered, ",".join(texts))
            )
            self.last_delivered = covered
        self.last_sent = covered
        if resync:
            await self._send_snapshot()

    async def _send_snapshot(self) -> None:
        snapshot, visible, member = await self.services.hub.run_read(
            partial(_snapshot, self.workshop_id, self.member_id)
        )
        if member is None:
            raise Closed(CloseCode.FORBIDDEN, "no longer a member of this workshop")
        self.visible = visible
        await self._send_text(json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False))
        self.last_sent = self.last_delivered = int(snapshot["seq"])

    def send_presence(self, entries: list[dict[str, Any]]) -> None:
        if self._closed or self.room is None:
            return
        visible = [
            e
            for e in entries
            if e.get("checklist_id") is None or e.get("checklist_id") in self.visible
        ]
        task = asyncio.create_task(self._send_json({"type": "presence", "entries": visible}))
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    async def _reject(
        self, op_id: int | None, code: str, message: str, field: str | None = None
    ) -> None:
        body: dict[str, Any] = {"type": "reject", "op_id": op_id, "code": code, "message": message}
        if field is not None:
            body["field"] = field
        await self._send_json(body)

    async def _send_json(self, body: dict[str, Any]) -> None:
        await self._send_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False))

    async def _send_text(self, text: str) -> None:
        if self._closed:
            return
        async with self._send_lock:
            try:
                await asyncio.wait_for(
                    self.ws.send_text(text), timeout=self.services.settings.ws_send_timeout_s
                )
            except TimeoutError as exc:
                raise Closed(CloseCode.SLOW_CONSUMER, "too slow to receive") from exc


# -- blocking reads (run in worker threads) ------------------------------------------
def _resolve(
    token: str | None, workshop_id: int, client_id: str, engine: Engine
) -> tuple[int | None, bool, int]:
    with read_session(engine) as session:
        if session.get(Workshop, workshop_id) is None:
            return None, False, 0
        login = find_session(session, token)
        member = member_in_workshop(session, login, workshop_id) if login else None
        record = session.get(SyncClient, (client_id, workshop_id))
        return (member.id if member else None), True, (record.last_op_id if record else 0)


def _catchup(
    workshop_id: int, member_id: int, after: int, upto: int, engine: Engine
) -> tuple[list[Event], set[int]]:
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        assert workshop is not None and member is not None
        events = read_since(session, workshop_id, after, limit=max(0, upto - after))
        return events, readable_checklist_ids(session, workshop, member)


def _read_range(workshop_id: int, after: int, limit: int, engine: Engine) -> list[Event]:
    with read_session(engine) as session:
        return read_since(session, workshop_id, after, limit=limit)


def _snapshot(
    workshop_id: int, member_id: int, engine: Engine
) -> tuple[dict[str, Any], set[int], Member | None]:
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        if workshop is None or member is None or member.removed:
            return {}, set(), None
        snapshot = build_snapshot(session, workshop, member)
        visible = {int(c["id"]) for c in snapshot["checklists"]}
        return snapshot, visible, member
