"""Redaction on the live path (a real uvicorn server, real WebSocket clients): connected
clients are sent the redacted values and a ``redaction`` change naming the item, and no
client, connected or catching up from the log afterwards, is sent the text again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from tests.support import LiveServer, WsClient, create_facilitator_account, ok, setup_workshop

PHONE = "+66 81 555 0142"


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    create_facilitator_account(database_url)
    srv = LiveServer(database_url).start()
    yield srv
    srv.stop()


def test_connected_clients_replace_their_copies(server: LiveServer) -> None:
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac, groups=1)
    wid, group = ws["id"], ws["groups"][0]
    ana, ben = server.api(), server.api()
    ana.join(group["join_code"], "Ana")
    ben.join(group["join_code"], "Ben")

    async def scenario() -> None:
        a, b = WsClient(server, ana, wid), WsClient(server, ben, wid)
        for client in (a, b):
            await client.connect()
            await client.recv_until(lambda m: m["type"] == "snapshot")
        start = b.last_seq
        await a.send(
            {
                "type": "op",
                "op_id": 1,
                "kind": "item.create",
                "args": {
                    "id": "item-phone-001",
                    "checklist_id": group["checklist_id"],
                    "kind": "need",
                    "title": "Follow up with the girl",
                    "detail": f"Her aunt's mobile is {PHONE}",
                },
            }
        )
        await b.recv_until(lambda m: m["type"] == "events")
        held = b.entities["item"]["item-phone-001"]
        assert PHONE in held["detail"] and held["flags"] == ["personal_data"]
        seen_before = len(b.messages)

        ok(fac.post(f"/api/workshops/{wid}/safeguards/flags/item/item-phone-001/redact"))

        message = await b.recv_until(
            lambda m: (
                m["type"] == "events" and any(e["kind"] == "safeguards.redact" for e in m["events"])
            )
        )
        [event] = [e for e in message["events"] if e["kind"] == "safeguards.redact"]
        marker = [c for c in event["changes"] if c["entity"] == "redaction"]
        assert marker == [
            {
                "entity": "redaction",
                "id": "item-phone-001",
                "values": {"of": "item", "kinds": ["phone"]},
            }
        ]
        now = b.entities["item"]["item-phone-001"]
        assert now["detail"] == "Her aunt's mobile is [redacted]" and now["flags"] == []
        assert all(PHONE not in json.dumps(m) for m in b.messages[seen_before:])

        # A client catching up from before the item was written reads the rewritten log.
        late = WsClient(server, ben, wid, client_id=b.client_id)
        late.last_seq = start
        welcome = await late.connect()
        assert welcome["mode"] == "events"
        await late.recv_until(lambda m: m["type"] == "events" and m["to"] >= welcome["head_seq"])
        assert PHONE not in json.dumps(late.messages)
        assert late.entities["item"]["item-phone-001"]["detail"].endswith("[redacted]")
        # And the REST log says the same.
        log = ok(ben.get(f"/api/workshops/{wid}/events"))
        assert PHONE not in json.dumps(log)
        for client in (a, b, late):
            await client.close()

    asyncio.run(scenario())


def test_archived_workshop_is_read_only_live(server: LiveServer) -> None:
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac, groups=1)
    wid, group = ws["id"], ws["groups"][0]
    ana = server.api()
    ana.join(group["join_code"], "Ana")
    archived = ok(fac.put(f"/api/workshops/{wid}/archive", json={"archived": True}))
    assert archived["archived_at"]

    async def scenario() -> None:
        a = WsClient(server, ana, wid)
        await a.connect()
        await a.recv_until(lambda m: m["type"] == "snapshot")
        assert a.entities["workshop"][wid]["archived_at"] == archived["archived_at"]
        await a.send(
            {
                "type": "op",
                "op_id": 1,
                "kind": "item.create",
                "args": {"checklist_id": group["checklist_id"], "kind": "need", "title": "x"},
            }
        )
        reject = await a.recv_until(lambda m: m["type"] == "reject")
        assert reject["code"] == "forbidden" and "archived" in reject["message"]
        await a.close()

    asyncio.run(scenario())
