"""Test-side helpers for the live path: workshops, a stricter protocol client, DB reads."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets
from sqlalchemy import Engine, select
from websockets.exceptions import ConnectionClosed

from roundtable.checklists.models import Comment, Item, Vote
from roundtable.consolidation.provenance import with_provenance
from roundtable.db import read_session
from roundtable.groups.models import Member
from roundtable.realtime.snapshot import build_snapshot
from roundtable.sync.models import Event
from roundtable.values import comment_values, item_values, vote_values
from roundtable.workshops.models import Workshop
from tests.support import (
    Api,
    LiveServer,
    WsClient,
    cookie_header,
    create_facilitator_account,
    create_schema,
    fresh_pg_database,
    ok,
    pg_available,
    setup_workshop,
)

_PG = pg_available()


def open_database(kind: str, tmp: Path, stack: ExitStack) -> str:
    """An empty database with the schema and the facilitator account."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'roundtable.sqlite3'}"
    else:
        if not _PG:
            if os.environ.get("CI") == "true":
                pytest.fail("PostgreSQL is required in CI (ROUNDTABLE_TEST_PG_URL)")
            pytest.skip("PostgreSQL is not reachable (set ROUNDTABLE_TEST_PG_URL)")
        url = stack.enter_context(fresh_pg_database())
    create_schema(url)
    create_facilitator_account(url)
    return url


def token() -> str:
    """A short unique suffix: item ids are unique across the workshops of one database."""
    return secrets.token_hex(4)


@dataclass
class Live:
    server: LiveServer
    database_url: str
    engine: Engine  # for reading rows back in assertions, never for writing


@dataclass
class Scene:
    """A workshop on a live server, with its facilitator signed in."""

    live: Live
    fac: Api
    id: int
    groups: list[dict[str, Any]]
    consolidated: int

    @property
    def server(self) -> LiveServer:
        return self.live.server

    def checklist(self, group: int) -> int:
        return int(self.groups[group]["checklist_id"])

    def join(self, group: int, name: str) -> Api:
        api = self.server.api()
        api.join(self.groups[group]["join_code"], name)
        return api

    def client(self, api: Api, client_id: str | None = None) -> LiveClient:
        return LiveClient(self.server, api, self.id, client_id)

    def head(self) -> int:
        return head_seq(self.live.engine, self.id)

    def update(self, **fields: Any) -> None:
        ok(self.fac.patch(f"/api/workshops/{self.id}", json=fields))


def make_scene(live: Live, *, groups: int = 2, attribution: str = "named") -> Scene:
    fac = live.server.api()
    ok(fac.login())
    made = setup_workshop(fac, groups=groups, attribution=attribution)
    return Scene(live, fac, made["id"], made["groups"], made["consolidated"])


class LiveClient(WsClient):
    """``WsClient`` that also checks each stream: welcome first, batches never skip or
    repeat a seq, events inside their batch's range and in order."""

    def __init__(
        self, server: LiveServer, api: Api, workshop_id: int, client_id: str | None = None
    ) -> None:
        super().__init__(server, api, workshop_id, client_id)
        self.stream_seqs: set[int] = set()
        self.batches: list[dict[str, Any]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.presence: list[dict[str, Any]] = []
        self.here: dict[str, dict[str, Any]] = {}  # presence as a client holds it, by session
        self.rejects: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []

    async def connect(
        self, *, origin: str | None = None, last_seq: int | None = None
    ) -> dict[str, Any]:
        self.stream_seqs = set()
        if last_seq is not None:
            self.last_seq = last_seq
        welcome = await super().connect(origin=origin)
        assert welcome["type"] == "welcome", welcome
        return welcome

    def apply(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "events":
            seqs = [e["seq"] for e in message["events"]]
            assert message["from"] <= message["to"], message
            assert seqs, "an events batch with no events"
            assert seqs == sorted(set(seqs)), f"events out of order: {seqs}"
            assert message["from"] <= seqs[0] and seqs[-1] <= message["to"], message
            repeated = self.stream_seqs & set(seqs)
            assert not repeated, f"seqs sent twice on one connection: {sorted(repeated)}"
            self.stream_seqs.update(seqs)
            self.batches.append(message)
        elif kind == "snapshot":
            self.snapshots.append(message)
        elif kind == "presence":
            self.presence.append(message)
            if not message.get("delta"):
                self.here = {}
            for session in message.get("gone", []):
                self.here.pop(session, None)
            self.here.update((e["session"], e) for e in message["entries"])
        elif kind == "reject":
            self.rejects.append(message)
        elif kind == "ack":
            self.acks.append(message)
        super().apply(message)

    def presence_entries(self) -> list[dict[str, Any]]:
        """Who is here, from the presence messages received (a list, then changes)."""
        return [self.here[session] for session in sorted(self.here)]

    async def op(self, op_id: int, kind: str, /, **args: Any) -> None:
        await self.send({"type": "op", "op_id": op_id, "kind": kind, "args": args})

    async def expect(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        return await self.recv_until(lambda m: m["type"] == kind, timeout)

    async def until_seen(self, op_id: int, timeout: float = 10.0) -> None:
        """Reads until this client's op comes back in the stream."""
        if op_id not in self.seen_ops:
            await self.recv_until(lambda _m: op_id in self.seen_ops, timeout)

    async def until_seq(self, seq: int, timeout: float = 10.0) -> None:
        if self.last_seq < seq:
            await self.recv_until(lambda _m: self.last_seq >= seq, timeout)

    async def quiet(self, window: float = 0.3) -> list[dict[str, Any]]:
        """What arrives, presence aside, until nothing has for ``window`` seconds."""
        got: list[dict[str, Any]] = []
        while True:
            try:
                message = await self.recv(window)
            except TimeoutError:
                return got
            if message["type"] != "presence":
                got.append(message)

    async def closed(self, timeout: float = 10.0) -> int:
        """Reads until the server closes the connection; returns the close code."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the server did not close the connection")
            try:
                await self.recv(left)
            except ConnectionClosed as exc:
                return exc.rcvd.code if exc.rcvd is not None else 1006

    def items(self) -> dict[str, dict[str, Any]]:
        return {str(k): v for k, v in self.entities.get("item", {}).items()}


@asynccontextmanager
async def opened(*clients: LiveClient) -> AsyncIterator[None]:
    """Closes every client on the way out, whatever happened."""
    try:
        yield
    finally:
        for client in clients:
            await client.close()


async def close_code_of(
    server: LiveServer,
    *,
    cookie: str | None,
    first: str | bytes,
    then: list[str | bytes] | None = None,
    origin: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Connects, sends ``first`` (and ``then``), reads until closed: (close code, messages)."""
    headers = {"Cookie": cookie} if cookie is not None else {}
    got: list[dict[str, Any]] = []
    async with websockets.connect(
        server.ws_url,
        origin=origin or server.base_url,  # type: ignore[arg-type]
        additional_headers=headers,
        max_size=2**24,
    ) as ws:
        try:
            await ws.send(first)
            for message in then or []:
                await ws.send(message)
            while True:
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        except ConnectionClosed as exc:
            return (exc.rcvd.code if exc.rcvd is not None else 1006), got
    raise AssertionError("unreachable")


def hello(workshop_id: int, *, protocol: int = 1, last_seq: int = 0, **extra: Any) -> str:
    return json.dumps(
        {
            "type": "hello",
            "protocol": protocol,
            "workshop_id": workshop_id,
            "client_id": f"raw-{token()}",
            "last_seq": last_seq,
            **extra,
        }
    )


def own_snapshot(
    workshop_id: int, member_id: int, engine: Engine
) -> tuple[dict[str, Any], set[int], Member | None]:
    """A member's snapshot read and cut for them alone, with no cache or shared text (what
    the live path's shared texts must equal): (snapshot, readable checklists, member)."""
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        member = session.get(Member, member_id)
        if workshop is None or member is None or member.removed:
            return {}, set(), None
        snapshot = build_snapshot(session, workshop, member)
        return snapshot, {int(c["id"]) for c in snapshot["checklists"]}, member


def cookie_of(api: Api) -> str:
    return cookie_header(api)


# -- reading the database back -----------------------------------------------------------
def head_seq(engine: Engine, workshop_id: int) -> int:
    with read_session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return workshop.head_seq


def log_of(engine: Engine, workshop_id: int) -> list[Event]:
    with read_session(engine) as session:
        return list(
            session.execute(
                select(Event).where(Event.workshop_id == workshop_id).order_by(Event.seq)  # type: ignore[arg-type]
            ).scalars()
        )


@dataclass
class Rows:
    """What the database says a reader of ``checklists`` should hold."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    votes: dict[int, dict[str, Any]] = field(default_factory=dict)


def rows_of(engine: Engine, workshop_id: int, checklists: set[int]) -> Rows:
    out = Rows()
    with read_session(engine) as session:
        items = session.execute(
            select(Item).where(Item.workshop_id == workshop_id, Item.deleted.is_(False))  # type: ignore[arg-type, attr-defined]
        ).scalars()
        for item in items:
            if item.checklist_id in checklists:
                out.items[item.id] = item_values(item)
        with_provenance(session, list(out.items.values()))  # as snapshots carry them
        comments = session.execute(
            select(Comment).where(Comment.workshop_id == workshop_id, Comment.deleted.is_(False))  # type: ignore[arg-type, attr-defined]
        ).scalars()
        for comment in comments:
            if comment.item_id in out.items:
                out.comments[comment.id] = comment_values(comment)
        votes = session.execute(select(Vote).where(Vote.workshop_id == workshop_id)).scalars()  # type: ignore[arg-type]
        for vote in votes:
            if vote.checklist_id in checklists:
                assert vote.id is not None
                out.votes[vote.id] = vote_values(vote)
    return out


def visible_state(entities: dict[str, dict[Any, dict[str, Any]]]) -> dict[str, Any]:
    """A client's state as a reader sees it: comments of deleted items are not shown, and
    an item's ``merged_ref`` of null is no merge mark, as is none (snapshots give every
    group item ``merged_ref``; the events that create or edit one do not carry it)."""
    items = {
        str(k): {f: x for f, x in v.items() if not (f == "merged_ref" and x is None)}
        for k, v in entities.get("item", {}).items()
    }
    comments = {
        str(k): v for k, v in entities.get("comment", {}).items() if v.get("item_id") in items
    }
    state: dict[str, Any] = {
        name: dict(table)
        for name, table in entities.items()
        if name not in ("item", "comment") and table
    }
    state["item"] = items
    state["comment"] = comments
    return state


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
