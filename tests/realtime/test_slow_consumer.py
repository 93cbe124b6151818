"""A client that stops reading is cut off, not waited for, and catches up afterwards."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from roundtable.db import make_engine
from tests.realtime.clients import Live, LiveClient, make_scene, opened, rows_of, token
from tests.support import LiveServer, cookie_header

SEND_TIMEOUT_S = 1.0
# Khmer: three bytes a character, so each item is ~30 KB on the wire.
DETAIL = ("ការការពារជនរងគ្រោះ " * 600)[:10_000]
ITEMS = 40  # ~1.2 MB: every snapshot of the list


def tiny_window_socket(url: str) -> socket.socket:
    """A connected socket that takes in little before the sender must wait."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname, parts.port))
    return sock


def present(client: LiveClient) -> set[int]:
    return {e["member_id"] for e in client.presence[-1]["entries"]} if client.presence else set()


def test_slow_consumer_is_closed_and_catches_up(fresh_database: str) -> None:
    server = LiveServer(fresh_database, env={"WS_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S)}).start()
    engine = make_engine(fresh_database)
    try:
        scene = make_scene(Live(server, fresh_database, engine))
        ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
        checklist = scene.checklist(0)

        async def scenario() -> None:
            b = scene.client(ben)
            async with opened(b):
                await b.connect()
                await b.expect("snapshot")
                sock = tiny_window_socket(server.ws_url)
                async with websockets.connect(
                    server.ws_url,
                    sock=sock,
                    origin=server.base_url,  # type: ignore[arg-type]
                    additional_headers={"Cookie": cookie_header(ana)},
                    max_queue=1,
                    compression=None,  # or the repetitive text would shrink to nothing
                    max_size=2**24,
                    close_timeout=1,
                ) as slow:
                    await slow.send(
                        '{"type":"hello","protocol":1,"workshop_id":%d,'
                        '"client_id":"slow-%s","last_seq":0}' % (scene.id, token())
                    )
                    ana_id = json.loads(await slow.recv())["member_id"]
                    assert json.loads(await slow.recv())["type"] == "snapshot"
                    await b.recv_until(lambda _m: ana_id in present(b))

                    # Ana's laptop stops reading. Ben adds big items, and the facilitator
                    # flips the reveal switch so that everyone is sent the whole list again.
                    # Ben is never held up; the server gives up on Ana (her presence goes).
                    for n in range(1, ITEMS + 1):
                        await b.op(
                            n,
                            "item.create",
                            id=f"big-{token()}",
                            checklist_id=checklist,
                            kind="need",
                            title=f"Point {n}",
                            detail=DETAIL,
                            position=f"{n:03d}V",  # appending at the end lengthens keys
                        )
                        await b.until_seen(n, timeout=SEND_TIMEOUT_S * 3)
                    flips = 0
                    given_up_by = time.monotonic() + 10 * SEND_TIMEOUT_S + 5
                    while ana_id in present(b):
                        flips += 1
                        assert time.monotonic() < given_up_by, (
                            "the server never gave up on a client that stopped reading"
                        )
                        scene.update(reveal=flips % 2 == 1)
                        await b.expect("snapshot", timeout=SEND_TIMEOUT_S * 3)
                        await b.quiet(0.05)

                    # Ana's laptop reads again (quickly now): what was in flight, then the end.
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
                    with pytest.raises(ConnectionClosed) as closed:
                        while True:
                            await asyncio.wait_for(slow.recv(), 10)
                    rcvd = closed.value.rcvd
                    assert rcvd is None or rcvd.code == 4008, rcvd

                # On reconnecting she catches up to what the database holds.
                a = scene.client(ana)
                async with opened(a):
                    await a.connect(last_seq=0)
                    await a.expect("snapshot")
                    rows = rows_of(engine, scene.id, {checklist})
                    assert a.items() == rows.items
                    assert len(rows.items) == ITEMS

        asyncio.run(scenario())
    finally:
        engine.dispose()
        server.stop()
