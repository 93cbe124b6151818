"""Writing an event frame straight to a WebSocket, without waking a task per recipient.

A committed event reaches every connection that can see it. Through ASGI each delivery
is a wake-up of the connection's sender task, then an ``await`` through Starlette's and
uvicorn's send coroutines, which end in three synchronous calls: frame the text
(compressing it when permessage-deflate was negotiated), take the bytes, write them to
the transport. When the socket is ready for them (its write buffer under the high-water
mark, the handshake done, no close sent), the room makes those three calls itself for
each caught-up connection, the way a broadcast server does.

This reaches inside uvicorn's WebSocket protocol (``websockets_sansio_impl``, what
uvicorn picks when ``websockets`` is installed): :class:`CaptureTransport` keeps the
server's own ASGI ``send`` in the scope, and :meth:`DirectSend.find` accepts it only if
it is bound to that protocol and has the attributes used here. Anything else (another
server, another protocol implementation, a test client) gets ``None`` and every frame
goes through ASGI as before; ``tests/realtime/test_direct_send.py`` fails if the server
we ship stops taking the direct path.

Whatever cannot be written directly (a full write buffer, a closing socket, a sender in
the middle of a send) falls back to the sender task, whose sends wait on the buffer and
time out (4008): backpressure and slow consumers are handled there, once.

One fan-out writes the same text to many connections (everyone of one view caught up to
the same seq). Framing it per connection means compressing it per connection too, with
that connection's own permessage-deflate context. ``roundtable serve`` runs uvicorn with
:class:`BroadcastProtocol`, which offers permessage-deflate *without server context
takeover*: each message from the server is then compressed on its own, so the frame of a
text is the same bytes for every client, and :class:`Frames` builds it once per fan-out.
The price is a larger frame than a shared context would give (a 350-byte event: ~215
bytes instead of ~100-150 with context) and none of zlib's per-connection state kept
between messages. A connection that did not negotiate it that way (another server,
plain ``uvicorn``, a client asking for a smaller window) is framed on its own as before.
"""

from __future__ import annotations

import logging
import struct
import zlib
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.protocol import State
from websockets.server import ServerProtocol

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import (
        WebSocketsSansIOProtocol as _Protocol,
    )
except ImportError:  # pragma: no cover  (another server: every frame goes through ASGI)
    _Protocol = None  # type: ignore[assignment,misc]

WINDOW_BITS = 12  # uvicorn's server_max_window_bits
MEM_LEVEL = 5  # and its compressor's memLevel
_FIN_TEXT = 0x80 | 0x1
_RSV1 = 0x40  # "this message is compressed"
_TAIL = b"\x00\x00\xff\xff"  # ends every sync flush; permessage-deflate leaves it out

SCOPE_KEY = "roundtable.transport_send"
_NEEDED = (
    "conn",
    "transport",
    "writable",
    "handshake_complete",
    "close_sent",
    "disconnected",
    "initial_response",
)


def server_protocol(scope: Scope) -> Any | None:
    """uvicorn's sans-I/O WebSocket protocol serving ``scope``, if that is the server and it
    has what writing to it directly needs (else None: frames go through ASGI)."""
    proto = getattr(scope.get(SCOPE_KEY), "__self__", None)
    if _Protocol is None or not isinstance(proto, _Protocol):
        return None
    return proto if all(hasattr(proto, name) for name in _NEEDED) else None


def _header(first: int, length: int) -> bytes:
    if length < 126:
        return struct.pack("!BB", first, length)
    if length < 1 << 16:
        return struct.pack("!BBH", first, 126, length)
    return struct.pack("!BBQ", first, 127, length)


def plain_frame(data: bytes) -> bytes:
    """``data`` as one uncompressed text frame, server to client (unmasked)."""
    return _header(_FIN_TEXT, len(data)) + data


def deflated_frame(data: bytes) -> bytes:
    """``data`` as one text frame compressed for permessage-deflate by a fresh compressor:
    it refers to nothing sent before it, so any client can inflate it, whatever its window
    holds."""
    compressor = zlib.compressobj(
        zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -WINDOW_BITS, memLevel=MEM_LEVEL
    )
    payload = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert payload.endswith(_TAIL)
    return _header(_FIN_TEXT | _RSV1, len(payload) - 4) + payload[:-4]


def takes_frame(conn: Any) -> bool:
    """``conn`` (a websockets sans-I/O protocol) can be written a whole frame of ours now:
    open, and not in the middle of a fragmented message."""
    return conn.state is State.OPEN and not conn.expect_continuation_frame


def deflate_of(conn: Any) -> PerMessageDeflate | None:
    """The connection's permessage-deflate, if it is its only extension and has a window
    of at least ``WINDOW_BITS`` on our side (frames made here refer that far back)."""
    extensions = getattr(conn, "extensions", None)
    if not extensions or len(extensions) != 1:
        return None
    deflate = extensions[0]
    if not isinstance(deflate, PerMessageDeflate):
        return None
    return deflate if deflate.local_max_window_bits >= WINDOW_BITS else None


class Frames:
    """The frames of one fan-out: each text framed once, for every connection that takes
    it as it is (see the module's docstring)."""

    __slots__ = ("_deflated", "_plain", "built")

    def __init__(self) -> None:
        self._plain: dict[str, bytes] = {}
        self._deflated: dict[str, bytes] = {}
        self.built = 0

    def frame(self, text: str, deflated: bool) -> bytes:
        cache = self._deflated if deflated else self._plain
        frame = cache.get(text)
        if frame is None:
            data = text.encode()
            frame = cache[text] = deflated_frame(data) if deflated else plain_frame(data)
            self.built += 1
        return frame


def shared_framing(conn: Any) -> bool | None:
    """How a text is framed for ``conn`` (a websockets sans-I/O protocol) when the same
    bytes go to everyone: False uncompressed (no extension), True compressed on its own
    (permessage-deflate without our context, a window of at least ``WINDOW_BITS``), None
    if it cannot be (the connection keeps a context: it frames every message itself)."""
    if not getattr(conn, "extensions", None):
        return False
    deflate = deflate_of(conn)
    return True if deflate is not None and deflate.local_no_context_takeover else None


class DirectSend:
    __slots__ = ("_conn", "_proto", "_shared", "_transport", "_writable")

    def __init__(self, proto: Any) -> None:
        self._proto = proto
        self._conn = proto.conn
        self._transport = proto.transport
        self._writable = proto.writable
        self._shared = shared_framing(proto.conn)

    @classmethod
    def find(cls, scope: Scope) -> DirectSend | None:
        """The direct writer for the connection of ``scope``, if its server has one."""
        proto = server_protocol(scope)
        if proto is None or not callable(getattr(proto.conn, "send_text", None)):
            return None
        return cls(proto)

    @property
    def shares_frames(self) -> bool:
        """The frames of this connection are the same bytes for everyone."""
        return self._shared is not None

    def ready(self) -> bool:
        """The socket takes a frame now: open, accepted, and not pushing back."""
        proto = self._proto
        return (
            self._writable.is_set()
            and proto.handshake_complete
            and not proto.close_sent
            and not proto.disconnected
            and proto.initial_response is None
            and not self._transport.is_closing()
        )

    def write(self, text: str, frames: Frames | None = None) -> bool:
        """Frames and writes ``text`` (the fan-out's shared frame when ``frames`` is
        given and this connection takes one); False if the socket turned out not to take
        it (it is closing), in which case nothing was written."""
        conn = self._conn
        shared = self._shared
        if shared is not None and frames is not None:
            if not takes_frame(conn):
                return False
            self._transport.write(frames.frame(text, shared))
            return True
        try:
            conn.send_text(text.encode())
        except Exception:  # InvalidState, ProtocolError: closing or mid-fragment
            return False
        self._transport.write(b"".join(conn.data_to_send()))
        return True


if _Protocol is not None:

    class BroadcastProtocol(_Protocol):
        """uvicorn's sans-I/O WebSocket protocol, its permessage-deflate offered without
        server context takeover (what ``roundtable serve`` runs; see the module's
        docstring). Otherwise the same: same window, memory level and client side."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.config.ws_per_message_deflate:
                self.conn = ServerProtocol(
                    extensions=[
                        ServerPerMessageDeflateFactory(
                            server_no_context_takeover=True,
                            server_max_window_bits=WINDOW_BITS,
                            client_max_window_bits=WINDOW_BITS,
                            compress_settings={"memLevel": MEM_LEVEL},
                        )
                    ],
                    max_size=self.config.ws_max_size,
                    logger=logging.getLogger("uvicorn.error"),
                )

else:  # pragma: no cover
    BroadcastProtocol = None  # type: ignore[assignment,misc]


class CaptureTransport:
    """ASGI middleware (outermost): keeps the server's ``send`` of each WebSocket in its
    scope, before any middleware wraps it, for :meth:`DirectSend.find`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)
