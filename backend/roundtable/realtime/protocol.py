"""The live protocol, version 1 (WebSocket ``/api/ws``). See docs/protocol.md.

Client -> server: ``hello``, ``op``, ``presence``, ``ping``.
Server -> client: ``welcome``, ``snapshot``, ``events``, ``ack`` (duplicate op),
``reject``, ``presence``, ``pong``, ``notice``.

``events`` messages carry ``from`` and ``to``: together they cover every seq in between,
including events the receiver may not see, so a client checks ``from == last_seq + 1``
and otherwise has found a gap (and reconnects with ``hello{last_seq}``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1


class CloseCode:
    BAD_HANDSHAKE = 4000  # first message was not a valid hello
    PROTOCOL_TOO_OLD = 4001
    FORBIDDEN = 4003  # no session, not a member, removed, or Origin not allowed
    NOT_FOUND = 4004  # no such workshop
    SLOW_CONSUMER = 4008
    MESSAGE_TOO_LARGE = 4009
    INTERNAL_ERROR = 1011
    SERVER_RESTART = 1012
    TRY_AGAIN_LATER = 1013  # the database could not take an op: reconnect, resend in order


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(_Message):
    type: Literal["hello"]
    protocol: int = Field(ge=0, le=1_000)
    workshop_id: int = Field(ge=1, le=2**53)
    client_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    last_seq: int = Field(default=0, ge=0, le=2**53)


class OpMessage(_Message):
    type: Literal["op"]
    op_id: int = Field(ge=1, le=2**53)
    kind: str = Field(max_length=40)
    args: dict[str, Any] = Field(default_factory=dict)


class PresenceMessage(_Message):
    type: Literal["presence"]
    checklist_id: int | None = Field(default=None, ge=1, le=2**53)
    editing_item_id: str | None = Field(default=None, max_length=40)


class Ping(_Message):
    type: Literal["ping"]


ClientMessage = Annotated[OpMessage | PresenceMessage | Ping | Hello, Field(discriminator="type")]


class Welcome(_Message):
    type: Literal["welcome"] = "welcome"
    protocol: int
    head_seq: int
    last_op_id: int
    mode: Literal["events", "snapshot"]
    member_id: int


class Reject(_Message):
    type: Literal["reject"] = "reject"
    op_id: int | None
    code: str
    message: str
    field: str | None = None


class Ack(_Message):
    """A resent op that was handled before: ``seq`` of its event, or None if it was refused."""

    type: Literal["ack"] = "ack"
    op_id: int
    duplicate: bool = True
    seq: int | None
