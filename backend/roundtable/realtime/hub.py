"""The hub: one per process. Reads each new range of a workshop's log once and hands it
to every local connection of that workshop.

Each :class:`Room` keeps a bounded buffer of recent events, each rendered at most once
per (policy, audience). A connection that falls behind the buffer reads its own
catch-up from the database, so nothing here grows without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from sqlalchemy import Engine, select
from sqlmodel import col

from roundtable.attribution import hides_authors, mentions, render_actor, render_values
from roundtable.db import is_sqlite, read_session
from roundtable.realtime.direct import Frames
from roundtable.realtime.presence import EXPIRY_PERIODS, Roster, tick_interval
from roundtable.realtime.protocol import CloseCode
from roundtable.realtime.snapshot import SnapshotCache
from roundtable.sync.log import read_head, read_since
from roundtable.sync.models import CommittedEvent, Event, EventRecord
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import OpRequest, Submitted, submit
from roundtable.sync.writer import Writer
from roundtable.timeutil import isoformat
from roundtable.workshops.models import Workshop

if TYPE_CHECKING:
    from roundtable.realtime.connection import Connection
    from roundtable.realtime.notifier import Notifier

log = logging.getLogger("roundtable.hub")
# Ops that rewrite past events (a redaction): the buffer's copies are stale.
PURGING_KINDS = frozenset({"safeguards.redact", "workshop.erase_names"})
ROOM_LINGER_S = 30.0  # how long a room nobody is connected to is kept
T = TypeVar("T")


class RenderedEvent:
    """An event plus its JSON text per (policy, viewer-if-mentioned)."""

    __slots__ = ("_cache", "_mentions", "committed_at", "event", "resync", "scope", "seq")

    def __init__(self, event: EventRecord) -> None:
        self.event = event
        self.seq = event.seq
        self.scope = event.scope
        self.resync = event.resync
        self.committed_at = time.time()
        self._mentions = mentions(event.changes, event.actor_id)
        self._cache: dict[tuple[str, int | None], str] = {}

    def text_for(self, policy: str, viewer: int | None) -> str:
        key = (policy, viewer if viewer in self._mentions else None)
        text = self._cache.get(key)
        if text is None:
            text = render_event_json(self.event, policy, key[1])
            self._cache[key] = text
        return text


def render_event(event: EventRecord, policy: str, viewer: int | None) -> dict[str, Any]:
    changes = []
    for change in event.changes:
        values = change.get("values")
        if values is not None:
            change = {**change, "values": render_values(change["entity"], values, policy, viewer)}
        changes.append(change)
    # Under Chatham House a client id would tie a person's statements together (and to
    # their own renames), so only the author gets it back: they need it to see the ack.
    own = not hides_authors(policy) or event.actor_id == viewer
    return {
        "seq": event.seq,
        "client_id": event.client_id if own else None,
        "op_id": event.op_id if own else None,
        "actor": render_actor(event.actor_id, policy, viewer),
        "kind": event.kind,
        "changes": changes,
        "at": isoformat(event.created_at),
    }


def render_event_json(event: EventRecord, policy: str, viewer: int | None) -> str:
    return json.dumps(
        render_event(event, policy, viewer), separators=(",", ":"), ensure_ascii=False
    )


class Room:
    def __init__(self, hub: Hub, workshop_id: int, head: int, policy: str) -> None:
        self.hub = hub
        self.workshop_id = workshop_id
        self.connections: set[Connection] = set()
        # Who can see each checklist, so an event is offered to its readers only; and the
        # last seq that touched each checklist (``touched_all``: everyone, e.g. a resync),
        # so a connection that was not offered the events since its ``last_sent`` can
        # tell it had nothing in them (``quiet``).
        self.watchers: dict[int, set[Connection]] = {}
        self.touched: dict[int, int] = {}
        self.touched_all = head
        self.buffer: deque[RenderedEvent] = deque()
        self.buffer_base = head  # the buffer holds events with seq in (buffer_base, loaded]
        self.loaded = head
        self.target = head
        self.policy = policy
        self.roster = Roster()
        self._presence_frames = (0, Frames())  # (roster version, its texts' frames)
        self.snapshots = SnapshotCache()  # the rows of the latest snapshot, for joiners
        self.snapshot_reads = 0  # connections reading a snapshot now (a crowd: they share)
        self._fetch: asyncio.Task[None] | None = None
        self._presence_flush: asyncio.TimerHandle | None = None
        # Since when nobody is connected (monotonic): the room stays a while, so that a
        # whole room coming back at once (a Wi-Fi blip) is caught up from its buffer.
        self.empty_since: float | None = None

    def ring(self, seq: int) -> None:
        if seq > self.target:
            self.target = seq
        if self.target > self.loaded and (self._fetch is None or self._fetch.done()):
            self._fetch = asyncio.create_task(self._fetch_new(), name=f"room-{self.workshop_id}")

    async def _fetch_new(self) -> None:
        try:
            while self.loaded < self.target:
                events = await self.hub.run_read(
                    partial(_read_events, self.workshop_id, self.loaded)
                )
                if not events:
                    break
                self.append(events)
        except Exception:
            log.exception("reading the log of workshop %s failed", self.workshop_id)
            await asyncio.sleep(0.5)
            if self.loaded < self.target:
                self._fetch = asyncio.create_task(self._fetch_new())

    def append(self, events: Sequence[EventRecord]) -> None:
        """Adds the events after ``loaded`` (read in order from the log, or handed over
        when contiguous), then wakes the connections that have something to send."""
        events = [e for e in events if e.seq > self.loaded]  # a read that raced a hand-over
        if not events:
            return
        before = self.loaded
        scopes: set[int] | None = set()
        fresh: list[RenderedEvent] | None = []
        touches: dict[int, int] = {}
        touch_all = 0
        for event in events:
            if event.kind in PURGING_KINDS:
                # Past events were rewritten in the log: drop the copies held here.
                self.buffer.clear()
                self.buffer_base = event.seq - 1
                fresh = None  # those before it are read back, as they are now
                touch_all = event.seq
            rendered = RenderedEvent(event)
            self.buffer.append(rendered)
            if fresh is not None:
                fresh.append(rendered)
            if event.scope is None or event.resync:
                scopes = None  # everyone has something to send (or a snapshot to take)
                touch_all = event.seq
            else:
                touches[event.scope] = event.seq
                if scopes is not None:
                    scopes.add(event.scope)
            if event.kind == "workshop.update":
                for change in event.changes:
                    policy = (change.get("values") or {}).get("attribution")
                    if policy:
                        self.policy = policy
        self.loaded = events[-1].seq
        self.target = max(self.target, self.loaded)
        while len(self.buffer) > self.hub.buffer_size:
            self.buffer_base = self.buffer.popleft().seq
        if before < self.buffer_base:
            fresh = None
        if scopes is None:
            offered: Iterable[Connection] = list(self.connections)
        elif len(scopes) == 1:
            offered = list(self.watchers.get(next(iter(scopes)), ()))
        else:
            offered = set().union(*(self.watchers.get(scope, ()) for scope in scopes))
        direct = 0
        frames = Frames()
        for conn in offered:
            if conn.offer(before, self.loaded, fresh, frames):
                direct += 1
        # Only now: the offers asked what touched whom up to ``before``.
        self.touched.update(touches)
        self.touched_all = max(self.touched_all, touch_all)
        if direct and fresh:
            self.hub.stats["direct_frames"] += direct
            self.hub.stats["frames_built"] += frames.built
            # A sample per frame, all taken at the end: when the last of them left.
            self.hub.observe_fanout(time.time() - fresh[0].committed_at, direct)

    def presence_frames(self) -> Frames:
        """The frames of the roster's current presence texts: every connection of a view
        catching up from the same version is sent the same text, so one frame serves."""
        version, frames = self._presence_frames
        if version != self.roster.version:
            frames = Frames()
            self._presence_frames = (self.roster.version, frames)
        return frames

    def quiet(self, view: frozenset[int], after: int) -> bool:
        """Nothing loaded after seq ``after`` concerns someone who sees ``view``."""
        if self.touched_all > after:
            return False
        touched = self.touched
        return all(touched.get(checklist, 0) <= after for checklist in view)

    def watch(self, conn: Connection, old: frozenset[int], new: frozenset[int]) -> None:
        """``conn`` saw the checklists ``old`` and now sees ``new``."""
        for checklist in old - new:
            readers = self.watchers.get(checklist)
            if readers is not None:
                readers.discard(conn)
                if not readers:
                    del self.watchers[checklist]
        for checklist in new - old:
            self.watchers.setdefault(checklist, set()).add(conn)

    def slice_after(self, seq: int, limit: int) -> list[RenderedEvent]:
        """Buffered events with seq > ``seq`` (which must be >= buffer_base)."""
        start = seq - self.buffer_base
        # Events in the buffer are contiguous, so the index is the seq offset.
        if start < 0:
            raise ValueError("seq is before the buffer")
        return [self.buffer[i] for i in range(start, min(len(self.buffer), start + limit))]

    # Presence: ephemeral, never in the log (see ``presence``).
    def set_presence(self, key: str, entry: dict[str, Any] | None) -> None:
        if self.roster.set_local(key, entry):
            self.presence_changed()

    def presence_changed(self) -> None:
        """Sends everyone what changed soon, once for a burst of changes."""
        if self._presence_flush is None:
            loop = asyncio.get_running_loop()
            delay = tick_interval(len(self.connections))
            self._presence_flush = loop.call_later(delay, self._flush_presence)

    def _flush_presence(self) -> None:
        self._presence_flush = None
        if self.roster.tick():
            for conn in list(self.connections):
                conn.presence_due()


def _read_events(workshop_id: int, after: int, engine: Engine) -> list[Event]:
    with read_session(engine) as session:
        return read_since(session, workshop_id, after, limit=1000)


class Hub:
    def __init__(
        self,
        engine: Engine,
        notifier: Notifier,
        *,
        node_id: str,
        buffer_size: int = 4096,
        poll_interval_s: float = 2.0,
        presence_refresh_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.notifier = notifier
        self.node_id = node_id
        self.buffer_size = buffer_size
        self.poll_interval_s = poll_interval_s
        # Other processes re-announce their people this often; see ``presence``.
        self.presence_refresh_s = presence_refresh_s or max(5 * poll_interval_s, 1.0)
        self._announced_at = time.monotonic()
        self.rooms: dict[int, Room] = {}
        self._room_locks: dict[int, asyncio.Lock] = {}
        # Rooms being opened: the highest doorbell heard while their head was being read.
        self._opening: dict[int, int] = {}
        self._poller: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # SQLite has one writer at a time: one thread writes, in order, and ops waiting
        # together share a commit. PostgreSQL takes concurrent writers.
        # Its committed events reach the loop with the callers' results: one hop a batch.
        self.writer = (
            Writer(engine, notifier, in_loop=self._take_batch) if is_sqlite(engine) else None
        )
        self.write_limiter = anyio.CapacityLimiter(8)
        self.read_limiter = anyio.CapacityLimiter(4 if is_sqlite(engine) else 16)
        # Open connections; frames the rooms' hand-overs wrote straight to a socket.
        self.stats = {
            "connections": 0,
            "direct_frames": 0,
            "frames_built": 0,
            "presence_frames": 0,
            "presence_frames_built": 0,
        }
        self.observe_fanout: Callable[[float, int], None] = lambda seconds, times: None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.notifier.start(
            self.on_doorbell, self.on_remote_presence, self.resync_all, self.on_closed
        )
        self._poller = asyncio.create_task(self._poll_forever(), name="hub-poll")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        await self.notifier.stop()
        for room in list(self.rooms.values()):
            for conn in list(room.connections):
                await conn.close(1012, "server restarting")
        if self.writer is not None:
            await anyio.to_thread.run_sync(self.writer.stop)

    async def run_read(self, fn: Callable[[Engine], T]) -> T:
        return await anyio.to_thread.run_sync(fn, self.engine, limiter=self.read_limiter)

    async def run_write(self, fn: Callable[[], T]) -> T:
        if self.writer is not None:
            return await self.writer.run(fn)
        return await anyio.to_thread.run_sync(fn, limiter=self.write_limiter)

    async def submit(self, registry: OpRegistry, request: OpRequest) -> Submitted:
        """``sync.service.submit`` off the event loop; the committed event reaches the
        room through ``committed``."""
        if self.writer is not None:
            return await self.writer.submit(registry, request)
        return await self.run_write(
            partial(
                submit,
                self.engine,
                registry,
                self.notifier,
                on_commit=self.committed,
                workshop_id=request.workshop_id,
                member_id=request.member_id,
                kind=request.kind,
                args=request.args,
                client_id=request.client_id,
                op_id=request.op_id,
                system=request.system,
            )
        )

    def committed(self, event: CommittedEvent) -> None:
        """Called in the writer's thread right after a local commit, before its doorbell:
        the room takes the event as it is when it is the next one there, instead of
        reading it back. Otherwise (and in other processes) the doorbell's read does.
        ``submit`` made the event's changes a JSON copy, exactly what a read-back gives."""
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed: the process is stopping
            loop.call_soon_threadsafe(self._take_committed, event)

    def _take_batch(self, events: list[CommittedEvent]) -> None:
        """On the loop: a batch the writer committed, in order, before its callers hear
        (should this fail, the writer logs it and its callers still hear of the commit)."""
        for event in events:
            self._take_committed(event)
            self.on_doorbell(event.workshop_id, event.seq)

    def _take_committed(self, event: CommittedEvent) -> None:
        room = self.rooms.get(event.workshop_id)
        if room is not None and event.seq == room.loaded + 1:
            room.append([event])

    def on_doorbell(self, workshop_id: int, seq: int) -> None:
        room = self.rooms.get(workshop_id)
        if room is not None:
            room.ring(seq)
        elif workshop_id in self._opening:
            self._opening[workshop_id] = max(self._opening[workshop_id], seq)

    def on_remote_presence(self, workshop_id: int, payload: dict[str, Any]) -> None:
        room = self.rooms.get(workshop_id)
        if room is None:
            return
        if payload.get("query"):
            self._announce(room)
            return
        expires_at = time.monotonic() + EXPIRY_PERIODS * self.presence_refresh_s
        roster = payload.get("roster")
        heard = (
            roster.items()
            if isinstance(roster, dict)
            else [(payload.get("session"), payload.get("entry"))]
        )
        changed = False
        for key, entry in heard:
            entry = entry if isinstance(entry, dict) else None
            changed = room.roster.set_remote(str(key), entry, expires_at) or changed
        if changed:
            room.presence_changed()

    async def resync_all(self) -> None:
        await self._poll_once()

    async def close_workshop(self, workshop_id: int) -> None:
        """The workshop was deleted: its sockets close (4004) here and in every other
        process. A process that misses the notification closes them at its next poll,
        which finds the workshop gone."""
        self.on_closed(workshop_id)
        await self.notifier.publish_closed(workshop_id)

    def on_closed(self, workshop_id: int) -> None:
        room = self.rooms.get(workshop_id)
        if room is not None and not room.connections:
            del self.rooms[workshop_id]
        for conn in list(room.connections) if room is not None else []:
            conn.end(CloseCode.NOT_FOUND, "this workshop was deleted")

    async def join(self, conn: Connection) -> Room:
        wid = conn.workshop_id
        lock = self._room_locks.setdefault(wid, asyncio.Lock())
        async with lock:
            room = self.rooms.get(wid)
            if room is None:
                self._opening[wid] = 0
                try:
                    head, policy = await self.run_read(partial(_head_and_policy, wid))
                finally:
                    heard = self._opening.pop(wid)
                room = Room(self, wid, head, policy)
                self.rooms[wid] = room
                room.ring(heard)  # a commit that raced the read above
                self._notify(wid, {"query": True})  # who is here through other processes?
            room.connections.add(conn)
            room.watch(conn, frozenset(), conn.view)
            room.empty_since = None
            self.stats["connections"] += 1
        return room

    def leave(self, conn: Connection) -> None:
        room = self.rooms.get(conn.workshop_id)
        if room is None or conn not in room.connections:
            return
        room.connections.discard(conn)
        room.watch(conn, conn.view, frozenset())
        self.stats["connections"] -= 1
        self.publish_presence(room, conn.presence_key, None)
        if not room.connections:
            room.empty_since = time.monotonic()

    def publish_presence(self, room: Room, key: str, entry: dict[str, Any] | None) -> None:
        room.set_presence(key, entry)
        self._notify(room.workshop_id, {"session": key, "entry": entry})

    def _notify(self, workshop_id: int, payload: dict[str, Any]) -> None:
        task = asyncio.create_task(self.notifier.publish_presence(workshop_id, payload))
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    def _announce(self, room: Room) -> None:
        for roster in room.roster.rosters():
            self._notify(room.workshop_id, roster)

    def _drop_empty_rooms(self, now: float) -> None:
        for wid, room in list(self.rooms.items()):
            if room.empty_since is not None and now - room.empty_since >= ROOM_LINGER_S:
                del self.rooms[wid]

    def _refresh_presence(self) -> None:
        now = time.monotonic()
        announce = now - self._announced_at >= self.presence_refresh_s
        if announce:
            self._announced_at = now
        for room in list(self.rooms.values()):
            if room.roster.expire(now):
                room.presence_changed()
            if announce:
                self._announce(room)

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            try:
                self._drop_empty_rooms(time.monotonic())
                self._refresh_presence()
                await self._poll_once()
            except Exception:
                log.exception("log poll failed")

    async def _poll_once(self) -> None:
        ids = list(self.rooms)
        if not ids:
            return
        heads = await self.run_read(partial(_heads, ids))
        for wid, head in heads.items():
            self.on_doorbell(wid, head)
        for wid in set(ids) - set(heads):  # deleted, and the notification was missed
            self.on_closed(wid)


def _head_and_policy(workshop_id: int, engine: Engine) -> tuple[int, str]:
    with read_session(engine) as session:
        row = session.execute(
            select(col(Workshop.head_seq), col(Workshop.attribution)).where(
                col(Workshop.id) == workshop_id
            )
        ).one()
        return int(row[0]), str(row[1])


def _heads(ids: list[int], engine: Engine) -> dict[int, int]:
    with read_session(engine) as session:
        rows = session.execute(
            select(col(Workshop.id), col(Workshop.head_seq)).where(col(Workshop.id).in_(ids))
        ).all()
        return {int(r[0]): int(r[1]) for r in rows}


__all__ = ["Hub", "RenderedEvent", "Room", "read_head", "render_event"]
