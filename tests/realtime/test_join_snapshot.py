"""Snapshots for a crowd joining at one seq: the workshop's rows are read once, and each
member's text is cut from them, the same as a snapshot read for that member alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from roundtable.realtime.reads import read_snapshot_text
from roundtable.realtime.snapshot import SnapshotCache
from tests.realtime.clients import Live, make_scene, own_snapshot
from tests.support import ok


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_members_joining_at_one_seq_share_one_read(live: Live) -> None:
    scene = make_scene(live, attribution="chatham_house")
    item = {"kind": "need", "title": "Shelter"}
    path = f"/api/workshops/{scene.id}/checklists/{scene.checklist(0)}/items"
    apis = [scene.join(0, "Ana"), scene.join(0, "Ben"), scene.join(1, "Cat")]
    ok(apis[0].post(path, json=item), 201)
    members = [ok(api.get(f"/api/workshops/{scene.id}/me"))["id"] for api in apis]
    cache = SnapshotCache()

    first = read_snapshot_text(scene.id, members[0], live.engine, cache)
    assert first is not None
    rows = cache.at(first.seq)
    assert rows is not None
    for member in members:
        with counting(live.engine) as statements:
            shared = read_snapshot_text(scene.id, member, live.engine, cache)
        alone, alone_visible, _ = own_snapshot(scene.id, member, live.engine)
        # What each member is sent is exactly what a read of their own gives...
        assert shared is not None
        assert json.loads(shared.text) == alone and shared.visible == alone_visible
        # ...reading the head and the member only (and SQLite's BEGIN): the rest came
        # from the first read.
        assert len(statements) <= 3, statements
        assert not [s for s in statements if "FROM item" in s or "FROM checklist" in s]
        assert cache.at(first.seq) is rows

    # Each was rendered for its viewer: under Chatham House only Ana's own item names her.
    ana, ben, cat = (
        json.loads(shot.text)
        for shot in (read_snapshot_text(scene.id, m, live.engine, cache) for m in members)
        if shot is not None
    )
    shelter = {i["id"] for s in (ana, ben) for i in s["items"] if i["title"] == "Shelter"}
    assert len(shelter) == 1
    by = [next(i for i in s["items"] if i["title"] == "Shelter")["created_by"] for s in (ana, ben)]
    assert by == [members[0], None]
    assert all(i["title"] != "Shelter" for i in cat["items"])  # another group's list

    # A new seq is read afresh.
    ok(apis[1].post(path, json={"kind": "need", "title": "Legal aid"}), 201)
    later = read_snapshot_text(scene.id, members[1], live.engine, cache)
    assert later is not None
    assert later.seq > first.seq and cache.at(later.seq) is not rows
    assert "Legal aid" in [i["title"] for i in json.loads(later.text)["items"]]
