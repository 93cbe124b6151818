"""Joiners share a recent snapshot: while the head moves (others write, others join),
a member saying hello is sent the snapshot at the seq of the rows the room last read,
when that is close enough behind the head, then the events since, as any live client.
Never across a change of who may read what, a redaction or erased names."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select
from sqlmodel import col

from roundtable.db import read_session
from roundtable.realtime.hub import PURGING_KINDS
from roundtable.realtime.reads import read_snapshot_text
from roundtable.realtime.snapshot import RESETTING_KINDS, SnapshotCache
from roundtable.workshops.models import Workshop
from tests.realtime.clients import Live, LiveClient, make_scene, opened, rows_of, token
from tests.realtime.test_join_snapshot import counting
from tests.support import ok

PHONE = "+66 81 555 0142"


def _item(
    scene_id: int, checklist: int, title: str, detail: str = ""
) -> tuple[str, dict[str, str]]:
    path = f"/api/workshops/{scene_id}/checklists/{checklist}/items"
    return path, {"kind": "need", "title": title, "detail": detail}


def test_the_kinds_that_rewrite_the_log_are_never_shared_across() -> None:
    # The hub drops its copies of past events for these; a shared snapshot must not
    # stand in across them either.
    assert PURGING_KINDS <= RESETTING_KINDS


def test_a_recent_read_is_shared_within_the_lag(live: Live) -> None:
    scene = make_scene(live, attribution="chatham_house")
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
    members = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in (ana, ben)]
    cache = SnapshotCache()
    first = read_snapshot_text(scene.id, members[0], live.engine, cache)
    assert first is not None
    path, body = _item(scene.id, scene.checklist(0), "Shelter")
    for n in range(3):
        ok(ana.post(path, json={**body, "title": f"Shelter {n}"}), 201)
    head = scene.head()
    assert head == first.seq + 3

    with counting(live.engine) as statements:
        shared = read_snapshot_text(scene.id, members[1], live.engine, cache, shared_lag=10)
    assert shared is not None and shared.seq == first.seq
    # The head, the member and a look at the log since: no rows of the workshop again.
    assert len(statements) <= 4, statements
    assert not [s for s in statements if "FROM item" in s or "FROM checklist" in s]
    assert shared.text.startswith('{"type":"snapshot","seq":%d,' % first.seq)
    assert "Shelter 0" not in shared.text

    # Too far behind, or behind what the connection already has: read at the head.
    rows = cache.at(first.seq)
    assert rows is not None
    for lag, not_before in ((2, 0), (10, first.seq + 1)):
        old = SnapshotCache()
        old.keep(rows)
        fresh = read_snapshot_text(
            scene.id, members[1], live.engine, old, shared_lag=lag, not_before=not_before
        )
        assert fresh is not None and fresh.seq == head, (lag, not_before)
    # Without ``shared_lag`` nothing changes: the head, always.
    old = SnapshotCache()
    old.keep(rows)
    plain = read_snapshot_text(scene.id, members[1], live.engine, old)
    assert plain is not None and plain.seq == head


def _shared_after(live: Live, scene_id: int, change: Callable[[], None], *members: int) -> None:
    """Caches the rows at the head for ``members[0]``, runs ``change``, and checks that
    ``members[1]``, even allowed to share, is read at the new head."""
    cache = SnapshotCache()
    first = read_snapshot_text(scene_id, members[0], live.engine, cache)
    assert first is not None
    change()
    with read_session(live.engine) as session:
        head = session.execute(
            select(col(Workshop.head_seq)).where(col(Workshop.id) == scene_id)
        ).scalar_one()
    assert first.seq < head <= first.seq + 3
    later = read_snapshot_text(scene_id, members[1], live.engine, cache, shared_lag=100)
    assert later is not None and later.seq == head
    assert PHONE not in later.text


def test_never_shared_across_a_redaction(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
    members = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in (ana, ben)]
    path, body = _item(scene.id, scene.checklist(0), "Follow up", f"Her mobile is {PHONE}")
    item = ok(ana.post(path, json=body), 201)
    redact = f"/api/workshops/{scene.id}/safeguards/flags/item/{item['id']}/redact"
    _shared_after(live, scene.id, lambda: ok(scene.fac.post(redact)), *members)


def test_never_shared_across_a_resync(live: Live) -> None:
    # After a resync a connection is re-snapshotted from its seq: from rows before it,
    # it would meet the resync again, and again.
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(1, "Ben")
    members = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in (ana, ben)]
    _shared_after(live, scene.id, lambda: scene.update(reveal=True), *members)


def test_never_shared_across_a_new_attribution_policy(live: Live) -> None:
    scene = make_scene(live)
    ana, ben = scene.join(0, "Ana"), scene.join(0, "Ben")
    members = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in (ana, ben)]
    _shared_after(live, scene.id, lambda: scene.update(attribution="chatham_house"), *members)


def test_a_crowd_joining_while_others_write_converges(live: Live) -> None:
    """Newcomers connecting at once while a member writes: each is sent a snapshot (at
    the head, or shared at a recent seq) and the events after it, and ends up with what
    the database holds, rendered under Chatham House for them."""
    scene = make_scene(live, attribution="chatham_house")
    ana = scene.join(0, "Ana")
    path, body = _item(scene.id, scene.checklist(0), "Shelter")
    ok(ana.post(path, json=body), 201)
    crowd = [scene.join(n % 2, f"Newcomer {n}") for n in range(12)]

    async def scenario() -> None:
        a = scene.client(ana)
        clients = [scene.client(api, f"new-{n}-{token()}") for n, api in enumerate(crowd)]
        async with opened(a, *clients):
            await a.connect()
            await a.expect("snapshot")

            async def write() -> None:
                for n in range(20):
                    await a.op(n + 1, "item.create", id=f"it-{token()}", kind="need",
                               checklist_id=scene.checklist(0), title=f"Legal aid {n}")  # fmt: skip
                    await asyncio.sleep(0.01)
                await a.until_seen(20)

            async def join(client: LiveClient) -> None:
                welcome = await client.connect()
                assert welcome["mode"] == "snapshot"
                shot = await client.expect("snapshot")
                assert shot["seq"] <= welcome["head_seq"]

            await asyncio.gather(write(), *(join(c) for c in clients))
            scene.update(description="barrier")  # an event every reader is sent
            head = scene.head()
            for n, client in enumerate(clients):
                await client.until_seq(head)
                group = scene.checklist(n % 2)
                want = rows_of(live.engine, scene.id, {group}).items
                held = client.items()
                assert {i: (v["title"], v["updated_seq"]) for i, v in held.items()} == {
                    i: (v["title"], v["updated_seq"]) for i, v in want.items()
                }, f"newcomer {n} diverged"
                # Ana's items name nobody to them; each holds its own name.
                assert all(v.get("created_by") is None for v in held.values())
                me = client.welcome["member_id"]  # type: ignore[index]
                assert client.entities["member"][me]["display_name"] == f"Newcomer {n}"
                names = {m.get("display_name") for m in client.entities["member"].values()}
                assert "Ana" not in names

    asyncio.run(scenario())
