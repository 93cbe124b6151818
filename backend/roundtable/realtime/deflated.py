"""A snapshot compressed once, written as it is to every connection that can take it.

With permessage-deflate each connection compresses what it is sent with its own zlib
context, on the event loop. For a snapshot (~100 KB or more) that is milliseconds per
joiner, while a crowd of joiners is often sent the very same text (everyone of one view,
at one seq, whom nothing in it names: see ``SnapshotTexts``).

A message compressed by a fresh compressor refers to nothing sent before it, so any
client can inflate it whatever its context holds. Written as it is, it leaves the client's
window holding the message's last bytes, while the connection's own compressor still
holds what it compressed before: its next message would refer to bytes the client does
not have there. So the compressor is replaced by a fresh one whose dictionary is the
message's last window of bytes, which is exactly what the client now holds.

A connection whose server side keeps no context (permessage-deflate without server
context takeover, what ``roundtable serve`` negotiates: see ``realtime.direct``) takes
the frame as it is, with nothing to re-seed.

Otherwise that takes a connection whose permessage-deflate keeps its context with a window
of at least :data:`WINDOW_BITS` (what uvicorn's server asks for; a client may ask for
less, and is then sent the text as usual), and the server's sans-I/O WebSocket protocol
(``realtime.direct`` explains how it is reached). Anything else gets ``None`` from
:meth:`DeflatedSend.find`, and the text goes through ASGI as before.
"""

from __future__ import annotations

import zlib
from typing import Any

from starlette.types import Scope
from websockets.extensions.permessage_deflate import PerMessageDeflate

from roundtable.realtime.direct import (
    WINDOW_BITS,
    deflate_of,
    deflated_frame,
    server_protocol,
    takes_frame,
)


class Deflated:
    """``text`` as one compressed WebSocket text frame (server to client: unmasked)."""

    __slots__ = ("frame", "tail")

    def __init__(self, text: str) -> None:
        data = text.encode()
        self.frame = deflated_frame(data)
        # What the client's window holds once it has inflated the message. Shorter than a
        # window, it would hold earlier messages too: such a text is not sent this way
        # where the connection keeps a context.
        self.tail = data[-(1 << WINDOW_BITS) :] if len(data) >= 1 << WINDOW_BITS else None


def write_deflated(conn: Any, deflate: PerMessageDeflate, write: Any, shot: Deflated) -> bool:
    """Writes ``shot`` on ``conn`` (a websockets sans-I/O protocol) with ``write``, and
    re-seeds its compressor to match the client's window; False if it cannot be (the
    connection is not open, the text is short), and then nothing was written."""
    if not takes_frame(conn):
        return False
    if deflate.local_no_context_takeover:
        write(shot.frame)  # each message stands alone: nothing to re-seed
        return True
    if shot.tail is None:
        return False
    write(shot.frame)
    deflate.encoder = zlib.compressobj(
        wbits=-deflate.local_max_window_bits, **deflate.compress_settings, zdict=shot.tail
    )
    return True


class DeflatedSend:
    """Writes pre-compressed frames to one connection of uvicorn's sans-I/O protocol."""

    __slots__ = ("_conn", "_deflate", "_proto")

    def __init__(self, proto: Any, deflate: PerMessageDeflate) -> None:
        self._proto = proto
        self._conn = proto.conn
        self._deflate = deflate

    @classmethod
    def find(cls, scope: Scope) -> DeflatedSend | None:
        proto = server_protocol(scope)
        if proto is None:
            return None
        deflate = deflate_of(proto.conn)
        return None if deflate is None else cls(proto, deflate)

    async def send(self, shot: Deflated) -> bool:
        """As uvicorn's own send: waits until the socket takes more, then writes; False
        if it was not written (the caller sends the text instead)."""
        proto = self._proto
        await proto.writable.wait()
        if proto.disconnected or proto.close_sent or proto.transport.is_closing():
            return False
        return write_deflated(self._conn, self._deflate, proto.transport.write, shot)
