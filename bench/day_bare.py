"""The baseline for ``roundtable_day.py``: the fan-out bench's bare ``websockets`` server
with facilitators.

Participants connect to ``/room/<checklist id>`` as in ``bare_server.py`` and get their
room's events. Facilitators connect to ``/all`` and get every room's events, as
Roundtable's facilitators do on the dashboard; their stream has its own seq, so it stays
gapless for them. Each op is rendered twice (once for the room, once for the watchers)
and written with ``websockets.broadcast``: the least a server can do for this topology.

    python bench/day_bare.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from typing import Any

from bare_server import BareServer, Room, run
from websockets.asyncio.server import ServerConnection, broadcast, serve

WATCH_PATH = "/all"


class DayBareServer(BareServer):
    def __init__(self) -> None:
        super().__init__()
        self.watchers = Room()

    async def handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        if path != WATCH_PATH:
            await super().handle(ws)
            return
        await ws.recv()  # hello
        welcome = {"type": "welcome", "protocol": 1, "head_seq": self.watchers.seq,
                   "last_op_id": 0, "mode": "events", "member_id": 0}  # fmt: skip
        broadcast([ws], json.dumps(welcome))
        self.watchers.members.add(ws)
        try:
            async for raw in ws:
                if json.loads(raw).get("type") == "ping":
                    await ws.send('{"type":"pong"}')
        finally:
            self.watchers.members.discard(ws)

    def fan_out(self, room: Room, client_id: str, op: dict[str, Any]) -> None:
        super().fan_out(room, client_id, op)
        # Rendered again under the watchers' own seq, as the room's text holds the room's.
        super().fan_out(self.watchers, client_id, op)


async def serve_forever(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(DayBareServer().handle, host, port, max_size=1 << 20):
        print(f"bare day server on ws://{host}:{port}/room/<id> and {WATCH_PATH}", flush=True)
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
