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
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

EXPIRY_PERIODS = 3
NOTIFY_BUDGET = 7000  # bytes of roster per notification (PostgreSQL allows 8000)

Entry = dict[str, Any]


class Roster:
    def __init__(self) -> None:
        self.local: dict[str, Entry] = {}
        self.remote: dict[str, tuple[Entry, float]] = {}  # entry, expires at (monotonic)

    def set_local(self, key: str, entry: Entry | None) -> bool:
        """Returns whether anything changed."""
        if entry is None:
            return self.local.pop(key, None) is not None
        if self.local.get(key) == entry:
            return False
        self.local[key] = entry
        return True

    def set_remote(self, key: str, entry: Entry | None, expires_at: float) -> bool:
        if entry is None:
            return self.remote.pop(key, None) is not None
        old = self.remote.get(key)
        self.remote[key] = (entry, expires_at)
        return old is None or old[0] != entry

    def expire(self, now: float) -> bool:
        gone = [key for key, (_, expires_at) in self.remote.items() if expires_at <= now]
        for key in gone:
            del self.remote[key]
        return bool(gone)

    def entries(self) -> list[Entry]:
        merged = {key: entry for key, (entry, _) in self.remote.items()}
        merged.update(self.local)
        return [{"session": key, **entry} for key, entry in sorted(merged.items())]

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
