"""Refused ops and refused connections: each gets its documented answer and changes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import psycopg
import pytest

from tests.realtime.clients import (
    Live,
    close_code_of,
    cookie_of,
    hello,
    log_of,
    make_scene,
    opened,
    rows_of,
    token,
)
from tests.support import first_lock_waiter, ok


def test_refused_ops_answer_with_reject_and_leave_the_connection_usable(live: Live) -> None:
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    ben = scene.join(1, "Ben")  # so that group B's checklist is a real target
    assert ben.csrf
    mine, theirs = scene.checklist(0), scene.checklist(1)
    item = f"it-{token()}"

    def new_item(checklist: int, **extra: Any) -> dict[str, Any]:
        return {"id": f"it-{token()}", "checklist_id": checklist, "title": "T", **extra}

    refused: list[tuple[str, dict[str, Any], str, str]] = [
        # (kind, args, code, the message starts with)
        ("item.create", new_item(mine, kind="bogus"), "invalid", "args.kind: "),
        ("item.create", {"checklist_id": mine, "kind": "need"}, "invalid", "args.title: "),
        ("item.create", new_item(mine, kind="need", colour="red"), "invalid", "args.colour: "),
        (
            "item.create",
            new_item(mine, kind="need", actors=["wizards"]),
            "invalid",
            "args.actors: ",
        ),
        # Group B's list is hidden while reveal is off: it does not even exist for Ana.
        ("item.create", new_item(theirs, kind="need"), "not_found", "checklist "),
        ("workshop.update", {"reveal": True}, "forbidden", "only facilitators"),
        ("group.create", {"name": "Mine now"}, "forbidden", "only facilitators"),
        ("member.remove", {"id": 1}, "forbidden", "only facilitators"),
        ("item.explode", {"id": item}, "unknown_op", "kind: "),
        (
            "member.join",
            {"group_id": scene.groups[0]["id"], "display_name": "Eve"},
            "forbidden",
            "kind: ",
        ),
    ]

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            await a.connect()
            await a.expect("snapshot")
            head = scene.head()
            for op_id, (kind, args, code, start) in enumerate(refused, start=1):
                await a.op(op_id, kind, **args)
                reject = await a.expect("reject")
                assert reject["op_id"] == op_id, reject
                assert reject["code"] == code, reject
                assert reject["message"].startswith(start), reject
                if code == "invalid":
                    assert reject["field"] == start.rstrip(": "), reject
            assert scene.head() == head, "a refused op changed the log"

            # With reveal on Ana can read group B's list, and is told she may not edit it.
            scene.update(reveal=True)
            await a.expect("snapshot")
            head = scene.head()
            next_id = len(refused) + 1
            await a.op(next_id, "item.create", **new_item(theirs, kind="need"))
            reject = await a.expect("reject")
            assert (reject["op_id"], reject["code"]) == (next_id, "forbidden")
            assert reject["message"] == "you can only edit your own group's checklist"
            assert scene.head() == head

            # Still connected and usable: a valid op goes through.
            await a.op(
                next_id + 1, "item.create", id=item, checklist_id=mine, kind="need", title="OK"
            )
            await a.until_seen(next_id + 1)
            await a.send({"type": "ping"})
            assert (await a.expect("pong")) == {"type": "pong"}

    asyncio.run(scenario())
    assert list(rows_of(live.engine, scene.id, {scene.checklist(0), scene.checklist(1)}).items) == [
        item
    ]


def test_bad_messages_are_rejected_without_closing(live: Live) -> None:
    scene = make_scene(live)
    ana = scene.join(0, "Ana")

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            await a.connect()
            await a.expect("snapshot")
            head = scene.head()
            await a.ws.send("{not json")
            reject = await a.expect("reject")
            assert (reject["op_id"], reject["code"]) == (None, "invalid")
            assert "JSON" in reject["message"]

            await a.send({"type": "shout", "op_id": 4})
            reject = await a.expect("reject")
            assert reject["code"] == "unknown_message"
            assert reject["message"].startswith("type: ")

            await a.send({"type": "op", "op_id": 0, "kind": "item.create", "args": {}})
            reject = await a.expect("reject")
            assert reject["code"] == "invalid" and reject["message"].startswith("op_id: ")

            await a.ws.send(b"\xff\xfe")  # a binary frame that is not UTF-8
            assert (await a.expect("reject"))["code"] == "invalid"

            await a.send(json.loads(hello(scene.id)))
            reject = await a.expect("reject")
            assert "hello" in reject["message"]

            await a.send({"type": "ping"})
            assert (await a.expect("pong"))["type"] == "pong"
            assert scene.head() == head

    asyncio.run(scenario())


def test_connections_refused_with_close_codes(live: Live) -> None:
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    cookie = cookie_of(ana)
    server = scene.server

    async def scenario() -> None:
        code, got = await close_code_of(
            server, cookie=cookie, first=hello(scene.id), origin="https://evil.example"
        )
        assert (code, got) == (4003, [])
        code, got = await close_code_of(server, cookie=None, first=hello(scene.id))
        assert (code, got) == (4003, [])
        code, got = await close_code_of(server, cookie="rt_session=forged", first=hello(scene.id))
        assert (code, got) == (4003, [])
        code, got = await close_code_of(server, cookie=cookie, first=hello(scene.id + 10_000))
        assert (code, got) == (4004, [])
        code, got = await close_code_of(server, cookie=cookie, first=hello(scene.id, protocol=0))
        assert (code, got) == (4001, [])
        code, got = await close_code_of(server, cookie=cookie, first=json.dumps({"type": "ping"}))
        assert (code, got) == (4000, [])
        code, got = await close_code_of(server, cookie=cookie, first="hello?")
        assert (code, got) == (4000, [])

        # 64 KiB is the limit, counted in bytes: 30 000 three-byte characters are too many.
        for big in ("x" * (64 * 1024 + 1), "\u20ac" * 30_000):
            body = json.dumps(
                {"type": "op", "op_id": 1, "kind": "item.create", "args": {"title": big}},
                ensure_ascii=False,
            )
            code, got = await close_code_of(
                server, cookie=cookie, first=hello(scene.id), then=[body]
            )
            assert code == 4009
            assert [m["type"] for m in got if m["type"] != "presence"] == ["welcome", "snapshot"]

    head = scene.head()
    asyncio.run(scenario())
    assert scene.head() == head


def test_removed_member_is_closed_and_refused(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
    ana_id = ok(ana.get(f"/api/workshops/{scene.id}/me"))["id"]
    late = f"it-{token()}"

    async def scenario() -> None:
        a, b = scene.client(ana), scene.client(ben)
        async with opened(a, b):
            await a.connect()
            await a.expect("snapshot")
            await b.connect()
            await b.expect("snapshot")
            ok(scene.fac.delete(f"/api/workshops/{scene.id}/members/{ana_id}"), 204)
            # An op sent straight after the removal, racing the server's close.
            await a.op(
                1, "item.create", id=late, checklist_id=scene.checklist(0), kind="need", title="x"
            )
            assert await a.closed() == 4003
            assert not any(e["op_id"] == 1 for x in a.batches for e in x["events"])
            for reject in a.rejects:
                assert reject["code"] == "forbidden"

            # Ben stays, and sees Ana gone.
            snapshot = await b.expect("snapshot")
            assert ana_id not in {m["id"] for m in snapshot["members"]}

            code, _ = await close_code_of(
                scene.server, cookie=cookie_of(ana), first=hello(scene.id)
            )
            assert code == 4003

    asyncio.run(scenario())
    assert late not in rows_of(live.engine, scene.id, {scene.checklist(0)}).items


def test_a_failing_op_is_refused_and_the_connection_lives_on(live: Live) -> None:
    """Ops that trip over the server's own limits (here: ordering keys past their maximum
    length) are answered with a reject, never a dropped connection or half a change."""
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    checklist = scene.checklist(0)

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            await a.connect()
            await a.expect("snapshot")
            last = "z" * 64  # the largest key there is
            await a.op(
                1, "item.create", checklist_id=checklist, kind="need", title="Last", position=last
            )
            await a.until_seen(1)
            answered: list[str] = []
            for op_id in (2, 3):  # each appended after the last key
                head = scene.head()
                await a.op(op_id, "item.create", checklist_id=checklist, kind="need", title="After")
                message = await a.recv_until(
                    lambda m, op_id=op_id: (
                        (m["type"] == "reject" and m["op_id"] == op_id) or op_id in a.seen_ops
                    )
                )
                if message["type"] == "reject":
                    answered.append(message["code"])
                    assert message["code"] in ("invalid", "internal"), message
                    assert scene.head() == head
                else:
                    answered.append("applied")
            assert answered != ["applied", "applied"]
            await a.send({"type": "ping"})
            assert (await a.expect("pong"))["type"] == "pong"

    asyncio.run(scenario())


@pytest.mark.parametrize("live", ["postgres"], indirect=True)
def test_database_failure_mid_op_keeps_the_order_of_resends(live: Live) -> None:
    """An op the database could not take is not refused: the connection closes (1013)
    before the ops queued behind it, so the client resends them all, in order."""
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    ids = [f"it-{token()}", f"it-{token()}"]
    url = live.database_url

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            await a.connect()
            await a.expect("snapshot")
            ops = [
                {"id": item, "checklist_id": scene.checklist(0), "kind": "need", "title": f"T{n}"}
                for n, item in enumerate(ids, start=1)
            ]
            with psycopg.connect(url) as locker:
                locker.execute("SELECT id FROM workshop WHERE id = %s FOR UPDATE", (scene.id,))
                for op_id, args in enumerate(ops, start=1):
                    await a.op(op_id, "item.create", **args)
                waiting = await first_lock_waiter(url, locker.info.backend_pid, "op 1")
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (waiting,))
                assert await a.closed() == 1013
                assert a.rejects == []
                locker.rollback()

            welcome = await a.connect()
            assert welcome["last_op_id"] == 0
            for op_id, args in enumerate(ops, start=1):
                await a.op(op_id, "item.create", **args)
            await a.until_seen(2)
            assert a.rejects == [] and a.acks == []

    asyncio.run(scenario())
    mine = [(e.op_id, e.changes[0]["id"]) for e in log_of(live.engine, scene.id) if e.op_id]
    assert mine == [(1, ids[0]), (2, ids[1])]
