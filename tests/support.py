"""Test helpers: databases, an API client that handles CSRF, live servers, WS clients."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import psycopg
import websockets
from fastapi.testclient import TestClient

from roundtable.app import create_app
from roundtable.config import Settings
from roundtable.db import make_engine
from roundtable.models import metadata

ROOT = Path(__file__).resolve().parents[1]
PG_BASE_URL = os.environ.get("ROUNDTABLE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
FACILITATOR_EMAIL = "fac@example.org"
FACILITATOR_PASSWORD = "correct horse battery"


def pg_available() -> bool:
    try:
        with psycopg.connect(PG_BASE_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"rt_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_BASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_BASE_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_BASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_schema(url: str) -> None:
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Api:
    """A TestClient (or httpx client) that sends the CSRF header like the browser app does."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    @property
    def csrf(self) -> str | None:
        return self.client.cookies.get("rt_csrf")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.csrf and method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    # Conveniences -------------------------------------------------------------------
    def login(
        self, email: str = FACILITATOR_EMAIL, password: str = FACILITATOR_PASSWORD
    ) -> httpx.Response:
        return self.post("/api/auth/login", json={"email": email, "password": password})

    def join(self, code: str, name: str, **extra: Any) -> dict[str, Any]:
        r = self.post("/api/join", json={"code": code, "display_name": name, **extra})
        assert r.status_code == 201, r.text
        return dict(r.json())


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text}"
    )
    return dict(response.json()["error"])


class AppFactory:
    """Builds TestClient-backed ``Api`` objects that share one app and database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self._clients: list[TestClient] = []

    def client(self) -> Api:
        client = TestClient(self.app, base_url="http://testserver")
        client.__enter__()
        self._clients.append(client)
        return Api(client)

    def close(self) -> None:
        for client in self._clients:
            client.__exit__(None, None, None)


@functools.cache
def password_hash(password: str) -> str:
    """Argon2 is slow on purpose; the test accounts reuse one hash per password."""
    from roundtable.security import hash_password

    return hash_password(password)


def create_facilitator_account(
    url: str, email: str = FACILITATOR_EMAIL, password: str = FACILITATOR_PASSWORD
) -> None:
    """``create_account``, with the password's (real) hash made once per process."""
    from roundtable.accounts import service
    from roundtable.db import write_session

    engine = make_engine(url)
    with write_session(engine) as db, mock.patch.object(service, "hash_password", password_hash):
        service.create_account(db, email, password)
        db.commit()
    engine.dispose()


def setup_workshop(
    fac: Api, *, groups: int = 2, phase: str = "breakout", attribution: str = "named"
) -> dict[str, Any]:
    """As a logged-in facilitator: a workshop with ``groups`` groups. Returns ids and codes."""
    workshop = ok(
        fac.post("/api/workshops", json={"title": "Test roundtable", "attribution": attribution}),
        201,
    )
    wid = workshop["id"]
    created = []
    for n in range(groups):
        created.append(
            ok(fac.post(f"/api/workshops/{wid}/groups", json={"name": f"Group {chr(65 + n)}"}), 201)
        )
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": phase}))
    checklists = ok(fac.get(f"/api/workshops/{wid}/checklists"))
    consolidated = next(c["id"] for c in checklists if c["group_id"] is None)
    return {"id": wid, "groups": created, "consolidated": consolidated}


def writer_workshop(apps: AppFactory, fac: Api) -> tuple[Any, int, int, str]:
    """For in-process write-path tests: a workshop with one group, an item ``First`` in
    its checklist and a participant ``Writer``. Returns (an engine of the app's database,
    the workshop id, the writer's member id, the item id); dispose of the engine after."""

    w = setup_workshop(fac, groups=1)
    group = w["groups"][0]
    item = ok(
        fac.post(
            f"/api/workshops/{w['id']}/checklists/{group['checklist_id']}/items",
            json={"kind": "need", "title": "First"},
        ),
        201,
    )
    apps.client().join(group["join_code"], "Writer")
    engine = make_engine(apps.settings.database_url)
    return engine, int(w["id"]), member_id_of(engine, w["id"], "Writer"), str(item["id"])


def member_id_of(engine: Any, workshop_id: int, display_name: str) -> int:
    """The id of the member of ``workshop_id`` who joined as ``display_name``."""
    from sqlalchemy import select
    from sqlmodel import col

    from roundtable.groups.models import Member

    with engine.connect() as db:
        return int(
            db.execute(
                select(col(Member.id)).where(
                    col(Member.workshop_id) == workshop_id,
                    col(Member.display_name) == display_name,
                )
            ).scalar_one()
        )


# -- live servers ---------------------------------------------------------------------
class LiveServer:
    """A real ``uvicorn`` process serving the app on a free port (started as
    ``roundtable serve`` when ``cli``, which configures logging from the environment)."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
        cli: bool = True,
        log_level: str = "warning",
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.extra_env = env or {}
        self.cli = cli
        self.log_level = log_level
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"rt-server-{self.port}.log"
        self._clients: list[httpx.Client] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/ws"

    def start(self, timeout: float = 60.0) -> LiveServer:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "ROUNDTABLE_POLL_INTERVAL": "0.5",
            **self.extra_env,
        }
        address = ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", self.log_level]
        command = (
            [sys.executable, "-m", "roundtable.cli", "serve", *address]
            if self.cli
            else [
                sys.executable,
                "-m",
                "uvicorn",
                "roundtable.asgi:app",
                *address,
                "--ws-max-size",
                "1048576",
            ]
        )
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        self.close_clients()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def api(self) -> Api:
        client = httpx.Client(base_url=self.base_url, headers={"Origin": self.base_url}, timeout=10)
        self._clients.append(client)
        return Api(client)

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


def cookie_header(api: Api) -> str:
    return "; ".join(f"{k}={v}" for k, v in api.client.cookies.items())


class WsClient:
    """A real WebSocket client speaking the live protocol, keeping the state it is sent."""

    def __init__(
        self, server: LiveServer, api: Api, workshop_id: int, client_id: str | None = None
    ) -> None:
        self.server = server
        self.api = api
        self.workshop_id = workshop_id
        self.client_id = client_id or f"test-{secrets.token_hex(6)}"
        self.ws: Any = None
        self.last_seq = 0
        self.messages: list[dict[str, Any]] = []
        self.entities: dict[str, dict[Any, dict[str, Any]]] = {}
        self.welcome: dict[str, Any] | None = None
        self.seen_ops: set[int] = set()
        # The client's WebSocket keepalive (the ``websockets`` defaults unless a test sets them)
        self.ping_interval: float | None = 20.0
        self.ping_timeout: float | None = 20.0

    async def connect(
        self, *, origin: str | None = None, last_seq: int | None = None
    ) -> dict[str, Any]:
        self.ws = await websockets.connect(
            self.server.ws_url,
            origin=origin or self.server.base_url,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie_header(self.api)},
            max_size=2**24,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
        )
        await self.send(
            {
                "type": "hello",
                "protocol": 1,
                "workshop_id": self.workshop_id,
                "client_id": self.client_id,
                "last_seq": self.last_seq if last_seq is None else last_seq,
            }
        )
        self.welcome = await self.recv()
        return self.welcome

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.messages.append(message)
        self.apply(message)
        return dict(message)

    async def recv_until(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the expected message did not arrive")
            message = await self.recv(left)
            if predicate(message):
                return message

    def apply(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            self.entities = {}
            for entity, key in (
                ("theme", "themes"),
                ("group", "groups"),
                ("member", "members"),
                ("checklist", "checklists"),
                ("item", "items"),
                ("comment", "comments"),
                ("vote", "votes"),
            ):
                self.entities[entity] = {row["id"]: dict(row) for row in message[key]}
            self.entities["workshop"] = {message["workshop"]["id"]: dict(message["workshop"])}
            self.last_seq = message["seq"]
        elif kind == "events":
            assert message["from"] == self.last_seq + 1, (
                f"gap: have {self.last_seq}, got from {message['from']}"
            )
            for event in message["events"]:
                if event["client_id"] == self.client_id and event["op_id"] is not None:
                    self.seen_ops.add(event["op_id"])
                for change in event["changes"]:
                    table = self.entities.setdefault(change["entity"], {})
                    if change.get("deleted"):
                        table.pop(change["id"], None)
                    else:
                        table.setdefault(change["id"], {}).update(change["values"])
            self.last_seq = message["to"]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def lock_waiters(url: str, locker_pid: int) -> list[int]:
    """The backends of the PostgreSQL database at ``url`` waiting on a lock, other than
    the one holding it (``locker_pid``)."""
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> %s",
            (locker_pid,),
        ).fetchall()
    return [int(row[0]) for row in rows]


async def first_lock_waiter(url: str, locker_pid: int, what: str, timeout: float = 10) -> int:
    """Waits until a backend waits on ``locker_pid``'s lock and returns its pid; fails
    saying that ``what`` never reached the database."""
    deadline = time.monotonic() + timeout
    while not (waiting := lock_waiters(url, locker_pid)):
        assert time.monotonic() < deadline, f"{what} never reached the database"
        await asyncio.sleep(0.05)
    return waiting[0]
