from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from roundtable.logs import JsonFormatter, log_config, request_id
from tests.support import (
    Api,
    LiveServer,
    WsClient,
    create_facilitator_account,
    create_schema,
    ok,
    setup_workshop,
)


def test_a_valid_request_id_is_echoed(fac: Api) -> None:
    r = fac.get("/api/health", headers={"X-Request-ID": "edge-42_abc"})
    assert r.headers["x-request-id"] == "edge-42_abc"


@pytest.mark.parametrize("given", [None, "x" * 65, "has space", "semi;colon", ""])
def test_a_missing_or_invalid_request_id_is_replaced(fac: Api, given: str | None) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    first = fac.get("/api/workshops", headers=headers).headers["x-request-id"]
    second = fac.get("/api/health", headers=headers).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", first), first
    assert first != second


def test_errors_carry_the_request_id_too(fac: Api) -> None:
    r = fac.get("/api/no-such-route", headers={"X-Request-ID": "req-404"})
    assert r.status_code == 404
    assert r.headers["x-request-id"] == "req-404"


def test_the_json_formatter_writes_one_object_per_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("roundtable.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    token = request_id.set("req-7")
    try:
        logger.info("op rejected: workshop=%s code=%s", 3, "invalid", extra={"member_id": 9})
        try:
            raise RuntimeError("boom\nsecond line")
        except RuntimeError:
            logger.exception("it failed")
    finally:
        request_id.reset(token)
        logger.removeHandler(handler)
    logger.info("after the request")  # no handler any more: nothing written
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "op rejected: workshop=3 code=invalid"
    assert first["level"] == "INFO"
    assert first["logger"] == "roundtable.test-json"
    assert first["request_id"] == "req-7"
    assert first["member_id"] == 9
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", first["time"])
    assert second["level"] == "ERROR" and "RuntimeError: boom" in second["exception"]


def test_the_log_config_is_valid_for_dict_config() -> None:
    import logging.config

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        logging.config.dictConfig(log_config("json", "warning"))
        assert isinstance(root.handlers[-1].formatter, JsonFormatter)
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


# -- a real server started by ``roundtable serve`` with LOG_FORMAT=json ----------------
NAMES = ("Zephyrine Quillfeather", "Osvaldo Brightwater")


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'roundtable.sqlite3'}"
    create_schema(url)
    create_facilitator_account(url)
    srv = LiveServer(url, cli=True, log_level="info", env={"LOG_FORMAT": "json"})
    srv.log_path = tmp_path / "server.log"
    srv.start()
    yield srv
    srv.stop()


def test_chatham_house_logs_name_no_one(json_server: LiveServer) -> None:
    server = json_server
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac, attribution="chatham_house")
    group = ws["groups"][0]
    ana, ben = server.api(), server.api()
    ana.join(group["join_code"], NAMES[0], affiliation="Ministry of Quillfeathers")
    me = ben.join(group["join_code"], "Ben")
    renamed = {"display_name": NAMES[1]}
    ok(ben.patch(f"/api/workshops/{ws['id']}/members/{me['member']['id']}", json=renamed))

    async def scenario() -> None:
        a, b = WsClient(server, ana, ws["id"]), WsClient(server, ben, ws["id"])
        await a.connect()
        await a.recv_until(lambda m: m["type"] == "snapshot")
        await b.connect()
        await b.recv_until(lambda m: m["type"] == "snapshot")
        item = {"checklist_id": group["checklist_id"], "kind": "need", "title": "Secret item"}
        await a.send({"type": "op", "op_id": 1, "kind": "item.create", "args": item})
        await b.recv_until(lambda m: m["type"] == "events")
        # A refused op is logged (by ids and its code).
        bad = {"checklist_id": 999999, "kind": "need", "title": NAMES[0]}
        await b.send({"type": "op", "op_id": 1, "kind": "item.create", "args": bad})
        await b.recv_until(lambda m: m["type"] == "reject")
        await a.close()
        await b.close()

    asyncio.run(scenario())
    r = ana.get("/api/health", headers={"X-Request-ID": "chatham-check"})
    assert r.headers["x-request-id"] == "chatham-check"
    server.stop()
    text = server.log_path.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any(r["logger"] == "uvicorn.access" for r in records), text[-2000:]
    assert any(r.get("request_id") == "chatham-check" for r in records), text[-2000:]
    assert any("op rejected" in r["message"] for r in records), text[-2000:]
    for secret in (*NAMES, "Quillfeather", "Secret item"):
        assert secret not in text, f"{secret!r} is in the server log"


def test_database_errors_leave_the_values_out() -> None:
    from sqlalchemy import text

    from roundtable.db import make_engine

    engine = make_engine("sqlite:///:memory:")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM nowhere WHERE name = :n"), {"n": NAMES[0]})
    except Exception as exc:
        assert NAMES[0] not in str(exc)
    else:
        pytest.fail("the query should have failed")
    finally:
        engine.dispose()
