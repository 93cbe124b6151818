"""Open sockets follow their sessions: signed out or expired means closed.

A socket is authorised once, at its handshake, by the session cookie. Signing out (in
any process) or the session running out must not leave it open, so each process checks
the sessions behind its open sockets every ``interval_s`` seconds, in one read, and ends
the sockets whose session is gone with 4003. (A member removed from the workshop is
closed sooner, by the snapshot their removal sends.)
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlmodel import col

from roundtable.accounts.models import LoginSession
from roundtable.db import read_session
from roundtable.realtime.protocol import CloseCode
from roundtable.timeutil import utcnow

if TYPE_CHECKING:
    from roundtable.realtime.hub import Hub

log = logging.getLogger("roundtable.ws")
ENDED = "session ended: signed out or expired"
_CHUNK = 500


def live_sessions(hashes: list[str], engine: Engine) -> set[str]:
    """Those of ``hashes`` whose session still exists and has not expired."""
    alive: set[str] = set()
    now = utcnow()
    with read_session(engine) as session:
        for start in range(0, len(hashes), _CHUNK):
            rows = session.execute(
                select(col(LoginSession.token_hash)).where(
                    col(LoginSession.token_hash).in_(hashes[start : start + _CHUNK]),
                    col(LoginSession.expires_at) > now,
                )
            )
            alive.update(str(row[0]) for row in rows)
    return alive


async def check_sessions(hub: Hub) -> int:
    """Ends the open sockets whose session is gone; returns how many."""
    connections = [c for room in list(hub.rooms.values()) for c in list(room.connections)]
    hashes = sorted({c.session_hash for c in connections if c.session_hash})
    if not hashes:
        return 0
    alive = await hub.run_read(partial(live_sessions, hashes))
    ended = [c for c in connections if c.session_hash and c.session_hash not in alive]
    for connection in ended:
        connection.end(CloseCode.FORBIDDEN, ENDED)
    return len(ended)


async def watch_sessions(hub: Hub, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            ended = await check_sessions(hub)
        except Exception:
            log.exception("checking the sessions of open sockets failed")
            continue
        if ended:
            log.info("closed %d live connection(s) whose session ended", ended)
