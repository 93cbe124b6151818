"""Presence: who is in a workshop, in which checklist, editing which item.

Ephemeral: it never enters the log. Each process knows the entries of its own
connections (*local*) and hears those of other processes over the notifier (*remote*).
Messages between processes, as ``publish_presence`` payloads:

- ``{"session": key, "entry": {...} | null}`` — one connection's entry changed or ended;
- ``{"roster": {key: entry, ...}}`` — a process re-announces its local entries, every
  refresh period and when asked;
- ``{"query": true}`` — a process just opened this workshop: others answer with rosters.

A remote entry that is not re-announced within :data:`EXPIRY_PERIODS` refresh periods is
dropped, so the people of a process that died (kill -9, lost host) fade out instead of
staying "here" forever.

To clients, presence goes as changes. The roster collects what changed between two
*ticks*; a tick gives those changes a version. A room ticks at most every 50 ms, and less
often the more connections it has (:func:`tick_interval`), so that a crowd arriving at
once is sent about a thousand presence messages a second in all, not one per
connection per 50 ms. A
connection remembers the version it was last sent and is sent, as one message, what
changed since, or the whole list when it has nothing yet (a new or re-sent connection) or
fell further behind than the kept ticks. What a connection may see depends only on its
*view*, the checklists it may read (nobody's place in a checklist hidden from it is
shown), so each message is encoded once per (version it starts from, view) and the same
text goes to every connection that needs it: a join costs one entry per other
connection, never the whole list to each of them.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

EXPIRY_PERIODS = 3
NOTIFY_BUDGET = 7000  # bytes of roster per notification (PostgreSQL allows 8000)
KEPT_TICKS = 64  # a connection further behind than this gets the whole list
MESSAGES_PER_S = 1000  # presence messages a room sends per second, at most (roughly)

Entry = dict[str, Any]
View = frozenset[int]  # the checklists a connection may read
Change = tuple[Entry | None, Entry | None]  # before, after


def tick_interval(connections: int) -> float:
    """Seconds between a room's presence ticks: 50 ms up to 50 connections, then longer,
    up to a second from 1,000 connections on."""
    return min(1.0, max(0.05, connections / MESSAGES_PER_S))


def visible(entry: Entry | None, view: View) -> bool:
    if entry is None:
        return False
    checklist = entry.get("checklist_id")
    return checklist is None or checklist in view


def _encode(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class Roster:
    def __init__(self) -> None:
        self.local: dict[str, Entry] = {}
        self.remote: dict[str, tuple[Entry, float]] = {}  # entry, expires at (monotonic)
        self.version = 0  # of the last tick
        self._pending: dict[str, Change] = {}  # changed since the last tick
        self._ticks: deque[tuple[int, dict[str, Change]]] = deque(maxlen=KEPT_TICKS)
        self._texts: dict[tuple[int, View], str | None] = {}  # for ``version``

    def _current(self, key: str) -> Entry | None:
        entry = self.local.get(key)
        if entry is None and key in self.remote:
            entry = self.remote[key][0]
        return entry

    def _record(self, key: str, before: Entry | None) -> None:
        after = self._current(key)
        first = self._pending.get(key)
        self._pending[key] = (first[0] if first is not None else before, after)

    def set_local(self, key: str, entry: Entry | None) -> bool:
        """Returns whether anything changed."""
        before = self._current(key)
        if entry is None:
            if self.local.pop(key, None) is None:
                return False
        elif self.local.get(key) == entry:
            return False
        else:
            self.local[key] = entry
        self._record(key, before)
        return True

    def set_remote(self, key: str, entry: Entry | None, expires_at: float) -> bool:
        before = self._current(key)
        if entry is None:
            if self.remote.pop(key, None) is None:
                return False
            self._record(key, before)
            return True
        old = self.remote.get(key)
        self.remote[key] = (entry, expires_at)
        if old is not None and old[0] == entry:
            return False
        self._record(key, before)
        return True

    def expire(self, now: float) -> bool:
        gone = [key for key, (_, expires_at) in self.remote.items() if expires_at <= now]
        for key in gone:
            before = self._current(key)
            del self.remote[key]
            self._record(key, before)
        return bool(gone)

    def entries(self) -> list[Entry]:
        merged = {key: entry for key, (entry, _) in self.remote.items()}
        merged.update(self.local)
        return [{"session": key, **entry} for key, entry in sorted(merged.items())]

    # -- to clients ----------------------------------------------------------------
    def tick(self) -> bool:
        """Closes the changes since the last tick under a new version; returns whether
        there were any (a change undone within the tick counts as none)."""
        changes = {key: c for key, c in self._pending.items() if c[0] != c[1]}
        self._pending = {}
        if not changes:
            return False
        self.version += 1
        self._ticks.append((self.version, changes))
        self._texts = {}
        return True

    def text_since(self, since: int, view: View) -> str | None:
        """The ``presence`` message taking a connection that was sent ``since`` (0:
        nothing) to ``version``, for ``view``; ``None`` when it has nothing to learn."""
        if since >= self.version:
            return None
        key = (since, view)
        if key not in self._texts:
            oldest = self._ticks[0][0] if self._ticks else self.version + 1
            if since == 0 or since + 1 < oldest:
                self._texts[key] = self._full_text(view)
            else:
                self._texts[key] = self._delta_text(since, view)
        return self._texts[key]

    def _full_text(self, view: View) -> str:
        seen = [e for e in self.entries() if visible(e, view)]
        return _encode({"type": "presence", "entries": seen})

    def _delta_text(self, since: int, view: View) -> str | None:
        merged: dict[str, Change] = {}
        for version, changes in self._ticks:
            if version <= since:
                continue
            for key, (before, after) in changes.items():
                first = merged.get(key)
                merged[key] = (first[0] if first is not None else before, after)
        upserts: list[Entry] = []
        gone: list[str] = []
        for key, (before, after) in sorted(merged.items()):
            if after is not None and visible(after, view):
                if before != after or not visible(before, view):
                    upserts.append({"session": key, **after})
            elif visible(before, view):
                gone.append(key)
        if not upserts and not gone:
            return None
        return _encode({"type": "presence", "delta": True, "entries": upserts, "gone": gone})

    def rosters(self) -> Iterator[dict[str, Any]]:
        """The local entries as roster payloads, each small enough for one notification."""
        chunk: dict[str, Entry] = {}
        size = 0
        for key, entry in sorted(self.local.items()):
            cost = len(json.dumps({key: entry})) + 1
            if chunk and size + cost > NOTIFY_BUDGET:
                yield {"roster": chunk}
                chunk, size = {}, 0
            chunk[key] = entry
            size += cost
        if chunk:
            yield {"roster": chunk}
