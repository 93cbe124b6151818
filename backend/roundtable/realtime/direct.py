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
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import (
        WebSocketsSansIOProtocol as _Protocol,
    )
except ImportError:  # pragma: no cover  (another server: every frame goes through ASGI)
    _Protocol = None  # type: ignore[assignment,misc]

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


class DirectSend:
    __slots__ = ("_conn", "_proto", "_transport", "_writable")

    def __init__(self, proto: Any) -> None:
        self._proto = proto
        self._conn = proto.conn
        self._transport = proto.transport
        self._writable = proto.writable

    @classmethod
    def find(cls, scope: Scope) -> DirectSend | None:
        """The direct writer for the connection of ``scope``, if its server has one."""
        proto = server_protocol(scope)
        if proto is None or not callable(getattr(proto.conn, "send_text", None)):
            return None
        return cls(proto)

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

    def write(self, text: str) -> bool:
        """Frames and writes ``text``; False if the socket turned out not to take it (it
        is closing), in which case nothing was written."""
        try:
            self._conn.send_text(text.encode())
        except Exception:  # InvalidState, ProtocolError: closing or mid-fragment
            return False
        self._transport.write(b"".join(self._conn.data_to_send()))
        return True


class CaptureTransport:
    """ASGI middleware (outermost): keeps the server's ``send`` of each WebSocket in its
    scope, before any middleware wraps it, for :meth:`DirectSend.find`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)
