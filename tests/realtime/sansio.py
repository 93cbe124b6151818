"""A websockets server and client in memory (sans I/O), past the handshake, standing in
for a socket in the tests of frames written as they are (``realtime.direct``,
``realtime.deflated``)."""

from __future__ import annotations

from typing import Any

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Opcode
from websockets.server import ServerProtocol
from websockets.uri import parse_uri


def served(shared: bool) -> ServerPerMessageDeflateFactory:
    """The server's extension as ``roundtable serve`` (``shared``: no server context
    takeover) or plain uvicorn offers it."""
    return ServerPerMessageDeflateFactory(
        server_no_context_takeover=shared,
        server_max_window_bits=12,
        client_max_window_bits=12,
        compress_settings={"memLevel": 5},
    )


def pair(server_ext: list[Any], client_ext: list[Any]) -> tuple[ServerProtocol, ClientProtocol]:
    server = ServerProtocol(extensions=server_ext)
    # (No extensions: None, as an empty list would send an empty, invalid header.)
    peer = ClientProtocol(parse_uri("ws://localhost/api/ws"), extensions=client_ext or None)
    peer.send_request(peer.connect())
    server.receive_data(b"".join(peer.data_to_send()))
    [request] = server.events_received()
    server.send_response(server.accept(request))  # type: ignore[arg-type]
    peer.receive_data(b"".join(server.data_to_send()))
    peer.events_received()
    return server, peer


def received(peer: ClientProtocol, data: bytes) -> list[str]:
    """The texts ``peer`` reads from ``data`` (every frame must be a text)."""
    peer.receive_data(data)
    frames = peer.events_received()
    assert all(f.opcode is Opcode.TEXT for f in frames), frames  # type: ignore[union-attr]
    return [f.data.decode() for f in frames]  # type: ignore[union-attr]
