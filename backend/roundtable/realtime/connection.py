"""One WebSocket connection: the handshake, the receive loop and the sender.

The handshake registers with the room *before* it reads the catch-up, so nothing that
commits meanwhile is missed, and sends ``welcome`` and the catch-up (or a snapshot)
before anything else can be sent. Then two tasks run until either ends:

- the receiver handles one client message at a time (ops are submitted in order);
- the sender waits for a wake-up and sends, contiguously from its own ``last_sent``,
  whatever the room has loaded (or, if it fell behind the room's buffer, what it reads
  itself), then what changed in the room's presence since the version it last sent
  (see ``presence``): one version number per connection, so nothing queues up.

Sends are bounded by a timeout: a client that stops reading is closed with 4008 and
catches up when it reconnects.

The common case skips the sender task: when the room loads new events and this
connection is caught up, idle and its socket takes a frame now, the room's hand-over
writes the frame itself (``offer``, ``direct``), as a broadcast server would. The
sender's ``last_sent``/``last_delivered`` move on exactly as if it had sent it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from roundtable.errors import OpRejected
from roundtable.realtime.deflated import Deflated, DeflatedSend
from roundtable.realtime.direct import DirectSend, Frames
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
from roundtable.realtime.reads import (
    SnapshotText,
    read_catchup,
    read_range,
    read_snapshot_text,
    resolve_hello,
)
from roundtable.security import SESSION_COOKIE, hash_token, origin_allowed
from roundtable.services import Services

log = logging.getLogger("roundtable.ws")
_client_message = TypeAdapter(ClientMessage)
_hello = TypeAdapter(Hello)
BATCH = 500
# The database is down, restarting, locked or out of connections: nothing is wrong with
# the request, so the client is told to try again later (1013), not that we failed (1011).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


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
        self.view: frozenset[int] = frozenset()  # ``visible``, as presence's cache key
        self.last_sent = 0  # every seq up to here has been considered
        self.last_delivered = 0  # the client's last_seq: the ``to`` of the last batch sent
        self.presence_key = secrets.token_urlsafe(6)
        self.room: Room | None = None
        self._wake = asyncio.Event()
        self._idle = False  # the sender waits for a wake-up, in nothing's middle
        self._send_lock = asyncio.Lock()
        self._closed = False
        self.presence_version = 0  # of the room's presence, last sent (0: nothing yet)
        self._presence_due = False
        self.session_hash = ""  # of the session that opened it (see realtime/sessions.py)
        self._ending: Closed | None = None
        self._direct: DirectSend | None = None  # set once accepted, if the server has one
        self._deflated: DeflatedSend | bool | None = False  # False: not looked for yet

    # -- lifecycle -------------------------------------------------------------------
    async def run(self) -> None:
        settings = self.services.settings
        await self.ws.accept()
        self._direct = DirectSend.find(self.ws.scope)
        try:
            headers = self.ws.headers
            if not origin_allowed(
                headers.get("origin"), settings.allowed_origins, headers.get("host")
            ):
                raise Closed(CloseCode.FORBIDDEN, "origin not allowed")
            hello = await self._receive_hello()
            await self._start(hello)
            await self._serve()
        except Closed as closed:
            await self.close(closed.code, closed.reason)
        except WebSocketDisconnect:
            pass
        except DATABASE_UNAVAILABLE as exc:  # e.g. while a client says hello
            log.warning("live connection closed, database unavailable: %s", type(exc).__name__)
            await self.close(CloseCode.TRY_AGAIN_LATER, "database unavailable; try again later")
        except Exception:
            log.exception("live connection failed")
            await self.close(CloseCode.INTERNAL_ERROR, "internal error; reconnect")
        finally:
            self._closed = True
            self.services.hub.leave(self)

    async def _serve(self) -> None:
        """Runs the receiver and the sender until one of them ends, then stops the other."""
        tasks = [
            asyncio.create_task(self._receive_loop(), name=f"ws-recv-{self.presence_key}"),
            asyncio.create_task(self._pump(), name=f"ws-send-{self.presence_key}"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._closed = True  # nothing more is sent but the close frame
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            exc = task.exception()
            if exc is not None:
                raise exc

    async def close(self, code: int, reason: str) -> None:
        self._closed = True
        if self.ws.application_state == WebSocketState.CONNECTED:
            # A client that stopped reading cannot take a close frame either; after the
            # timeout, returning from the app drops the connection.
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect, TimeoutError):
                async with asyncio.timeout(2):
                    await self.ws.close(code, reason)

    async def _receive_hello(self) -> Hello:
        try:
            async with asyncio.timeout(15):
                text = await self._receive_text()
        except TimeoutError as exc:
            raise Closed(CloseCode.BAD_HANDSHAKE, "expected hello within 15 s") from exc
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
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
        who = await self.services.hub.run_read(
            partial(resolve_hello, token, hello.workshop_id, hello.client_id)
        )
        if not who.signed_in:
            raise Closed(CloseCode.FORBIDDEN, "no session: join a group or sign in")
        if not who.workshop_exists:
            raise Closed(CloseCode.NOT_FOUND, f"workshop {hello.workshop_id} does not exist")
        if who.member_id is None:
            raise Closed(CloseCode.FORBIDDEN, "not a member of this workshop: join or sign in")
        self.workshop_id = hello.workshop_id
        self.client_id = hello.client_id
        self.member_id = who.member_id
        self.session_hash = hash_token(token) if token else ""
        # Registered first, so whatever commits from here on reaches this connection.
        room = self.room = await self.services.hub.join(self)
        last = hello.last_seq
        threshold = self.services.settings.snapshot_threshold
        if last > 0 and room.buffer_base <= last <= room.loaded <= last + threshold:
            # The room holds what the client missed, rendered once for everyone who
            # comes back: nothing more to read. (A resync among them sends a snapshot.)
            self._see(who.visible)
            await self._welcome(room.loaded, who.last_op_id, "events")
            self.last_sent = self.last_delivered = last
            while room.buffer_base <= self.last_sent < room.loaded:
                await self._send_events(room.slice_after(self.last_sent, BATCH))
        else:
            await self._catch_up(last, who.last_op_id)
        self.services.hub.publish_presence(
            room, self.presence_key, self._presence_entry(None, None)
        )
        self.presence_due()

    async def _welcome(self, head: int, last_op_id: int, mode: str) -> None:
        await self._send_json(
            {
                "type": "welcome",
                "protocol": PROTOCOL_VERSION,
                "head_seq": head,
                "last_op_id": last_op_id,
                "mode": mode,
                "member_id": self.member_id,
            }
        )

    @contextlib.contextmanager
    def _reading_snapshot(self) -> Iterator[int]:
        """Counts this connection among the room's snapshot readers while it reads one;
        gives how far behind the head a snapshot shared with others may be. Alone, it is
        read at the head; in a crowd (others reading too: joins, a reconnect storm, a
        resync) the room's latest read is shared, up to the catch-up threshold behind,
        and the events since follow (``read_snapshot_text``): one read of the workshop
        for the crowd, not one each as the head moves."""
        room = self.room
        if room is None:
            yield 0
            return
        room.snapshot_reads += 1
        try:
            yield self.services.settings.snapshot_threshold if room.snapshot_reads > 1 else 0
        finally:
            room.snapshot_reads -= 1

    async def _catch_up(self, last: int, last_op_id: int) -> None:
        """From the database: the events after ``last``, or a snapshot."""
        with self._reading_snapshot() as shared_lag:
            catchup = await self.services.hub.run_read(
                partial(
                    read_catchup,
                    self.workshop_id,
                    self.member_id,
                    last,
                    self.services.settings.snapshot_threshold,
                    with_snapshot=True,
                    cache=self.room.snapshots if self.room is not None else None,
                    shared_lag=shared_lag,
                )
            )
        if catchup is None:
            raise Closed(CloseCode.FORBIDDEN, "no longer a member of this workshop")
        mode = "snapshot" if catchup.events is None else "events"
        await self._welcome(catchup.head, last_op_id, mode)
        if catchup.events is None:
            await self._send_snapshot(catchup.snapshot)
        else:
            self._see(catchup.visible)
            self.last_sent = self.last_delivered = last
            await self._send_events([RenderedEvent(e) for e in catchup.events])

    # -- receiving -------------------------------------------------------------------
    async def _receive_text(self) -> str:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        limit = self.services.settings.ws_max_message_bytes
        text = message.get("text")
        if text is None:
            data = message.get("bytes") or b""
            if len(data) > limit:
                raise Closed(CloseCode.MESSAGE_TOO_LARGE, "message too large")
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return "\x00invalid-utf8"
        # The limit is in bytes; a character takes at most 4 of them in UTF-8.
        if len(text) > limit or (len(text) * 4 > limit and len(text.encode("utf-8")) > limit):
            raise Closed(CloseCode.MESSAGE_TOO_LARGE, "message too large")
        return str(text)

    async def _receive_loop(self) -> None:
        while True:
            text = await self._receive_text()
            try:
                raw = json.loads(text)
            except (ValueError, RecursionError):  # RecursionError: nested too deep
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
            if exc.code == "unavailable":
                # Not a refusal: the op may be resent. Stop here, before the ops queued
                # behind it, or one of those would raise the client's op id past it and
                # the resend would be taken for a duplicate.
                log.warning("op not taken, database unavailable: %s", exc.message)
                raise Closed(CloseCode.TRY_AGAIN_LATER, "database unavailable") from exc
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
        except Exception:
            # A bug in an op handler: nothing was committed, and the connection lives on.
            log.exception("op failed: workshop=%s kind=%s", self.workshop_id, message.kind[:40])
            await self._reject(
                message.op_id, "internal", "something went wrong on our side; nothing was changed"
            )
            return
        if result.duplicate:
            await self._send_json(
                {"type": "ack", "op_id": message.op_id, "duplicate": True, "seq": result.seq}
            )
        elif result.event is not None and result.event.resync:
            # Its event reaches every client as a snapshot, which names no op: say it is done.
            await self._send_json(
                {"type": "ack", "op_id": message.op_id, "duplicate": False, "seq": result.seq}
            )

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

    def end(self, code: int, reason: str) -> None:
        """Closes this connection from outside (its session ended): the sender does it."""
        self._ending = Closed(code, reason)
        self._wake.set()

    def offer(
        self, before: int, loaded: int, fresh: list[RenderedEvent] | None, frames: Frames
    ) -> bool:
        """The room loaded ``(before, loaded]`` and offers it to those who can read one of
        the checklists it touches; ``fresh`` holds those events when the room's buffer has
        them all, ``frames`` the frames already built for others in this fan-out. True if
        they were written to the socket here and then.

        Only a sender waiting for a wake-up is served here: if it was not offered what
        came since its ``last_sent`` and could see none of it, it counts as caught up;
        caught up, with a socket that takes a frame now, it gets the frame written
        directly (see ``direct``). Everyone else is woken and sends from its own task."""
        room, direct = self.room, self._direct
        if not self._idle or self._wake.is_set() or room is None:
            self._wake.set()
            return False
        if self.last_sent != before and room.quiet(self.view, self.last_sent):
            self.last_sent = before
        if self.last_sent == before and fresh is not None and direct is not None and self._free():
            text, covered, resync, _ = self._frame(fresh)
            if not resync and covered == loaded:
                if text is None:
                    self.last_sent = covered
                    return False
                if direct.write(text, frames):
                    self.last_sent = self.last_delivered = covered
                    return True
        self._wake.set()
        return False

    def _free(self) -> bool:
        """Nothing is being sent here and the socket takes a frame now: one may be written
        to it directly (``offer``, ``_send_presence``)."""
        direct = self._direct
        return (
            direct is not None
            and not self._closed
            and not self._send_lock.locked()
            and direct.ready()
        )

    async def _pump(self) -> None:
        try:
            while not self._closed:
                self._idle = True
                try:
                    await self._wake.wait()
                finally:
                    self._idle = False
                self._wake.clear()
                if self._ending is not None:
                    raise self._ending
                await self._drain()
                if self._presence_due:
                    self._presence_due = False
                    await self._send_presence()
        except (Closed, WebSocketDisconnect, *DATABASE_UNAVAILABLE):
            raise
        except Exception as exc:
            # Never leave a client connected to a sender that stopped: it would wait forever.
            log.exception("sending to a live connection failed")
            raise Closed(CloseCode.INTERNAL_ERROR, "internal error; reconnect") from exc

    async def _drain(self) -> None:
        room = self.room
        assert room is not None
        if self.last_sent < room.loaded and room.quiet(self.view, self.last_sent):
            self.last_sent = room.loaded  # nothing since that it may see (not offered it)
        while self.last_sent < room.loaded:
            live = self.last_sent >= room.buffer_base
            if live:
                events = room.slice_after(self.last_sent, BATCH)
            elif room.loaded - self.last_sent > self.services.settings.snapshot_threshold:
                await self._send_snapshot()
                continue
            else:
                rows = await self.services.hub.run_read(
                    partial(read_range, self.workshop_id, self.last_sent, BATCH)
                )
                events = [RenderedEvent(e) for e in rows]
            if not events:
                return
            await self._send_events(events, live=live)

    async def _send_events(self, events: list[RenderedEvent], *, live: bool = False) -> None:
        """Sends the visible ones of ``events`` (contiguous after ``last_sent``). ``live``:
        they come from the room's buffer, just committed; the fan-out lag is measured."""
        text, covered, resync, oldest = self._frame(events)
        if text is not None:
            await self._send_text(text)
            if live:
                self.services.metrics.fanout_lag.observe(time.time() - oldest)
            self.last_delivered = covered
        self.last_sent = covered
        if resync:
            await self._send_snapshot()

    def _frame(self, events: list[RenderedEvent]) -> tuple[str | None, int, bool, float]:
        """The ``events`` message of what this connection may see of ``events``, up to the
        first resync: (its text or None, the last seq it covers, whether a resync was
        met, when the oldest event in it was committed)."""
        room = self.room
        assert room is not None
        texts: list[str] = []
        covered = self.last_sent
        resync = False
        oldest = 0.0
        for event in events:
            if event.seq <= covered:
                continue
            if event.resync:
                resync = True
                break
            covered = event.seq
            if event.scope is None or event.scope in self.visible:
                if not texts:
                    oldest = event.committed_at
                texts.append(event.text_for(room.policy, self.member_id))
        if not texts:
            return None, covered, resync, oldest
        text = '{"type":"events","from":%d,"to":%d,"events":[%s]}' % (
            self.last_delivered + 1,
            covered,
            ",".join(texts),
        )
        return text, covered, resync, oldest

    async def _send_snapshot(self, shot: SnapshotText | None = None) -> None:
        """Sends ``shot``, or the snapshot now when none is given. Either may be at a seq
        below the head (a recent one shared with others, see ``read_snapshot_text``):
        ``last_sent`` becomes its seq, and the events after it follow as for anyone."""
        if shot is None:
            with self._reading_snapshot() as shared_lag:
                shot = await self.services.hub.run_read(
                    partial(
                        read_snapshot_text,
                        self.workshop_id,
                        self.member_id,
                        cache=self.room.snapshots if self.room is not None else None,
                        shared_lag=shared_lag,
                        not_before=self.last_sent,
                    )
                )
        if shot is None:
            raise Closed(CloseCode.FORBIDDEN, "no longer a member of this workshop")
        self._see(shot.visible)
        if shot.deflated is None or not await self._send_deflated(shot.deflated):
            await self._send_text(shot.text)
        self.last_sent = self.last_delivered = shot.seq
        # What one may see changed, so may whom one sees: the whole list again.
        self.presence_version = 0
        self.presence_due()

    def _see(self, visible: set[int]) -> None:
        old = self.view
        self.visible = visible
        self.view = frozenset(visible)
        if self.room is not None and self.view != old:
            self.room.watch(self, old, self.view)

    def presence_due(self) -> None:
        """The room's presence moved on (or this connection needs all of it)."""
        self._presence_due = True
        self.wake()

    async def _send_presence(self) -> None:
        room = self.room
        assert room is not None
        version = room.roster.version
        text = room.roster.text_since(self.presence_version, self.view)
        self.presence_version = version
        if text is None:
            return
        direct = self._direct
        if direct is not None and direct.shares_frames and self._free():
            frames = room.presence_frames()
            built = frames.built
            if direct.write(text, frames):  # written as it is, like an event (``offer``)
                stats = self.services.hub.stats
                stats["presence_frames"] += 1
                stats["presence_frames_built"] += frames.built - built
                return
        await self._send_text(text)

    async def _reject(
        self, op_id: int | None, code: str, message: str, field: str | None = None
    ) -> None:
        body: dict[str, Any] = {"type": "reject", "op_id": op_id, "code": code, "message": message}
        if field is not None:
            body["field"] = field
        await self._send_json(body)

    async def _send_json(self, body: dict[str, Any]) -> None:
        await self._send_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False))

    async def _send_deflated(self, shot: Deflated) -> bool:
        """Writes a snapshot compressed once for many (``realtime.deflated``), if this
        connection can take it that way; False if not, and nothing was sent."""
        if self._deflated is False:
            self._deflated = DeflatedSend.find(self.ws.scope)
        sender = self._deflated
        if not isinstance(sender, DeflatedSend) or self._closed:
            return False
        async with self._send_lock:
            try:
                async with asyncio.timeout(self.services.settings.ws_send_timeout_s):
                    return await sender.send(shot)
            except TimeoutError as exc:
                raise Closed(CloseCode.SLOW_CONSUMER, "too slow to receive") from exc

    async def _send_text(self, text: str) -> None:
        if self._closed:
            return
        # ``asyncio.timeout``, not ``wait_for``: on Python 3.11 ``wait_for`` swallows a
        # cancellation that arrives as the send completes, and the sender would live on.
        async with self._send_lock:
            try:
                async with asyncio.timeout(self.services.settings.ws_send_timeout_s):
                    await self.ws.send_text(text)
            except TimeoutError as exc:
                raise Closed(CloseCode.SLOW_CONSUMER, "too slow to receive") from exc
