"""Publishing editions: stable codes, the diff, immutability, the public read, refusals."""

from __future__ import annotations

import json

import pytest

from tests.publishing.world import World, build_world
from tests.support import Api, AppFactory, error_of, ok


@pytest.fixture
def world(apps: AppFactory, fac: Api) -> World:
    w = build_world(apps, fac)
    w.item("screen", "Screen every arrival", themes=["identification"], actors=["immigration"])
    w.item("shelter", "Shelters for adults", themes=["protection"], kind="response")
    w.item("interpret", "Interpreters", themes=["identification"], kind="practice")
    w.item("aid", "Legal aid", themes=["durable_solutions"])
    w.item("loose", "A point without a theme")
    w.link("a1", "screen")
    w.link("b1", "screen")
    w.link("b2", "shelter")
    w.link("c1", "interpret")
    w.link("c2", "interpret")
    return w


def codes_of(page: dict[str, object]) -> dict[str, str]:
    return {item["title"]: item["code"] for item in page["items"]}  # type: ignore[attr-defined,index]


def test_publishing_twice_keeps_codes_and_reports_each_change(
    world: World, apps: AppFactory
) -> None:
    first = world.publish("First edition", notes="After day one")
    assert first["number"] == 1 and first["url"] == f"/e/{first['slug']}"
    assert len(first["slug"]) >= 22  # 128 bits and more
    public = apps.client()  # nobody logged in
    page1 = ok(public.get(f"/api/public/editions/{first['slug']}"))
    assert page1["edition"]["title"] == "First edition"
    assert page1["edition"]["notes"] == "After day one"
    assert page1["previous"] is None
    codes1 = codes_of(page1)
    assert codes1 == {
        "Screen every arrival": "ID-01",
        "Shelters for adults": "PR-01",
        "Interpreters": "ID-02",
        "Legal aid": "DS-01",
        "A point without a theme": "GEN-01",
    }
    screen = next(i for i in page1["items"] if i["code"] == "ID-01")
    assert screen["raised_by"] == ["Group A", "Group B"]
    assert screen["actors"] == ["immigration"] and "sources" not in screen
    prefixes = {t["key"]: t["prefix"] for t in page1["themes"]}
    assert prefixes["identification"] == "ID" and prefixes["durable_solutions"] == "DS"
    changes1 = ok(public.get(f"/api/public/editions/{first['slug']}/changes"))
    assert {c["change"] for c in changes1["changes"]} == {"added"}

    # Between editions: a rewording, a retagging, a split, a merge, a removal, a new item.
    world.update("screen", title="Screen every arrival, early")
    world.update("shelter", actors=["social_services"])
    world.item("interpret_b", "Legal interpreters", themes=["identification"])
    world.move_source("c2", "interpret_b")  # split off from Interpreters
    world.move_source("b2", "aid")  # Shelters' source merged into Legal aid
    world.delete("shelter")
    world.delete("loose")
    world.item("new", "Hotlines in Thai", themes=["protection"])
    second = world.publish()
    assert second["number"] == 2 and second["title"] == "Test roundtable"
    page2 = ok(public.get(f"/api/public/editions/{second['slug']}"))
    assert page2["previous"] == {"number": 1, "slug": first["slug"]}
    assert [e["number"] for e in page2["editions"]] == [1, 2]
    codes2 = codes_of(page2)
    assert codes2["Screen every arrival, early"] == "ID-01"
    assert codes2["Interpreters"] == "ID-02"
    assert codes2["Legal aid"] == "DS-01"
    assert codes2["Legal interpreters"] == "ID-03"
    assert codes2["Hotlines in Thai"] == "PR-02"  # PR-01 is never given again

    changes = ok(public.get(f"/api/public/editions/{second['slug']}/changes"))["changes"]
    by_kind = sorted((c["code"], c["change"]) for c in changes)
    assert by_kind == [
        ("GEN-01", "removed"),
        ("ID-01", "reworded"),
        ("ID-03", "split"),
        ("PR-01", "merged"),
        ("PR-02", "added"),
    ]
    reworded = next(c for c in changes if c["change"] == "reworded")
    assert reworded["before"] == {"title": "Screen every arrival"}  # what changed only
    assert reworded["after"]["title"] == "Screen every arrival, early"
    merged = next(c for c in changes if c["change"] == "merged")
    assert "DS-01" in merged["detail"]
    split = next(c for c in changes if c["change"] == "split")
    assert "ID-02" in split["detail"]

    # Edition 1 is untouched by everything since.
    assert ok(public.get(f"/api/public/editions/{first['slug']}")) == {
        **page1,
        "editions": page2["editions"],
    }
    # And so are its downloads: the worker renders the edition's stored document, never
    # the live rows (it reads the database itself, given the edition's id).
    md1 = public.get(f"/api/public/editions/{first['slug']}/download/md")
    assert md1.status_code == 200, md1.text
    assert "Shelters for adults" in md1.text and "A point without a theme" in md1.text
    assert "Screen every arrival, early" not in md1.text and "Hotlines" not in md1.text
    md2 = public.get(f"/api/public/editions/{second['slug']}/download/md").text
    assert "Screen every arrival, early" in md2 and "Hotlines in Thai" in md2
    assert "Shelters for adults" not in md2


def test_retagging_is_reported(world: World, apps: AppFactory) -> None:
    first = world.publish()
    world.update("aid", themes=["durable_solutions", "protection"], kind="response")
    second = world.publish()
    changes = ok(apps.client().get(f"/api/public/editions/{second['slug']}/changes"))
    assert changes["previous"]["slug"] == first["slug"]
    (change,) = changes["changes"]
    assert change["change"] == "retagged" and change["code"] == "DS-01"
    assert change["before"] == {"kind": "need", "themes": ["durable_solutions"]}
    assert change["after"]["kind"] == "response"


def test_unknown_slugs_are_not_found(world: World, apps: AppFactory) -> None:
    world.publish()
    public = apps.client()
    for path in ("x" * 32, "short", "../../etc"):
        assert error_of(public.get(f"/api/public/editions/{path}"), 404)["code"] == "not_found"
    assert public.get("/api/public/editions/nope/changes").status_code == 404
    assert public.get("/api/public/editions/nope/download/pdf").status_code == 404


def test_only_facilitators_of_the_workshop_publish(world: World, apps: AppFactory) -> None:
    participant = apps.client()
    participant.join(world.groups[0]["join_code"], "Someone")
    r = participant.post(f"/api/workshops/{world.id}/editions", json={})
    assert error_of(r, 403)["code"] == "forbidden"
    assert participant.get(f"/api/workshops/{world.id}/editions").status_code == 403
    stranger = apps.client()
    stranger.join(world.groups[0]["join_code"], "Other")  # a member, but of this workshop only
    other = ok(world.fac.post("/api/workshops", json={"title": "Another"}), 201)
    r = participant.post(f"/api/workshops/{other['id']}/editions", json={})
    assert error_of(r, 404)["code"] == "not_found"
    assert ok(world.fac.get(f"/api/workshops/{world.id}/editions")) == []


def test_flagged_personal_data_blocks_publishing_until_cleared_or_redacted(
    world: World, apps: AppFactory
) -> None:
    base = f"/api/workshops/{world.id}"
    world.item("case", "Victim Maria Santos, passport X1234567, needs a shelter")
    world.item("phone", "Call the survivor on +66 81 234 5678 for follow-up")
    flagged = {f["id"] for f in ok(world.fac.get(f"{base}/safeguards/flags"))}
    assert {world.items["case"], world.items["phone"]} <= flagged  # found as typed
    err = error_of(world.fac.post(f"{base}/editions", json={"title": "Too early"}), 409)
    assert err["field"] == "items"
    assert world.items["case"] in err["message"] and world.items["phone"] in err["message"]
    assert ok(world.fac.get(f"{base}/editions")) == []

    r = world.fac.post(f"{base}/safeguards/flags/item/{world.items['case']}/clear")
    assert r.status_code in (200, 204), r.text
    err = error_of(world.fac.post(f"{base}/editions", json={}), 409)
    assert world.items["phone"] in err["message"] and world.items["case"] not in err["message"]
    r = world.fac.post(f"{base}/safeguards/flags/item/{world.items['phone']}/redact")
    assert r.status_code in (200, 204), r.text
    edition = world.publish()
    page = ok(apps.client().get(f"/api/public/editions/{edition['slug']}"))
    text = json.dumps(page, ensure_ascii=False)
    assert "Maria Santos" in text  # cleared: judged fine to publish
    assert "234 5678" not in text  # redacted before publishing


def test_bad_input_names_the_field_and_writes_nothing(world: World) -> None:
    base = f"/api/workshops/{world.id}/editions"
    assert error_of(world.fac.post(base, json={"title": "x" * 501}), 422)["field"].endswith("title")
    assert error_of(world.fac.post(base, json={"colour": "red"}), 422)["field"].endswith("colour")
    assert ok(world.fac.get(base)) == []


@pytest.mark.parametrize("policy", ["groups_only", "chatham_house"])
def test_raised_by_follows_the_attribution_policy(apps: AppFactory, fac: Api, policy: str) -> None:
    w = build_world(apps, fac, attribution=policy)
    w.item("screen", "Screen every arrival", themes=["identification"])
    w.link("b1", "screen")
    w.link("c1", "screen")
    edition = w.publish()
    page = ok(apps.client().get(f"/api/public/editions/{edition['slug']}"))
    expected = ["Group B", "Group C"] if policy == "groups_only" else ["Group 2", "Group 3"]
    assert page["items"][0]["raised_by"] == expected
    assert page["workshop"]["attribution"] == policy


@pytest.mark.parametrize("policy", ["named", "chatham_house"])
def test_agreement_and_reservations_reach_the_edition_without_names(
    apps: AppFactory, fac: Api, policy: str
) -> None:
    w = build_world(apps, fac, attribution=policy)
    w.item("screen", "Screen every arrival", themes=["identification"])
    w.link("a1", "screen")
    ok(fac.patch(f"/api/workshops/{w.id}", json={"phase": "review"}))
    voters = []
    for name in ("Wilhelmina Quaxley", "Bartholomew Snodgrass"):
        member = apps.client()
        member.join(w.groups[0]["join_code"], name)
        voters.append(int(ok(member.get(f"/api/workshops/{w.id}/me"))["id"]))
    item = w.items["screen"]
    for member_id, level, reservation in (
        (voters[0], "full", ""),
        (voters[1], "reservations", "Only with interpreters present"),
    ):
        w.as_member(
            member_id,
            "agreement.set",
            {"item_id": item, "level": level, "reservation": reservation},
        )
    w.system("agreement.record", {"item_id": item, "level": "reservations", "note": "Close"})
    edition = w.publish()
    public = apps.client()
    page = ok(public.get(f"/api/public/editions/{edition['slug']}"))
    agreement = page["items"][0]["agreement"]
    assert agreement["level"] == "reservations" and agreement["note"] == "Close"
    assert agreement["tally"]["full"] == 1 and agreement["tally"]["reservations"] == 1
    assert agreement["reservations"] == ["Only with interpreters present"]
    text = json.dumps(page, ensure_ascii=False)
    md = public.get(f"/api/public/editions/{edition['slug']}/download/md").text
    for name in ("Quaxley", "Snodgrass"):
        assert name not in text and name not in md
    assert "Agreed with reservations" in md and "Only with interpreters present" in md


def test_merges_and_splits_made_by_the_consolidation_ops_show_in_the_changes(
    apps: AppFactory, fac: Api
) -> None:
    w = build_world(apps, fac)
    g = w.group_items
    w.system("consolidation.merge", {"source_ids": [g["a1"], g["b1"]], "id": "screening-01"})
    w.system("consolidation.merge", {"source_ids": [g["c1"], g["c2"]], "id": "language-01"})
    w.system("consolidation.merge", {"source_ids": [g["b2"]], "id": "shelters-01"})
    w.items.update(screen="screening-01", language="language-01", shelter="shelters-01")
    w.update("screen", themes=["identification"])
    w.update("language", themes=["identification"])
    w.update("shelter", themes=["protection"])
    first = w.publish()
    codes = {
        i["title"]: i["code"]
        for i in ok(apps.client().get(f"/api/public/editions/{first['slug']}"))["items"]
    }
    assert sorted(codes.values()) == ["ID-01", "ID-02", "PR-01"]

    w.system(
        "consolidation.split",
        {"id": "language-01", "parts": [{"id": "language-02", "source_ids": [g["c2"]]}]},
    )
    w.items["language_b"] = "language-02"
    w.update("language_b", themes=["identification"])  # parts are pre-filled from sources
    w.system("consolidation.unmerge", {"source_id": g["b2"]})
    w.delete("shelter")
    w.system("consolidation.merge", {"source_ids": [g["b2"]], "target_id": "screening-01"})
    second = w.publish()
    public = apps.client()
    page = ok(public.get(f"/api/public/editions/{second['slug']}"))
    by_code = {i["code"]: i for i in page["items"]}
    assert set(by_code) == {"ID-01", "ID-02", "ID-03"}
    changes = ok(public.get(f"/api/public/editions/{second['slug']}/changes"))["changes"]
    kinds = {(c["code"], c["change"]) for c in changes}
    assert ("ID-03", "split") in kinds and ("PR-01", "merged") in kinds
    merged = next(c for c in changes if c["change"] == "merged")
    split = next(c for c in changes if c["change"] == "split")
    assert merged["detail"] == "merged into ID-01" and split["detail"] == "split from ID-02"
    assert not {c for c in kinds if c[1] in ("added", "removed")}
