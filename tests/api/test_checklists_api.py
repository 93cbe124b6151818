"""Checklists, items (versions, moves, deletion, history), comments and votes."""

from __future__ import annotations

from typing import Any

from tests.api.checks import refuse_all, refused
from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop


def test_items_versions_and_history(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    wid, checklist = ws["id"], ws["groups"][0]["checklist_id"]
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    base = f"/api/workshops/{wid}"
    items = f"{base}/checklists/{checklist}/items"
    lists = ok(ana.get(f"{base}/checklists"))
    assert lists == [{"id": checklist, "group_id": ws["groups"][0]["id"], "title": "Group A"}]

    new = {
        "kind": "need",
        "title": "  Interpreters at screening ",
        "detail": "In the person's own language",
        "themes": ["identification", " identification", ""],
        "actors": ["law_enforcement"],
        "references": ["ACTIP Art. 14"],
    }
    response = ana.post(items, json=new)
    first = ok(response, 201)
    assert first["title"] == "Interpreters at screening" and first["themes"] == ["identification"]
    assert first["status"] == "open" and first["flags"] == [] and first["merged_into"] is None
    assert response.headers["etag"] == f'"{first["updated_seq"]}"'
    own_id = {"id": "client-made-0001", "kind": "practice", "title": "Second", "position": "a"}
    mine = ok(ana.post(items, json=own_id), 201)
    assert mine["id"] == "client-made-0001" and mine["position"] == "a"
    assert [i["id"] for i in ok(ana.get(items))] == [first["id"], mine["id"]]
    # fmt: off
    refuse_all(ana, [
        ("POST", items, {"id": "client-made-0001", "kind": "need", "title": "Again"},
         "409 conflict args.id: an item 'client-made-0001' exists already"),
        ("POST", items, {"kind": "need", "title": "x", "themes": ["nope"]},
         "422 invalid args.themes: unknown theme 'nope'"),
        ("POST", items, {"kind": "need", "title": "x", "actors": ["aliens"]},
         "422 invalid args.actors: unknown actor 'aliens'; use one of government,"),
        ("POST", items, {"kind": "wish", "title": "x"},
         "422 invalid body.kind: Input should be 'need', 'response' or 'practice'"),
        ("POST", items, {"kind": "need"}, "422 invalid body.title: Field required"),
        ("POST", items, {"kind": "need", "title": "x", "id": "short"},
         "422 invalid body.id: String should match pattern"),
        ("POST", items, {"kind": "need", "title": "x", "references": ["r" * 301]},
         "422 invalid body.references.0: String should have at most 300 characters"),
        ("POST", items, {"kind": "need", "title": "x", "status": "done"},
         "422 invalid body.status: Input should be 'open', 'parked' or 'agreed'"),
        ("POST", f"{base}/checklists/999999/items", {"kind": "need", "title": "x"},
         "404 not_found checklist 999999 does not exist in this workshop"),
        ("GET", f"{base}/checklists/999999/items", None,
         "404 not_found checklist 999999 does not exist in this workshop"),
    ])
    # fmt: on

    # Versions: the ETag is the item's updated_seq; a stale If-Match changes nothing.
    item = f"{base}/items/{first['id']}"
    got = ana.get(item)
    assert ok(got) == first and got.headers["etag"] == f'"{first["updated_seq"]}"'
    etag = got.headers["etag"]
    edit = {"title": "Interpreters", "status": "agreed"}
    edited = ana.patch(item, json=edit, headers={"If-Match": etag})
    assert ok(edited)["title"] == "Interpreters" and ok(edited)["status"] == "agreed"
    new_etag = edited.headers["etag"]
    assert new_etag != etag
    for method, body in (("PATCH", {"json": {"title": "Stale write"}}), ("DELETE", {})):
        stale = ana.request(method, item, headers={"If-Match": etag}, **body)
        version = f"at version {new_etag.strip(chr(34))}, not {etag.strip(chr(34))}"
        refused(stale, 412, "stale", f"item {first['id']} is {version}")
        still = ana.get(item)
        assert ok(still) == ok(edited) and still.headers["etag"] == new_etag
    weak = ana.patch(item, json={"detail": None}, headers={"If-Match": f"W/{new_etag}"})
    assert ok(weak)["detail"] == ""
    assert ok(ana.patch(item, json={"kind": "response"}, headers={"If-Match": "*"}))["kind"]
    # fmt: off
    refuse_all(ana, [
        ("PATCH", item, {}, "422 invalid args: name at least one field to change"),
        ("PATCH", item, {"title": None}, "422 invalid args.title: may not be null"),
        ("PATCH", item, {"themes": ["nope"]}, "422 invalid args.themes: unknown theme 'nope'"),
        ("PATCH", item, {"checklist_id": 1},
         "422 invalid body.checklist_id: Extra inputs are not permitted"),
        ("PATCH", f"{base}/items/no-such-item", {"title": "x"},
         "404 not_found item no-such-item does not exist in this workshop"),
    ])
    # fmt: on
    for bad in ("yesterday", '"1", "2"', '"-1"', "9" * 5000):
        response = ana.patch(item, json={"title": "x"}, headers={"If-Match": bad})
        refused(response, 422, "invalid", 'If-Match: expected an item version such as "57"')

    # Moving: fractional keys order the list.
    moved = ana.post(f"{item}/move", json={"position": "Z"})
    assert ok(moved)["position"] == "Z"
    assert moved.headers["etag"] == f'"{ok(moved)["updated_seq"]}"'
    assert [i["id"] for i in ok(ana.get(items))] == [first["id"], mine["id"]]
    ok(ana.post(f"{item}/move", json={"position": "b"}))
    assert [i["id"] for i in ok(ana.get(items))] == [mine["id"], first["id"]]
    for bad in ("", "a0", "a b", "!", "z" * 65):
        response = ana.post(f"{item}/move", json={"position": bad})
        refused(response, 422, "invalid", "body.position: ")
    refuse_all(ana, [("POST", f"{item}/move", {}, "422 invalid body.position: Field required")])

    # Deleting keeps the history; restoring brings the item back as it was.
    assert ana.delete(item).status_code == 204
    assert [i["id"] for i in ok(ana.get(items))] == [mine["id"]]
    gone = f"404 not_found item {first['id']} does not exist in this workshop"
    # fmt: off
    refuse_all(ana, [
        ("GET", item, None, gone),
        ("DELETE", item, None, gone),
        ("PATCH", item, {"title": "x"}, gone),
        ("POST", f"{item}/move", {"position": "c"}, gone),
        ("GET", f"{item}/comments", None, gone),
    ])
    # fmt: on
    restored = ana.post(f"{item}/restore")
    assert ok(restored)["title"] == "Interpreters" and ok(restored)["position"] == "b"
    assert restored.headers["etag"] == f'"{ok(restored)["updated_seq"]}"'
    # fmt: off
    refuse_all(ana, [
        ("POST", f"{item}/restore", None,
         f"409 conflict args.id: item {first['id']} is not deleted"),
        ("POST", f"{base}/items/no-such-item/restore", None,
         "404 not_found item no-such-item does not exist"),
        ("GET", f"{base}/items/no-such-item/history", None,
         "404 not_found item no-such-item does not exist"),
    ])
    # fmt: on

    history = ok(ana.get(f"{item}/history"))
    assert [e["kind"] for e in history] == [
        "item.create",
        "item.update",
        "item.update",
        "item.update",
        "item.move",
        "item.move",
        "item.delete",
        "item.restore",
    ]
    assert history[0]["changes"][0]["values"]["title"] == "Interpreters at screening"
    assert history[1]["changes"][0]["values"]["title"] == "Interpreters"
    assert all(e["changes"][0]["id"] == first["id"] for e in history)


def test_comments(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    wid, checklist = ws["id"], ws["groups"][0]["checklist_id"]
    base = f"/api/workshops/{wid}"
    ana, ben = person(apps, fac), person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    ben.join(ws["groups"][0]["join_code"], "Ben")
    new = {"kind": "need", "title": "x"}
    item = ok(ana.post(f"{base}/checklists/{checklist}/items", json=new), 201)
    comments = f"{base}/items/{item['id']}/comments"

    first = ok(ana.post(comments, json={"body": "  Also for men  "}), 201)
    assert first["body"] == "Also for men" and first["item_id"] == item["id"]
    assert first["created_seq"] == first["updated_seq"]
    second = ok(ben.post(comments, json={"id": "ben-comment-1", "body": "Agreed"}), 201)
    assert second["id"] == "ben-comment-1"
    assert [c["id"] for c in ok(fac.get(comments))] == [first["id"], "ben-comment-1"]

    edited = ok(ana.patch(f"{base}/comments/{first['id']}", json={"body": "Men and boys"}))
    assert edited["body"] == "Men and boys" and edited["updated_seq"] > first["updated_seq"]
    theirs = f"{base}/comments/{first['id']}"
    # fmt: off
    refuse_all(ben, [
        ("POST", comments, {"id": "ben-comment-1", "body": "Again"},
         "409 conflict args.id: a comment 'ben-comment-1' exists already"),
        ("POST", comments, {"body": ""},
         "422 invalid body.body: String should have at least 1 character"),
        ("POST", comments, {"body": "x" * 5001},
         "422 invalid body.body: String should have at most 5000 characters"),
        ("POST", f"{base}/items/no-such-item/comments", {"body": "x"},
         "404 not_found item no-such-item does not exist"),
        ("PATCH", theirs, {"body": "Mine now"},
         "403 forbidden you can only change your own comments"),
        ("DELETE", theirs, None, "403 forbidden you can only change your own comments"),
        ("PATCH", theirs, {}, "422 invalid body.body: Field required"),
        ("PATCH", f"{base}/comments/no-such-comment", {"body": "x"},
         "404 not_found comment no-such-comment does not exist"),
    ])
    # fmt: on

    # Facilitators moderate; authors may not edit once comments close.
    assert fac.delete(f"{base}/comments/ben-comment-1").status_code == 204
    gone = "404 not_found comment ben-comment-1 does not exist"
    refuse_all(ben, [("DELETE", f"{base}/comments/ben-comment-1", None, gone)])
    ok(fac.patch(base, json={"phase": "published"}))
    closed = "403 forbidden comments are closed in the published phase"
    refuse_all(ana, [("PATCH", theirs, {"body": "Later"}, closed)])
    refuse_all(ana, [("POST", comments, {"body": "Later"}, closed)])
    assert [c["body"] for c in ok(ana.get(comments))] == ["Men and boys"]
    assert ok(fac.patch(theirs, json={"body": "Redacted"}))["body"] == "Redacted"


def test_votes_and_tallies(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    wid, checklist = ws["id"], ws["groups"][0]["checklist_id"]
    base = f"/api/workshops/{wid}"
    ana, ben, olga = person(apps, fac), person(apps, fac), person(apps, fac)
    code = ws["groups"][0]["join_code"]
    ana_id = ana.join(code, "Ana")["member"]["id"]
    ben.join(code, "Ben")
    olga.join(code, "Olga", observer=True)
    ok(fac.patch(base, json={"vote_budget": 5}))
    new = {"kind": "need", "title": "x"}
    one, two, three = (
        ok(ana.post(f"{base}/checklists/{checklist}/items", json=new), 201)["id"] for _ in range(3)
    )
    tallies = f"{base}/checklists/{checklist}/votes"
    assert ok(ana.get(tallies)) == []

    def vote(api: Api, item: str, count: int) -> Any:
        return ok(api.put(f"{base}/items/{item}/vote", json={"count": count}))

    given = vote(ana, one, 3)
    assert given == {
        "id": given["id"],
        "item_id": one,
        "checklist_id": checklist,
        "member_id": ana_id,
        "count": 3,
    }
    vote(ana, two, 2)
    vote(ben, one, 1)
    expected = [{"item_id": one, "total": 4, "mine": 3}, {"item_id": two, "total": 2, "mine": 2}]
    assert ok(ana.get(tallies)) == sorted(expected, key=lambda t: str(t["item_id"]))
    over = "409 over_budget args.count: 1 votes exceed your budget; you have 0 left of 5"
    refuse_all(ana, [("PUT", f"{base}/items/{three}/vote", {"count": 1}, over)])
    # Changing a vote counts what it replaces; 0 takes the votes back.
    assert vote(ana, one, 2) and vote(ana, three, 1)
    assert vote(ana, three, 0) is None
    # fmt: off
    refuse_all(ana, [
        ("PUT", f"{base}/items/{three}/vote", {"count": 0},
         "422 invalid args.count: you have no votes on this item to remove"),
        ("PUT", f"{base}/items/{one}/vote", {"count": -1},
         "422 invalid body.count: Input should be greater than or equal to 0"),
        ("PUT", f"{base}/items/{one}/vote", {"count": "many"},
         "422 invalid body.count: Input should be a valid integer"),
        ("PUT", f"{base}/items/no-such-item/vote", {"count": 1},
         "404 not_found item no-such-item does not exist"),
        ("GET", f"{base}/checklists/999999/votes", None,
         "404 not_found checklist 999999 does not exist"),
    ])
    refuse_all(olga, [
        ("PUT", f"{base}/items/{one}/vote", {"count": 1}, "403 forbidden observers cannot vote"),
    ])
    # fmt: on
    totals = [(t["item_id"], t["total"]) for t in ok(olga.get(tallies))]
    assert totals == [(t["item_id"], t["total"]) for t in ok(ana.get(tallies))] != []

    # A deleted item's votes stop counting, for the tallies and for the budget, until
    # the item comes back.
    ok(ana.delete(f"{base}/items/{one}"), 204)
    assert [t["item_id"] for t in ok(ana.get(tallies))] == [two]
    assert vote(ana, three, 3)
    ok(ana.post(f"{base}/items/{one}/restore"))
    assert {t["item_id"]: t["mine"] for t in ok(ana.get(tallies))} == {one: 2, two: 2, three: 3}

    ok(fac.patch(base, json={"phase": "consolidation"}))
    closed = "403 forbidden voting is open in the breakout and review phases, not in consolidation"
    refuse_all(ben, [("PUT", f"{base}/items/{two}/vote", {"count": 1}, closed)])
