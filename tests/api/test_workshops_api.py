"""Workshops, the event log and themes: happy paths and the errors that apply.

Each refusal is checked whole (see ``checks.refused``): status, code, the field it names
and a message that names the field or the rule. Who may call what is in
``test_authorization``.
"""

from __future__ import annotations

from tests.api.checks import refuse_all
from tests.support import Api, ok, setup_workshop


def test_workshops_and_the_event_log(fac: Api) -> None:
    assert ok(fac.get("/api/health"))["status"] == "ok"
    body = {
        "title": "  Protection of victims  ",
        "starts_on": "2014-06-26",
        "ends_on": "2014-06-27",
        "venue": "Bangkok",
        "organisers": ["UNHCR", "IOM"],
        "attribution": "groups_only",
        "facilitator_name": "Kim",
        "default_themes": False,
    }
    created = ok(fac.post("/api/workshops", json=body), 201)
    wid = created["id"]
    base = f"/api/workshops/{wid}"
    assert created["title"] == "Protection of victims" and created["phase"] == "setup"
    assert created["attribution"] == "groups_only" and created["head_seq"] == 0
    assert created["organisers"] == ["UNHCR", "IOM"] and created["reveal"] is False
    assert ok(fac.get(f"{base}/themes")) == []
    assert ok(fac.get(f"{base}/me"))["display_name"] == "Kim"
    assert ok(fac.get("/api/workshops")) == [
        {"id": wid, "title": "Protection of victims", "phase": "setup", "role": "facilitator"}
    ]
    assert ok(fac.get(base)) == created

    changed = ok(fac.patch(base, json={"phase": "breakout", "reveal": True}))
    assert changed["phase"] == "breakout" and changed["reveal"] is True
    assert changed["head_seq"] == 1
    changed = ok(fac.patch(base, json={"starts_on": None, "vote_budget": 3}))
    assert changed["starts_on"] is None and changed["vote_budget"] == 3

    events = f"{base}/events"
    backwards = {"starts_on": "2014-06-27", "ends_on": "2014-06-26"}
    # fmt: off
    refuse_all(fac, [
        ("POST", "/api/workshops", {"title": "x", **backwards},
         "422 invalid body.ends_on: must not be before starts_on"),
        ("POST", "/api/workshops", {}, "422 invalid body.title: Field required"),
        ("POST", "/api/workshops", {"title": "x", "attribution": "secret"},
         "422 invalid body.attribution: Input should be 'named', 'groups_only' or"),
        ("POST", "/api/workshops", {"title": "x", "organisers": ["o"] * 21},
         "422 invalid body.organisers: List should have at most 20 items"),
        ("PATCH", base, {}, "422 invalid args: name at least one field to change"),
        ("PATCH", base, {"title": None}, "422 invalid args.title: may not be null"),
        ("PATCH", base, {"phase": "done"}, "422 invalid body.phase: Input should be 'setup'"),
        ("PATCH", base, {"vote_budget": 101},
         "422 invalid body.vote_budget: Input should be less than or equal to 100"),
        ("PATCH", base, {"ends_on": "2000-01-01", "starts_on": "2000-01-02"},
         "422 invalid args.ends_on: must not be before starts_on"),
        ("PATCH", base, {"colour": "red"},
         "422 invalid body.colour: Extra inputs are not permitted"),
        ("GET", "/api/workshops/999999", None,
         "404 not_found workshop 999999 does not exist or you are not a member"),
        ("GET", f"{events}?after=-1", None,
         "422 invalid query.after: Input should be greater than or equal to 0"),
        ("GET", f"{events}?limit=0", None,
         "422 invalid query.limit: Input should be greater than or equal to 1"),
        ("GET", f"{events}?limit=all", None,
         "422 invalid query.limit: Input should be a valid integer"),
    ])
    # fmt: on
    assert ok(fac.get(base))["head_seq"] == 2  # the refusals added nothing

    log = ok(fac.get(events))
    assert [e["seq"] for e in log] == [1, 2]
    assert log[0]["kind"] == "workshop.update" and log[0]["actor"] is not None
    assert log[0]["changes"] == [
        {"entity": "workshop", "id": wid, "values": {"phase": "breakout", "reveal": True}}
    ]
    assert [e["seq"] for e in ok(fac.get(events, params={"after": 1}))] == [2]
    assert [e["seq"] for e in ok(fac.get(events, params={"limit": 1}))] == [1]
    assert ok(fac.get(events, params={"after": 2})) == []


def test_themes(fac: Api) -> None:
    ws = setup_workshop(fac, groups=0)
    base = f"/api/workshops/{ws['id']}/themes"
    defaults = ok(fac.get(base))
    keys = [t["key"] for t in defaults]
    assert "identification" in keys and "children" in keys and len(keys) == 18
    protection = next(t for t in defaults if t["key"] == "protection")
    children = [t["key"] for t in defaults if t["parent_id"] == protection["id"]]
    assert children == ["sexual_exploitation", "forced_labour", "children"]

    made = ok(fac.post(base, json={"key": "data", "label": "Data and research"}), 201)
    last_top = max(t["position"] for t in defaults if t["parent_id"] is None)
    assert made["parent_id"] is None and made["position"] > last_top
    survey = {"key": "surveys", "label": "Surveys", "parent_id": made["id"], "position": "a"}
    sub = ok(fac.post(base, json=survey), 201)
    assert sub["parent_id"] == made["id"] and sub["position"] == "a"

    renamed = ok(fac.patch(f"{base}/{made['id']}", json={"label": "Data", "description": "Sums"}))
    assert renamed["label"] == "Data" and renamed["description"] == "Sums"
    one = f"{base}/{made['id']}"
    # fmt: off
    refuse_all(fac, [
        ("POST", base, {"key": "data", "label": "Again"},
         "409 conflict args.key: a theme 'data' exists already"),
        ("POST", base, {"key": "deeper", "label": "x", "parent_id": sub["id"]},
         "422 invalid args.parent_id: themes have one level of sub-themes only"),
        ("POST", base, {"key": "orphan", "label": "x", "parent_id": 999999},
         "404 not_found theme 999999 does not exist in this workshop"),
        ("POST", base, {"key": "Bad Key", "label": "x"},
         "422 invalid body.key: String should match pattern"),
        ("POST", base, {"key": "ok_key", "label": ""},
         "422 invalid body.label: String should have at least 1 character"),
        ("POST", base, {"key": "ok_key", "label": "x", "position": "0"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("PATCH", one, {}, "422 invalid args: name at least one field to change"),
        ("PATCH", one, {"label": None}, "422 invalid args.label: may not be null"),
        ("PATCH", one, {"key": "renamed"}, "422 invalid body.key: Extra inputs are not permitted"),
        ("PATCH", f"{base}/999999", {"label": "x"},
         "404 not_found theme 999999 does not exist in this workshop"),
        ("DELETE", f"{base}/999999", None, "404 not_found theme 999999 does not exist"),
    ])
    # fmt: on

    # Deleting a theme takes its sub-themes with it; the key can then be used again.
    assert fac.delete(one).status_code == 204
    assert {"data", "surveys"}.isdisjoint(t["key"] for t in ok(fac.get(base)))
    # fmt: off
    refuse_all(fac, [
        ("DELETE", one, None, f"404 not_found theme {made['id']} does not exist"),
        ("PATCH", f"{base}/{sub['id']}", {"label": "x"},
         f"404 not_found theme {sub['id']} does not exist"),
    ])
    # fmt: on
    again = ok(fac.post(base, json={"key": "data", "label": "Data, again"}), 201)
    assert again["id"] == made["id"] and again["label"] == "Data, again"
    assert [t["key"] for t in ok(fac.get(base))].count("data") == 1
