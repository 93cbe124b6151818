"""Snapshot texts shared by a view: members who may read the same checklists share the
encoded rows, and only the rows that name a member are encoded for them. Each text must
be exactly that member's own snapshot, and nothing rendered for one member may reach
another (under Chatham House a name, affiliation or authorship is the member's alone)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roundtable.realtime import snapshot as snapshot_module
from roundtable.realtime.reads import read_catchup, read_snapshot_text
from roundtable.realtime.snapshot import SnapshotCache
from tests.realtime.clients import Live, Scene, make_scene, own_snapshot
from tests.support import Api, ok

POLICIES = ["named", "groups_only", "chatham_house"]
PEOPLE = [  # group, name, affiliation
    (0, "Ana Quillfeather", "Shelter Network of Nowhere"),
    (0, "Ben Marrowgate", "Harbour Relief Collective"),
    (1, "Cat Oxenbridge", "Lantern Legal Aid"),
    (1, "Dan Wrenfield", "Tidewater Clinics"),
]


def compact(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def speak(scene: Scene, api: Api, checklist: int, title: str) -> None:
    """An item of ``api``'s member, a comment on it and a vote for it."""
    base = f"/api/workshops/{scene.id}"
    item = ok(
        api.post(f"{base}/checklists/{checklist}/items", json={"kind": "need", "title": title}), 201
    )
    ok(api.post(f"{base}/items/{item['id']}/comments", json={"body": f"About {title}"}), 201)
    ok(api.put(f"{base}/items/{item['id']}/vote", json={"count": 2}))


def populate(live: Live, policy: str) -> tuple[Scene, list[int]]:
    """Four participants in two groups, each with an item, a comment and a vote, and the
    facilitator with an item on the consolidated list. Returns the member ids, the
    facilitator's last."""
    scene = make_scene(live, attribution=policy)
    members = []
    for group, name, affiliation in PEOPLE:
        api = scene.server.api()
        api.join(scene.groups[group]["join_code"], name, affiliation=affiliation)
        speak(scene, api, scene.checklist(group), f"Point of {name.split()[0]}")
        members.append(int(ok(api.get(f"/api/workshops/{scene.id}/me"))["id"]))
    path = f"/api/workshops/{scene.id}/checklists/{scene.consolidated}/items"
    ok(scene.fac.post(path, json={"kind": "need", "title": "Facilitator's point"}), 201)
    members.append(int(ok(scene.fac.get(f"/api/workshops/{scene.id}/me"))["id"]))
    return scene, members


@pytest.mark.parametrize("policy", POLICIES)
def test_each_shared_text_is_the_members_own_snapshot(live: Live, policy: str) -> None:
    scene, members = populate(live, policy)
    # Breakout: each group its own list; review: theirs and the consolidated one; reveal:
    # every list. Each member is read twice, in both orders, so that every view's pieces
    # are built for one member and reused for the others.
    for fields in ({"phase": "breakout"}, {"phase": "review"}, {"reveal": True}):
        scene.update(**fields)
        cache = SnapshotCache()
        for member in [*members, *reversed(members)]:
            shared = read_snapshot_text(scene.id, member, live.engine, cache)
            alone, visible, _ = own_snapshot(scene.id, member, live.engine)
            assert shared is not None
            assert shared.text == compact(alone), (fields, member)
            assert shared.visible == visible and shared.seq == alone["seq"]
            without_cache = read_snapshot_text(scene.id, member, live.engine)
            assert without_cache is not None and without_cache.text == shared.text


def test_shared_texts_never_cross_audiences(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    scene, members = populate(live, "chatham_house")
    ana, ben, cat, dan, fac = members
    cache = SnapshotCache()

    def text(member: int) -> str:
        shot = read_snapshot_text(scene.id, member, live.engine, cache)
        assert shot is not None
        return shot.text

    def snapshot(member: int) -> dict[str, Any]:
        return dict(json.loads(text(member)))

    # Ana's view is built while rendering for her; Ben shares it and must get none of her.
    ana_text, ben_text = text(ana), text(ben)
    assert "Ana Quillfeather" in ana_text and "Shelter Network of Nowhere" in ana_text
    for secret in ("Ana Quillfeather", "Shelter Network of Nowhere"):
        assert secret not in ben_text
        for other in (cat, dan):
            assert secret not in text(other)
    # And the other way round: built for Ben first (a fresh cache), Ana gets none of his.
    cache = SnapshotCache()
    ben_text, ana_text = text(ben), text(ana)
    assert "Ben Marrowgate" in ben_text and "Ben Marrowgate" not in ana_text
    assert "Harbour Relief Collective" not in ana_text

    for viewer in members:
        shot = snapshot(viewer)
        for row in shot["members"]:
            if row["id"] != viewer:
                assert row.get("anonymous") is True and "affiliation" not in row, row
                assert not any(name in row["display_name"] for _, name, _ in PEOPLE)
        refs = [
            (field, row[field])
            for section in ("items", "comments", "votes")
            for row in shot[section]
            for field in ("created_by", "author_id", "member_id")
            if row.get(field) is not None
        ]
        # Only their own authorship comes back, and they do see it.
        assert all(ref == viewer for _, ref in refs), (viewer, refs)
        if viewer != fac:
            assert {field for field, _ in refs} >= {"created_by", "author_id", "member_id"}

    # Group lists in breakout: another group's points never reach a participant.
    assert "Point of Cat" not in text(ana) and "Point of Ana" not in text(cat)
    assert "Point of Ana" in text(fac) and "Point of Cat" in text(fac)

    # Sharing is real: a second member of a view encodes only the rows that name them
    # (their member row, item, comment and vote), not the workshop again.
    encoded: list[Any] = []
    real = snapshot_module._dumps

    def counting(value: Any) -> str:
        encoded.append(value)
        return real(value)

    cache = SnapshotCache()
    text(ana)
    monkeypatch.setattr(snapshot_module, "_dumps", counting)
    text(ben)
    assert len(encoded) == 4, encoded
    assert all("Ana" not in real(value) for value in encoded)


def test_a_new_head_is_never_served_an_old_text(live: Live) -> None:
    scene, members = populate(live, "chatham_house")
    cache = SnapshotCache()
    first = read_snapshot_text(scene.id, members[0], live.engine, cache)
    assert first is not None
    api = scene.server.api()
    api.join(scene.groups[0]["join_code"], "Eve Latecomer")
    later = read_snapshot_text(scene.id, members[1], live.engine, cache)
    alone, _, _ = own_snapshot(scene.id, members[1], live.engine)
    assert later is not None and later.seq > first.seq
    assert later.text == compact(alone) and later.seq == alone["seq"]


def test_catch_up_carries_the_snapshot_in_its_own_read(live: Live) -> None:
    """A hello that needs a snapshot gets it from the catch-up's read: same head, same
    text as a read of its own; one that needs events gets events, as before."""
    scene, members = populate(live, "chatham_house")
    cache = SnapshotCache()
    head = scene.head()
    for member in members:
        catchup = read_catchup(
            scene.id, member, 0, 500, live.engine, with_snapshot=True, cache=cache
        )
        assert catchup is not None and catchup.events is None and catchup.snapshot is not None
        alone = read_snapshot_text(scene.id, member, live.engine)
        assert alone is not None
        assert catchup.head == catchup.snapshot.seq == head
        assert catchup.snapshot.text == alone.text and catchup.snapshot.visible == alone.visible
        # Without asking, no snapshot (the caller reads it itself).
        plain = read_catchup(scene.id, member, 0, 500, live.engine)
        assert plain is not None and plain.events is None and plain.snapshot is None
        # A client one event behind gets that event, not a snapshot.
        behind = read_catchup(scene.id, member, head - 1, 500, live.engine, with_snapshot=True)
        assert behind is not None and behind.snapshot is None
        assert [e.seq for e in behind.events or []] == [head]
        assert behind.visible == alone.visible  # what it may read, as a snapshot shows
    # Too far behind for events: a snapshot even with a last seq.
    far = read_catchup(scene.id, members[0], 1, 2, live.engine, with_snapshot=True, cache=cache)
    assert far is not None and far.events is None and far.snapshot is not None

    # A removed member gets nothing.
    ok(scene.fac.delete(f"/api/workshops/{scene.id}/members/{members[1]}"), 204)
    assert read_catchup(scene.id, members[1], 0, 500, live.engine, with_snapshot=True) is None
    assert read_snapshot_text(scene.id, members[1], live.engine, cache) is None


def test_texts_at_a_later_seq_reuse_only_unchanged_rows(live: Live) -> None:
    """Each seq's texts reuse the previous seq's encoding of a row only where its values
    are the same: renames, retitles and a change of policy all show at once."""
    scene, members = populate(live, "chatham_house")
    cache = SnapshotCache()
    base = f"/api/workshops/{scene.id}"

    def check() -> None:
        for member in members:
            shared = read_snapshot_text(scene.id, member, live.engine, cache)
            alone, _, _ = own_snapshot(scene.id, member, live.engine)
            assert shared is not None and shared.text == compact(alone), member

    check()
    ana = members[0]
    ok(scene.fac.patch(f"{base}/members/{ana}", json={"display_name": "Ana Renamed"}))
    items = ok(scene.fac.get(f"{base}/checklists/{scene.checklist(0)}/items"))
    ok(scene.fac.patch(f"{base}/items/{items[0]['id']}", json={"title": "Retitled point"}))
    check()
    texts = [read_snapshot_text(scene.id, m, live.engine, cache) for m in members]
    assert "Ana Renamed" in (texts[0].text if texts[0] else "")
    assert all("Ana Renamed" not in (t.text if t else "") for t in texts[1:])
    assert "Retitled point" in (texts[0].text if texts[0] else "")
    scene.update(attribution="named")  # every name shows now, to everyone
    check()
    later = read_snapshot_text(scene.id, members[2], live.engine, cache)
    assert later is not None and "Ana Renamed" in later.text


def test_rows_read_as_columns_are_the_orm_values(live: Live) -> None:
    """``read_rows`` reads members, items, comments and votes as Core rows: the values
    must be those the ORM objects give, in the same order."""
    from sqlmodel import select as orm_select

    from roundtable.checklists.models import Comment, Item, Vote
    from roundtable.db import read_session
    from roundtable.groups.models import Member
    from roundtable.realtime.snapshot import read_rows
    from roundtable.values import comment_values, item_values, member_values, vote_values
    from roundtable.workshops.models import Workshop

    scene, _ = populate(live, "groups_only")
    with read_session(live.engine) as session:
        workshop = session.get(Workshop, scene.id)
        assert workshop is not None
        rows = read_rows(session, workshop)

        def orm(model: Any, *conds: Any) -> list[Any]:
            query = orm_select(model).where(model.workshop_id == scene.id, *conds)
            return list(session.exec(query).all())

        members = orm(Member, Member.removed == False)  # noqa: E712
        items = sorted(orm(Item, Item.deleted == False), key=lambda i: (i.position, i.id))  # noqa: E712
        assert rows.members == [member_values(m) for m in members]
        assert [
            {k: v[k] for k in item_values(i)} for v, i in zip(rows.items, items, strict=True)
        ] == [item_values(i) for i in items]
        assert [v for _, v in rows.comments] == [
            comment_values(c)
            for c in orm(Comment, Comment.deleted == False)  # noqa: E712
        ]
        assert [v for _, v in rows.votes] == [vote_values(v) for v in orm(Vote)]
        assert len(rows.members) == 5 and len(rows.items) == 5 and rows.votes


def test_catch_up_events_carry_what_the_member_may_read(live: Live) -> None:
    """On the events path the catch-up reads readability from columns: the same
    checklists as the member's snapshot shows, in every phase."""
    scene, members = populate(live, "chatham_house")
    path = f"/api/workshops/{scene.id}/checklists/{scene.consolidated}/items"
    for fields in ({"phase": "breakout"}, {"phase": "review"}, {"reveal": True}):
        scene.update(**fields)
        ok(scene.fac.post(path, json={"kind": "need", "title": f"After {fields}"}), 201)
        head = scene.head()
        for member in members:
            catchup = read_catchup(scene.id, member, head - 1, 500, live.engine)
            _, visible, _ = own_snapshot(scene.id, member, live.engine)
            assert catchup is not None and catchup.events is not None, (fields, member)
            assert catchup.visible == visible, (fields, member)


def test_hello_reads_what_the_member_may_read_from_columns(live: Live) -> None:
    """``resolve_hello`` reads the workshop and the checklists as columns: the member,
    head and readable checklists are those of a snapshot, in every phase."""
    from roundtable.realtime.reads import resolve_hello
    from roundtable.security import SESSION_COOKIE

    scene = make_scene(live, attribution="chatham_house")
    apis = [scene.join(0, "Ana"), scene.join(1, "Cat"), scene.fac]
    for fields in ({"phase": "breakout"}, {"phase": "review"}, {"reveal": True}):
        scene.update(**fields)
        for api in apis:
            token = api.client.cookies[SESSION_COOKIE]
            who = resolve_hello(token, scene.id, "client-0001", live.engine)
            me = int(ok(api.get(f"/api/workshops/{scene.id}/me"))["id"])
            alone, visible, _ = own_snapshot(scene.id, me, live.engine)
            assert (who.signed_in, who.workshop_exists, who.member_id) == (True, True, me)
            assert who.visible == visible and who.head == alone["seq"] and who.last_op_id == 0
    assert not resolve_hello("no-such-token", scene.id, "client-0001", live.engine).signed_in
    token = apis[0].client.cookies[SESSION_COOKIE]
    assert not resolve_hello(token, 424242, "client-0001", live.engine).workshop_exists
