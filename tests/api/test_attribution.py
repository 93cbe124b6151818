"""The attribution policy in everything the REST API returns to a participant.

Ana writes an item, a comment and a vote and edits her profile; Ben, in the same group,
reads members, items, comments, tallies, history and the event log. Under
``groups_only`` and ``chatham_house`` no other person's name or affiliation reaches him
(people are "Participant 2"); under ``chatham_house`` no authorship either. Under
``named`` he sees both. Everyone always sees their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop

ANA = ("Anastasia Quixote", "Shelter Aurora")
BEN = ("Benedikt Yarrow", "Police Zanzibar")
FACILITATOR = "Kimberly Facilitator"
FIRST_AFFILIATION = "Initial Collective"
AUTHOR_FIELDS = ("actor", "created_by", "author_id", "member_id")


def values_of(tree: Any, key: str) -> Iterator[Any]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key:
                yield v
            yield from values_of(v, key)
    elif isinstance(tree, list):
        for v in tree:
            yield from values_of(v, key)


def test_each_policy_as_another_participant_sees_it(apps: AppFactory, fac: Api) -> None:
    for policy in ("chatham_house", "groups_only", "named"):
        ws = setup_workshop(fac, groups=1, attribution=policy)
        wid, checklist = ws["id"], ws["groups"][0]["checklist_id"]
        base = f"/api/workshops/{wid}"
        fac_id = ok(fac.get(f"{base}/me"))["id"]
        ok(fac.patch(f"{base}/members/{fac_id}", json={"display_name": FACILITATOR}))
        code = ws["groups"][0]["join_code"]
        ana, ben = person(apps, fac), person(apps, fac)
        ana_id = ana.join(code, "Ana", affiliation=FIRST_AFFILIATION)["member"]["id"]
        ben_id = ben.join(code, BEN[0], affiliation=BEN[1])["member"]["id"]
        ok(ana.patch(f"{base}/members/{ana_id}", json={"display_name": ANA[0]}))
        ok(ana.patch(f"{base}/members/{ana_id}", json={"affiliation": ANA[1]}))
        items_url = f"{base}/checklists/{checklist}/items"
        item = ok(ana.post(items_url, json={"kind": "need", "title": "x"}), 201)
        ok(ana.post(f"{base}/items/{item['id']}/comments", json={"body": "Mine"}), 201)
        ok(ana.put(f"{base}/items/{item['id']}/vote", json={"count": 1}))
        own = ok(ben.post(items_url, json={"kind": "need", "title": "y"}), 201)
        ok(ben.post(f"{base}/items/{item['id']}/comments", json={"body": "His"}), 201)

        seen = {
            path: ok(ben.get(f"{base}{path}"))
            for path in (
                "/members",
                "/me",
                f"/checklists/{checklist}/items",
                f"/items/{item['id']}",
                f"/items/{item['id']}/comments",
                f"/items/{item['id']}/history",
                f"/checklists/{checklist}/votes",
                "/events",
            )
        }
        text = json.dumps(seen)
        members = {m["id"]: m for m in seen["/members"]}
        # Ben always sees himself, and his own authorship.
        assert members[ben_id]["display_name"] == BEN[0] == seen["/me"]["display_name"]
        assert members[ben_id]["affiliation"] == BEN[1] and not members[ben_id]["anonymous"]
        items = {i["id"]: i for i in seen[f"/checklists/{checklist}/items"]}
        assert items[own["id"]]["created_by"] == ben_id
        his = [c for c in seen[f"/items/{item['id']}/comments"] if c["body"] == "His"]
        assert his[0]["author_id"] == ben_id

        others = (ANA[0], ANA[1], FIRST_AFFILIATION, FACILITATOR)
        if policy == "named":
            assert members[ana_id]["display_name"] == ANA[0]
            assert members[ana_id]["affiliation"] == ANA[1]
            assert members[fac_id]["display_name"] == FACILITATOR
            assert all(name in text for name in others)
            assert items[item["id"]]["created_by"] == ana_id
            assert ana_id in set(values_of(seen, "actor"))
            continue

        for name in others:
            assert name not in text, (policy, name)
        assert members[ana_id]["display_name"] == "Participant 2"
        assert members[fac_id]["display_name"] == "Facilitator 1"
        assert members[ana_id]["affiliation"] is None and members[ana_id]["anonymous"]
        authors = {field: set(values_of(seen, field)) for field in AUTHOR_FIELDS}
        if policy == "chatham_house":
            assert items[item["id"]]["created_by"] is None
            for field, ids in authors.items():
                assert ids <= {None, ben_id}, (field, ids)
            assert None in authors["actor"] and None in authors["author_id"]
        else:
            assert items[item["id"]]["created_by"] == ana_id
            assert ana_id in authors["actor"] and ana_id in authors["author_id"]

        # The facilitator reads under the same policy, except for themselves.
        as_facilitator = {m["id"]: m for m in ok(fac.get(f"{base}/members"))}
        assert as_facilitator[ana_id]["display_name"] == "Participant 2"
        assert as_facilitator[fac_id]["display_name"] == FACILITATOR
        assert ANA[0] not in json.dumps(ok(fac.get(f"{base}/events")))
