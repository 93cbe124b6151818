"""Groups (with their join codes) and members: happy paths and the errors that apply."""

from __future__ import annotations

from tests.api.checks import refuse_all
from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop


def test_groups(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    base = f"/api/workshops/{ws['id']}"
    new = {"name": "Group B", "colour": "#aa0000", "focus_themes": ["children", "children "]}
    made = ok(fac.post(f"{base}/groups", json=new), 201)
    assert made["name"] == "Group B" and made["colour"] == "#aa0000" and made["join_code"]
    assert made["focus_themes"] == ["children"]
    checklist = {"id": made["checklist_id"], "group_id": made["id"], "title": "Group B"}
    assert checklist in ok(fac.get(f"{base}/checklists"))
    assert [g["name"] for g in ok(fac.get(f"{base}/groups"))] == ["Group A", "Group B"]

    one = f"{base}/groups/{made['id']}"
    update = {"name": "Group Beta", "focus_themes": ["protection"]}
    updated = ok(fac.patch(one, json=update))
    assert updated["name"] == "Group Beta" and updated["focus_themes"] == ["protection"]
    assert updated["checklist_id"] == made["checklist_id"]
    assert updated["join_code"] == made["join_code"]
    rotated = ok(fac.post(f"{one}/rotate-code"))
    assert rotated["join_code"] != made["join_code"] and rotated["name"] == "Group Beta"
    # fmt: off
    refuse_all(fac, [
        ("POST", f"{base}/groups", {"name": "C", "focus_themes": ["nope"]},
         "422 invalid args.focus_themes: unknown theme 'nope'"),
        ("POST", f"{base}/groups", {"name": "C", "colour": "red"},
         "422 invalid body.colour: String should match pattern"),
        ("POST", f"{base}/groups", {"name": ""},
         "422 invalid body.name: String should have at least 1 character"),
        ("POST", f"{base}/groups", {"name": "C", "join_code": "AAAAAA"},
         "422 invalid body.join_code: Extra inputs are not permitted"),
        ("PATCH", one, {"focus_themes": ["x"]}, "422 invalid args.focus_themes: unknown theme 'x'"),
        ("PATCH", one, {"name": None}, "422 invalid args.name: may not be null"),
        ("PATCH", one, {}, "422 invalid args: name at least one field to change"),
        ("PATCH", f"{base}/groups/999999", {"name": "x"},
         "404 not_found group 999999 does not exist in this workshop"),
        ("POST", f"{base}/groups/999999/rotate-code", None,
         "404 not_found group 999999 does not exist"),
        ("DELETE", f"{base}/groups/999999", None, "404 not_found group 999999 does not exist"),
    ])
    # fmt: on
    ben = person(apps, fac)
    ben_id = ben.join(rotated["join_code"], "Ben")["member"]["id"]
    assert fac.delete(one).status_code == 204
    assert [g["name"] for g in ok(fac.get(f"{base}/groups"))] == ["Group A"]
    # Its people stay, in no group, and stop writing to its checklist.
    assert ok(ben.get(f"{base}/me"))["group_id"] is None
    assert ok(ben.get(f"{base}/checklists")) == []
    items = f"{base}/checklists/{made['checklist_id']}/items"
    refuse_all(ben, [("POST", items, {"kind": "need", "title": "x"}, "404 not_found checklist")])
    assert ok(fac.get(items)) == []
    event = ok(fac.get(f"{base}/events"))[-1]
    assert event["kind"] == "group.delete"
    unassigned = {"id": ben_id, "number": 2, "role": "participant", "group_id": None}
    assert {"entity": "member", "id": ben_id, "values": unassigned} in event["changes"]
    refuse_all(fac, [("DELETE", one, None, f"404 not_found group {made['id']} does not exist")])


def test_members(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=2)
    wid = ws["id"]
    base = f"/api/workshops/{wid}"
    group_a, group_b = ws["groups"]
    ana, ben = person(apps, fac), person(apps, fac)
    ana_id = ana.join(group_a["join_code"], "Ana", affiliation="Shelter")["member"]["id"]
    ben_id = ben.join(group_b["join_code"], "Ben")["member"]["id"]
    members = ok(fac.get(f"{base}/members"))
    assert [(m["display_name"], m["role"], m["number"]) for m in members] == [
        ("Facilitator", "facilitator", 1),
        ("Ana", "participant", 2),
        ("Ben", "participant", 3),
    ]
    fac_id = members[0]["id"]
    mine = ok(ana.get(f"{base}/me"))
    assert mine["id"] == ana_id and mine["affiliation"] == "Shelter"

    rename = {"display_name": "Ana M.", "affiliation": ""}
    renamed = ok(ana.patch(f"{base}/members/{ana_id}", json=rename))
    assert renamed["display_name"] == "Ana M." and renamed["affiliation"] == ""
    assert ok(ana.get(f"{base}/me"))["display_name"] == "Ana M."
    ana_url, fac_url = f"{base}/members/{ana_id}", f"{base}/members/{fac_id}"
    # fmt: off
    refuse_all(ana, [
        ("PATCH", f"{base}/members/{ben_id}", {"display_name": "Ben?"},
         "403 forbidden you can only change your own name"),
        ("PATCH", ana_url, {"group_id": group_b["id"]},
         "403 forbidden only facilitators can change a member's group_id"),
        ("PATCH", ana_url, {"role": "facilitator"},
         "403 forbidden only facilitators can change a member's role"),
        ("PATCH", ana_url, {}, "422 invalid args: name at least one field to change"),
        ("PATCH", ana_url, {"display_name": None},
         "422 invalid args.display_name: may not be null"),
        ("PATCH", ana_url, {"display_name": "A" * 81},
         "422 invalid body.display_name: String should have at most 80 characters"),
        ("PATCH", ana_url, {"role": "owner"}, "422 invalid body.role: Input should be"),
        ("DELETE", f"{base}/members/{ben_id}", None, "403 forbidden only facilitators can do this"),
    ])
    refuse_all(fac, [
        ("PATCH", ana_url, {"group_id": 999999}, "404 not_found group 999999 does not exist"),
        ("PATCH", fac_url, {"role": "participant"},
         "403 forbidden facilitators cannot change their own role"),
        ("DELETE", fac_url, None, "403 forbidden facilitators cannot remove themselves"),
        ("PATCH", f"{base}/members/999999", {"display_name": "x"},
         "404 not_found member 999999 does not exist in this workshop"),
    ])
    # fmt: on

    moved = ok(fac.patch(ana_url, json={"group_id": group_b["id"], "role": "observer"}))
    assert moved["group_id"] == group_b["id"] and moved["role"] == "observer"
    unassigned = ok(fac.patch(ana_url, json={"group_id": None, "role": "participant"}))
    assert unassigned["group_id"] is None and unassigned["role"] == "participant"

    # Removing a member ends their access.
    assert fac.delete(f"{base}/members/{ben_id}").status_code == 204
    gone = f"404 not_found workshop {wid} does not exist or you are not a member"
    refuse_all(ben, [("GET", f"{base}/checklists", None, gone)])
    assert ok(ben.get("/api/workshops")) == []
    assert ok(ben.get("/api/auth/me"))["member"] is None
    refuse_all(fac, [("DELETE", f"{base}/members/{ben_id}", None, "404 not_found member")])
    assert ben_id not in [m["id"] for m in ok(fac.get(f"{base}/members"))]
