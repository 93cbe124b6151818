"""GET /api/workshops/{w}/suggestions: the merge suggestions for a workshop's group items."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roundtable.consolidation import routes
from tests.api.world import person
from tests.interchange.samples import load_sample
from tests.support import Api, AppFactory, error_of, ok, setup_workshop

NEAR_DUPLICATE_A = "Screen for trafficking indicators at border crossings"
NEAR_DUPLICATE_B = "Check people crossing the border for signs of human trafficking"
LOOK_ALIKE_B = "Screen for smuggling indicators at border crossings"


def suggestions_path(workshop_id: int) -> str:
    return f"/api/workshops/{workshop_id}/suggestions"


def add_item(api: Api, workshop_id: int, checklist_id: int, title: str) -> str:
    item = ok(
        api.post(
            f"/api/workshops/{workshop_id}/checklists/{checklist_id}/items",
            json={"kind": "response", "title": title},
        ),
        201,
    )
    return str(item["id"])


def two_groups_with_items(apps: AppFactory, fac: Api) -> tuple[int, dict[str, str], Api]:
    """Participants of groups A and B write near-duplicates, a look-alike and a deleted item."""
    ws = setup_workshop(fac, groups=2)
    wid = ws["id"]
    group_a, group_b = ws["groups"]
    ana, budi = person(apps, fac), person(apps, fac)
    ana.join(group_a["join_code"], "Ana")
    budi.join(group_b["join_code"], "Budi")
    gone = add_item(budi, wid, group_b["checklist_id"], "Scrapped point")
    ids = {
        "A1": add_item(ana, wid, group_a["checklist_id"], NEAR_DUPLICATE_A),
        "A2": add_item(ana, wid, group_a["checklist_id"], "Interpreters for victims in shelters"),
        "B1": add_item(budi, wid, group_b["checklist_id"], NEAR_DUPLICATE_B),
        "B2": add_item(budi, wid, group_b["checklist_id"], LOOK_ALIKE_B),
    }
    ok(budi.delete(f"/api/workshops/{wid}/items/{gone}"), 204)
    return wid, ids, ana


def test_near_duplicates_in_two_groups_are_clustered_and_look_alikes_are_not(
    apps: AppFactory, fac: Api
) -> None:
    wid, ids, _ = two_groups_with_items(apps, fac)
    body = ok(fac.get(suggestions_path(wid)))
    assert set(body) == {"clusters", "similar", "items"}
    assert body["items"] == ids  # the deleted item has no ref
    [cluster] = body["clusters"]
    assert cluster["refs"] == ["A1", "B1"]
    assert cluster["item_ids"] == [ids["A1"], ids["B1"]]
    assert 0 < cluster["score"] <= 1
    assert "groups A and B" in cluster["reason"]
    # Trafficking and smuggling screening look alike but are different points.
    assert not any("B2" in c["refs"] for c in body["clusters"])
    assert list(body["similar"]) == ["A1", "A2", "B1", "B2"]
    assert body["similar"]["A1"][0] == ["B1", cluster["score"]]
    similar_a1 = dict(body["similar"]["A1"])
    assert similar_a1.get("B2", 0.0) < similar_a1["B1"]


def test_the_same_request_gives_the_same_json(apps: AppFactory, fac: Api) -> None:
    wid, _, _ = two_groups_with_items(apps, fac)
    first = fac.get(suggestions_path(wid))
    second = fac.get(suggestions_path(wid))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_limit_bounds_the_nearest_items(apps: AppFactory, fac: Api) -> None:
    wid, _, _ = two_groups_with_items(apps, fac)
    body = ok(fac.get(suggestions_path(wid), params={"limit": 1}))
    assert all(len(nearest) <= 1 for nearest in body["similar"].values())
    assert body["similar"]["A1"] == [["B1", body["clusters"][0]["score"]]]
    assert ok(fac.get(suggestions_path(wid), params={"limit": 20}))["clusters"] == body["clusters"]
    for bad in (0, 21, "many"):
        error = error_of(fac.get(suggestions_path(wid), params={"limit": bad}), 422)
        assert error["code"] == "invalid" and error["field"] == "query.limit"


def test_participants_and_outsiders_are_refused(apps: AppFactory, fac: Api) -> None:
    wid, _, ana = two_groups_with_items(apps, fac)
    assert error_of(ana.get(suggestions_path(wid)), 403)["code"] == "forbidden"
    other = setup_workshop(fac, groups=1)
    outsider = person(apps, fac)
    outsider.join(other["groups"][0]["join_code"], "Chai")
    assert error_of(outsider.get(suggestions_path(wid)), 404)["code"] == "not_found"
    assert error_of(apps.client().get(suggestions_path(wid)), 401)["code"] == "unauthenticated"


def test_an_empty_workshop_has_no_suggestions(fac: Api) -> None:
    ws = setup_workshop(fac, groups=2)
    assert ok(fac.get(suggestions_path(ws["id"]))) == {"clusters": [], "similar": {}, "items": {}}


def test_refs_are_the_exports_and_merged_items_are_left_out(fac: Api) -> None:
    created = ok(fac.post("/api/workshops/import", json=load_sample()), 201)
    wid = created["id"]
    document = ok(fac.get(f"/api/workshops/{wid}/export.json"))
    merged = {ref for item in document["consolidated"] for ref in item["sources"]}
    assert merged  # the sample has merged items
    titles = {item["ref"]: item["title"] for g in document["groups"] for item in g["items"]}
    body = ok(fac.get(suggestions_path(wid)))
    assert set(body["items"]) == set(titles) - merged
    for ref, item_id in body["items"].items():
        assert ok(fac.get(f"/api/workshops/{wid}/items/{item_id}"))["title"] == titles[ref]
    for cluster in body["clusters"]:
        assert cluster["item_ids"] == [body["items"][ref] for ref in cluster["refs"]]


def test_the_engine_runs_off_the_event_loop(
    apps: AppFactory, fac: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid, _, _ = two_groups_with_items(apps, fac)
    calls: list[bool] = []
    engine = routes.suggest

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            calls.append(True)
        except RuntimeError:
            calls.append(False)
        return engine(*args, **kwargs)

    monkeypatch.setattr(routes, "suggest", spy)
    ok(fac.get(suggestions_path(wid)))
    assert calls == [False]
