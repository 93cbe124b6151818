"""Doorbells: "workshop W has reached seq N", presence between processes, and "workshop
W was deleted: close its sockets".

A doorbell only says where to read; the log holds the events. A lost doorbell delays
delivery until the hub's periodic poll, never loses an event; a lost "deleted" likewise
only delays the closing until the poll finds the workshop gone.

On PostgreSQL, payloads on the one channel are ``d:<workshop>:<seq>`` (a doorbell),
``p:<json>`` (presence, see ``presence``) and ``x:<workshop>`` (deleted).

- :class:`LocalNotifier` — one process (the SQLite default, and tests).
- :class:`PostgresNotifier` — ``NOTIFY`` inside the op's transaction (so it is sent only
  on commit) and one dedicated ``LISTEN`` connection per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import text
from sqlmodel import Session

log = logging.getLogger("roundtable.notifier")

CHANNEL = "roundtable"

DoorbellHandler = Callable[[int, int], None]
PresenceHandler = Callable[[int, dict[str, Any]], None]
ResyncHandler = Callable[[], Awaitable[None]]
ClosedHandler = Callable[[int], None]


class Notifier(Protocol):
    reconnects: int

    async def start(
        self,
        on_doorbell: DoorbellHandler,
        on_presence: PresenceHandler,
        on_resync: ResyncHandler,
        on_closed: ClosedHandler,
    ) -> None: ...

    async def stop(self) -> None: ...

    def stage(self, session: Session, workshop_id: int, seq: int) -> None: ...

    def rung(self, workshop_id: int, seq: int) -> None: ...

    async def publish_presence(self, workshop_id: int, payload: dict[str, Any]) -> None: ...

    async def publish_closed(self, workshop_id: int) -> None: ...

    def healthy(self) -> bool: ...


class LocalNotifier:
    """In-process doorbell. ``rung`` may be called from worker threads."""

    def __init__(self) -> None:
        self.reconnects = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_doorbell: DoorbellHandler | None = None

    async def start(
        self,
        on_doorbell: DoorbellHandler,
        on_presence: PresenceHandler,
        on_resync: ResyncHandler,
        on_closed: ClosedHandler,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_doorbell = on_doorbell

    async def stop(self) -> None:
        self._on_doorbell = None

    def stage(self, session: Session, workshop_id: int, seq: int) -> None:
        return None

    def rung(self, workshop_id: int, seq: int) -> None:
        loop, handler = self._loop, self._on_doorbell
        if loop is None or handler is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(handler, workshop_id, seq)

    async def publish_presence(self, workshop_id: int, payload: dict[str, Any]) -> None:
        return None  # one process: the hub already has it

    async def publish_closed(self, workshop_id: int) -> None:
        return None  # one process: the hub closed them already

    def healthy(self) -> bool:
        return self._on_doorbell is not None


class PostgresNotifier(LocalNotifier):
    """LISTEN/NOTIFY across processes, with reconnect and resync on listener loss."""

    def __init__(self, dsn: str, *, node_id: str) -> None:
        super().__init__()
        self._dsn = dsn.replace("postgresql+psycopg://", "postgresql://")
        self._node_id = node_id
        self._task: asyncio.Task[None] | None = None
        self._connected = False
        self._on_presence: PresenceHandler | None = None
        self._on_resync: ResyncHandler | None = None
        self._on_closed: ClosedHandler | None = None
        self._send_conn: Any = None
        self._send_lock = asyncio.Lock()

    async def start(
        self,
        on_doorbell: DoorbellHandler,
        on_presence: PresenceHandler,
        on_resync: ResyncHandler,
        on_closed: ClosedHandler,
    ) -> None:
        await super().start(on_doorbell, on_presence, on_resync, on_closed)
        self._on_presence = on_presence
        self._on_resync = on_resync
        self._on_closed = on_closed
        self._task = asyncio.create_task(self._listen_forever(), name="pg-listen")

    async def stop(self) -> None:
        await super().stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._send_conn is not None:
            await self._send_conn.close()

    def stage(self, session: Session, workshop_id: int, seq: int) -> None:
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"d:{workshop_id}:{seq}"},
        )

    async def publish_presence(self, workshop_id: int, payload: dict[str, Any]) -> None:
        body = json.dumps(
            {"n": self._node_id, "w": workshop_id, "p": payload}, separators=(",", ":")
        )
        if len(body) > 7900:  # NOTIFY payloads are limited to 8000 bytes
            return
        await self._send("p:" + body, "presence")

    async def publish_closed(self, workshop_id: int) -> None:
        await self._send(f"x:{workshop_id}", "workshop deletion")

    async def _send(self, payload: str, what: str) -> None:
        """Best effort, outside any transaction: the poll makes up for a loss."""
        import psycopg

        async with self._send_lock:
            try:
                if self._send_conn is None or self._send_conn.closed:
                    self._send_conn = await psycopg.AsyncConnection.connect(
                        self._dsn, autocommit=True
                    )
                await self._send_conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except psycopg.Error as exc:
                log.warning("%s not published: %s", what, exc)
                self._send_conn = None

    def healthy(self) -> bool:
        return self._connected

    async def _listen_forever(self) -> None:
        import psycopg

        delay = 0.1
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._connected = True
                    delay = 0.1
                    if not first:
                        self.reconnects += 1
                        log.info("notifier listener reconnected")
                    if not first and self._on_resync is not None:
                        await self._on_resync()  # doorbells may have been missed
                    first = False
                    async for note in conn.notifies():
                        self._dispatch(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: back off, then resync
                log.warning("notifier listener lost: %s", exc)
            self._connected = False
            first = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _dispatch(self, payload: str) -> None:
        try:
            if payload.startswith("d:"):
                _, w, s = payload.split(":")
                if self._on_doorbell is not None:
                    self._on_doorbell(int(w), int(s))
            elif payload.startswith("x:"):
                if self._on_closed is not None:
                    self._on_closed(int(payload[2:]))
            elif payload.startswith("p:"):
                body = json.loads(payload[2:])
                if body.get("n") != self._node_id and self._on_presence is not None:
                    self._on_presence(int(body["w"]), body["p"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored malformed notification")
