"""A snapshot compressed once and written as it is (``realtime.deflated``): the client
inflates it, and everything the connection compresses after it, exactly.

A websockets server and client in memory (sans I/O), with permessage-deflate as uvicorn's
server negotiates it, stand in for the sockets; the live tests send real snapshots this
way to every joiner whose client compresses (``tests/realtime``'s clients all do).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
)
from websockets.server import ServerProtocol

from roundtable.realtime.deflated import Deflated, write_deflated
from roundtable.realtime.direct import deflate_of
from tests.realtime import sansio
from tests.realtime.sansio import received, served


def pair(*, shared: bool = False, **client: Any) -> tuple[ServerProtocol, ClientProtocol]:
    """A server and a client past the handshake, the server's extension as uvicorn's (or,
    ``shared``, as ``roundtable serve``'s: no server context takeover)."""
    return sansio.pair([served(shared)], [ClientPerMessageDeflateFactory(**client)])


def snapshot_text(n: int) -> str:
    members = [
        {"id": k, "display_name": f"Participant {k}", "role": "participant"} for k in range(n)
    ]
    return json.dumps({"type": "snapshot", "seq": 42, "members": members}, separators=(",", ":"))


def event_text(k: int) -> str:
    # Repeats what the snapshot's last bytes hold: its frame refers back into them.
    return json.dumps(
        {"type": "events", "events": [{"id": k, "display_name": f"Participant {k}"}]},
        separators=(",", ":"),
    )


def test_a_shared_frame_then_the_connection_s_own_messages_inflate_exactly() -> None:
    server, peer = pair()
    deflate = deflate_of(server)
    assert isinstance(deflate, PerMessageDeflate)

    before = [event_text(k) for k in range(5)]
    for text in before:
        server.send_text(text.encode())
    assert received(peer, b"".join(server.data_to_send())) == before

    text = snapshot_text(600)
    shot = Deflated(text)
    assert len(shot.frame) < len(text) / 3  # it was compressed
    written: list[bytes] = []
    assert write_deflated(server, deflate, written.append, shot)
    assert received(peer, b"".join(written)) == [text]

    after = [event_text(k) for k in range(590, 600)] + [snapshot_text(20)]
    for message in after:
        server.send_text(message.encode())
    out = b"".join(server.data_to_send())
    assert received(peer, out) == after
    # ...and they were compressed against the snapshot's end: far smaller than alone.
    assert len(out) < sum(len(m) for m in after) / 3


def test_without_matching_the_client_s_window_it_would_not_inflate() -> None:
    """The control: the same frame written with the compressor left as it was; the next
    message refers to bytes the client's window no longer holds there."""
    server, peer = pair()
    for k in range(5):
        server.send_text(event_text(k).encode())
    received(peer, b"".join(server.data_to_send()))
    shot = Deflated(snapshot_text(600))
    peer.receive_data(shot.frame)
    peer.events_received()
    after = event_text(3)  # refers back to what the server sent before the snapshot
    server.send_text(after.encode())
    peer.receive_data(b"".join(server.data_to_send()))
    got = peer.events_received()
    broken = not got or got[0].data.decode(errors="replace") != after  # type: ignore[union-attr]
    assert broken or peer.close_expected()


@pytest.mark.parametrize("shared", [False, True])
def test_connections_that_cannot_take_it_are_left_alone(shared: bool) -> None:
    # The client asks for a smaller window than the frame was made with.
    server, _peer = pair(shared=shared, server_max_window_bits=10)
    assert deflate_of(server) is None


@pytest.mark.parametrize(
    "negotiated",
    [{"shared": True}, {"server_no_context_takeover": True}],
    ids=["server-offers", "client-asks"],
)
def test_without_server_context_any_frame_is_taken_as_it_is(negotiated: dict[str, Any]) -> None:
    """No context kept on the server's side (``roundtable serve`` negotiates it, or the
    client asks for it): the frame goes as it is, short texts too, nothing re-seeded,
    and the connection's own messages after it still inflate exactly."""
    server, peer = pair(**negotiated)
    deflate = deflate_of(server)
    assert deflate is not None and deflate.local_no_context_takeover
    written: list[bytes] = []
    for text in ('{"type":"snapshot","seq":1}', snapshot_text(600)):
        assert write_deflated(server, deflate, written.append, Deflated(text))
        assert received(peer, written.pop()) == [text]
        after = [event_text(k) for k in range(3)]
        for message in after:
            server.send_text(message.encode())
        assert received(peer, b"".join(server.data_to_send())) == after


def test_short_texts_and_closed_connections_are_not_written() -> None:
    server, _peer = pair()
    deflate = deflate_of(server)
    assert deflate is not None
    written: list[bytes] = []
    # A text shorter than the window: the client's window would still hold older bytes.
    assert not write_deflated(server, deflate, written.append, Deflated('{"type":"snapshot"}'))
    server.send_close(1000)
    assert not write_deflated(server, deflate, written.append, Deflated(snapshot_text(600)))
    assert written == []
