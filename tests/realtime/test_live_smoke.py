from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support import LiveServer, WsClient, create_facilitator_account, ok, setup_workshop


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    create_facilitator_account(database_url)
    srv = LiveServer(database_url).start()
    yield srv
    srv.stop()


def test_edit_reaches_other_member_live(server: LiveServer) -> None:
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac)
    group = ws["groups"][0]
    ana, ben = server.api(), server.api()
    ana.join(group["join_code"], "Ana")
    ben.join(group["join_code"], "Ben")

    async def scenario() -> None:
        a, b = WsClient(server, ana, ws["id"]), WsClient(server, ben, ws["id"])
        assert (await a.connect())["mode"] == "snapshot"
        await a.recv_until(lambda m: m["type"] == "snapshot")
        await b.connect()
        await b.recv_until(lambda m: m["type"] == "snapshot")
        await a.send(
            {
                "type": "op",
                "op_id": 1,
                "kind": "item.create",
                "args": {
                    "id": "item-0001",
                    "checklist_id": group["checklist_id"],
                    "kind": "need",
                    "title": "Safe shelter",
                },
            }
        )
        await b.recv_until(lambda m: m["type"] == "events")
        assert b.entities["item"]["item-0001"]["title"] == "Safe shelter"
        await a.recv_until(lambda m: m["type"] == "events")
        assert 1 in a.seen_ops
        await a.close()
        await b.close()

    asyncio.run(scenario())
