"""The attribution policy over the wire: what another participant's screen receives."""

from __future__ import annotations

import asyncio
import json

from tests.realtime.clients import Live, LiveClient, Scene, make_scene, opened, token
from tests.support import ok

ANA = "Ana Quillfeather"
ANA_RENAMED = "Ana Q. Thistlewood"
ANA_AFFILIATION = "Shelter Network of Nowhere"


async def ana_speaks(scene: Scene, a: LiveClient, item: str) -> None:
    """Ana joins in: an item, a comment, a vote and a new name."""
    await a.op(
        1, "item.create", id=item, checklist_id=scene.checklist(0), kind="need", title="Legal aid"
    )
    await a.op(2, "comment.create", id=f"cm-{token()}", item_id=item, body="From day one")
    await a.op(3, "vote.set", item_id=item, count=2)
    await a.op(4, "member.update", id=a.welcome["member_id"], display_name=ANA_RENAMED)  # type: ignore[index]
    await a.until_seen(4)


def run_scene(live: Live, policy: str) -> tuple[Scene, LiveClient, LiveClient, str]:
    scene = make_scene(live, attribution=policy)
    ben = scene.join(0, "Ben")
    item = f"it-{token()}"
    b = scene.client(ben)
    clients: dict[str, LiveClient] = {}

    async def scenario() -> None:
        async with opened(b):
            await b.connect()
            await b.expect("snapshot")
            ana = scene.server.api()
            ana.join(scene.groups[0]["join_code"], ANA, affiliation=ANA_AFFILIATION)
            a = scene.client(ana)
            clients["a"] = a
            async with opened(a):
                await a.connect()
                await a.expect("snapshot")
                await ana_speaks(scene, a, item)
                await b.until_seq(a.last_seq)
                # A later snapshot for each of them, as after a reconnect.
                await b.close()
                await b.connect(last_seq=0)
                await b.expect("snapshot")
                await a.close()
                await a.connect(last_seq=0)
                await a.expect("snapshot")

    asyncio.run(scenario())
    return scene, clients["a"], b, item


def everything(client: LiveClient) -> str:
    return json.dumps(client.messages, ensure_ascii=False)


def test_chatham_house_hides_who_said_what(live: Live) -> None:
    scene, a, b, item = run_scene(live, "chatham_house")
    ana_id = a.welcome["member_id"]  # type: ignore[index]
    text = everything(b)
    for secret in (ANA, ANA_RENAMED, ANA_AFFILIATION, a.client_id):
        assert secret not in text, f"{secret!r} reached another participant"

    theirs = [e for x in b.batches for e in x["events"] if e["kind"] != "member.join"]
    assert [e["kind"] for e in theirs] == [
        "item.create",
        "comment.create",
        "vote.set",
        "member.update",
    ]
    for event in theirs:
        assert event["actor"] is None and event["client_id"] is None and event["op_id"] is None
    values = [e["changes"][0]["values"] for e in theirs]
    assert values[0]["created_by"] is None
    assert values[1]["author_id"] is None
    assert values[2]["member_id"] is None
    assert values[3]["display_name"].startswith("Participant ")
    snapshot = b.snapshots[-1]
    assert [i["created_by"] for i in snapshot["items"] if i["id"] == item] == [None]
    assert all(c["author_id"] is None for c in snapshot["comments"])
    assert all(v["member_id"] is None for v in snapshot["votes"])
    ana_row = next(m for m in snapshot["members"] if m["id"] == ana_id)
    assert ana_row["display_name"].startswith("Participant ") and "affiliation" not in ana_row

    # Ana sees her own name and authorship.
    mine = [e for x in a.batches for e in x["events"] if e["kind"] != "member.join"]
    assert [e["actor"] for e in mine] == [ana_id] * 4
    assert [e["client_id"] for e in mine] == [a.client_id] * 4
    assert mine[0]["changes"][0]["values"]["created_by"] == ana_id
    own = a.snapshots[-1]
    assert next(m for m in own["members"] if m["id"] == ana_id)["display_name"] == ANA_RENAMED
    assert next(i for i in own["items"] if i["id"] == item)["created_by"] == ana_id

    # The REST view of the log applies the same policy.
    ben_view = json.dumps(ok(b.api.get(f"/api/workshops/{scene.id}/events")))
    for secret in (ANA, ANA_RENAMED, ANA_AFFILIATION, a.client_id):
        assert secret not in ben_view


def test_named_shows_names(live: Live) -> None:
    _scene, a, b, item = run_scene(live, "named")
    ana_id = a.welcome["member_id"]  # type: ignore[index]
    text = everything(b)
    assert ANA in text and ANA_RENAMED in text and ANA_AFFILIATION in text
    theirs = [e for x in b.batches for e in x["events"] if e["kind"] != "member.join"]
    assert [e["actor"] for e in theirs] == [ana_id] * 4
    assert theirs[0]["changes"][0]["values"]["created_by"] == ana_id
    snapshot = b.snapshots[-1]
    assert next(m for m in snapshot["members"] if m["id"] == ana_id)["display_name"] == ANA_RENAMED
    assert next(i for i in snapshot["items"] if i["id"] == item)["created_by"] == ana_id
