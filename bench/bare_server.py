"""The baseline for ``bench/fanout.py``: a bare ``websockets`` broadcast server.

It keeps one room per path (``/room/<id>``) and does the least a live checklist server
must do: it answers ``hello`` with ``welcome``, and gives each ``op`` the room's next
seq and broadcasts it, once rendered, to everyone in the room as an ``events`` message
shaped like Roundtable's (``from``/``to`` and one event with ``seq``, ``client_id``,
``op_id``, ``kind``, ``changes``). No database, no authorisation, no per-connection
queue: ``websockets.broadcast`` writes the same text to every socket synchronously.

It runs on uvloop when it is installed, as ``uvicorn`` does for Roundtable, so the
baseline differs only in what the server does per message.

    python bench/bare_server.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Room:
    __slots__ = ("members", "seq")

    def __init__(self) -> None:
        self.seq = 0
        self.members: set[ServerConnection] = set()


class BareServer:
    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}

    async def handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        room = self.rooms.setdefault(path, Room())
        hello = json.loads(await ws.recv())
        client_id = str(hello.get("client_id", ""))
        welcome = {
            "type": "welcome",
            "protocol": 1,
            "head_seq": room.seq,
            "last_op_id": 0,
            "mode": "events",
            "member_id": 0,
        }
        # broadcast() writes synchronously: no event can slip in between welcome and joining.
        broadcast([ws], json.dumps(welcome))
        room.members.add(ws)
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "op":
                    self.fan_out(room, client_id, message)
                elif message.get("type") == "ping":
                    await ws.send('{"type":"pong"}')
        finally:
            room.members.discard(ws)

    def fan_out(self, room: Room, client_id: str, op: dict[str, Any]) -> None:
        room.seq += 1
        seq = room.seq
        args = op.get("args") or {}
        values = {k: v for k, v in args.items() if k != "id"}
        event = {
            "seq": seq,
            "client_id": client_id,
            "op_id": op.get("op_id"),
            "actor": None,
            "kind": op.get("kind"),
            "changes": [
                {"entity": "item", "id": args.get("id"), "values": {"updated_seq": seq, **values}}
            ],
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        text = json.dumps(
            {"type": "events", "from": seq, "to": seq, "events": [event]},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        broadcast(room.members, text)


async def serve_forever(host: str, port: int) -> None:
    server = BareServer()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(server.handle, host, port, max_size=1 << 20):
        print(f"bare server listening on ws://{host}:{port}/room/<id>", flush=True)
        await stop


def run(main: Coroutine[Any, Any, None]) -> None:
    """Runs ``main`` on uvloop when available (as uvicorn does), else on asyncio."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
