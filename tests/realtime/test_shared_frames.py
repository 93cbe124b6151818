"""One frame per text for everyone of a fan-out (``realtime.direct.Frames``).

``roundtable serve`` negotiates permessage-deflate without server context takeover, so a
text compressed once is the right frame for every client. These check the negotiation on
the server we ship, and (sans I/O, with websockets' own client) that such a frame, or an
uncompressed one, inflates on any client whatever it was sent before, and that the
connection's own messages after it still do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
)

from roundtable.realtime.direct import Frames, shared_framing
from tests.realtime.clients import Live
from tests.realtime.sansio import pair, received, served


def event(n: int) -> str:
    return (
        '{"type":"events","from":%d,"to":%d,"events":[{"seq":%d,"kind":"item.update",'
        '"changes":[{"entity":"item","values":{"title":"Edit %d — ทดสอบ"}}]}]}' % (n, n, n, n)
    )


def test_how_each_negotiation_is_framed() -> None:
    shared, _ = pair([served(True)], [ClientPerMessageDeflateFactory()])
    own, _ = pair([served(False)], [ClientPerMessageDeflateFactory()])
    small, _ = pair([served(True)], [ClientPerMessageDeflateFactory(server_max_window_bits=10)])
    plain, _ = pair([served(True)], [])  # the client offered no compression
    assert shared_framing(shared) is True
    assert shared_framing(own) is None  # keeps a context: frames its own
    assert shared_framing(small) is None  # a smaller window than the frames are made with
    assert shared_framing(plain) is False


@pytest.mark.parametrize("compressing", [True, False])
def test_one_frame_inflates_on_every_client_whatever_came_before(compressing: bool) -> None:
    clients = [
        pair([served(True)], [ClientPerMessageDeflateFactory()] if compressing else [])
        for _ in range(3)
    ]
    # Each connection has been sent different things first.
    for k, (server, peer) in enumerate(clients):
        history = [event(100 * k + j) for j in range(k * 3)]
        for text in history:
            server.send_text(text.encode())
        assert received(peer, b"".join(server.data_to_send())) == history
    frames = Frames()
    for n in range(1, 4):
        text = event(n)
        for server, peer in clients:
            assert shared_framing(server) is compressing
            assert received(peer, frames.frame(text, compressing)) == [text]
        # ...and the connection's own messages after the shared ones still inflate.
        for server, peer in clients:
            own = event(1000 + n)
            server.send_text(own.encode())
            assert received(peer, b"".join(server.data_to_send())) == [own]
    assert frames.built == 3  # once per text, not per connection
    if compressing:
        assert len(frames.frame(event(1), True)) < len(event(1).encode())


def test_the_shipped_server_negotiates_no_server_context(live: Live) -> None:
    async def scenario() -> list[Any]:
        async with websockets.connect(
            live.server.ws_url, origin=websockets.Origin(live.server.base_url)
        ) as ws:
            return list(ws.protocol.extensions)

    [deflate] = asyncio.run(scenario())
    assert isinstance(deflate, PerMessageDeflate)
    assert deflate.remote_no_context_takeover  # the server's side, seen from the client
    assert not deflate.local_no_context_takeover  # the client still keeps its own
