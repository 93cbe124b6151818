"""Bad input never gives a 500: each request below is refused with a 4xx that names the
field and the rule, and the workshop is exactly as it was afterwards."""

from __future__ import annotations

from tests.api.checks import Refusal, refuse_all, refused
from tests.api.world import fingerprint, person
from tests.support import Api, AppFactory, ok, setup_workshop

HUGE = "x" * 10_001
TOO_BIG_ID = 2**31  # one past what a row id column holds
WAY_TOO_BIG = "99999999999999999999999"


def bad_requests(w: str, items: str, item: str, theme: int, ana: int) -> list[Refusal]:
    """(method, path, JSON body or None, "status code message-start")."""
    item_body = {"kind": "need", "title": "x"}
    # fmt: off
    return [
        # ids in paths: not numbers, negative, zero, past any row, not an id at all
        ("GET", "/api/workshops/abc", None,
         "422 invalid path.workshop_id: Input should be a valid integer"),
        ("GET", "/api/workshops/-1", None,
         "422 invalid path.workshop_id: Input should be greater than or equal to 1"),
        ("GET", "/api/workshops/0/themes", None,
         "422 invalid path.workshop_id: Input should be greater"),
        ("GET", f"/api/workshops/{WAY_TOO_BIG}", None,
         "422 invalid path.workshop_id: Input should be less than or equal to 2147483647"),
        ("GET", f"/api/workshops/{TOO_BIG_ID}/members", None,
         "422 invalid path.workshop_id: Input should be less"),
        ("GET", f"{w}/checklists/abc/items", None,
         "422 invalid path.checklist_id: Input should be a valid integer"),
        ("GET", f"{w}/checklists/{WAY_TOO_BIG}/votes", None,
         "422 invalid path.checklist_id: Input should be less"),
        ("PATCH", f"{w}/themes/-5", {"label": "x"},
         "422 invalid path.theme_id: Input should be greater"),
        ("PATCH", f"{w}/groups/1e3", {"name": "x"},
         "422 invalid path.group_id: Input should be a valid integer"),
        ("DELETE", f"{w}/members/{TOO_BIG_ID}", None,
         "422 invalid path.member_id: Input should be less"),
        ("GET", f"{w}/items/%00abcdefgh", None,
         "422 invalid path.item_id: String should match pattern"),
        ("GET", f"{w}/items/x", None, "422 invalid path.item_id: String should match pattern"),
        ("GET", f"{w}/items/{'a' * 41}/history", None,
         "422 invalid path.item_id: String should match"),
        ("PATCH", f"{w}/comments/no%20such", {"body": "x"},
         "422 invalid path.comment_id: String should match"),
        # ids in bodies and queries
        ("PATCH", f"{w}/members/{ana}", {"group_id": TOO_BIG_ID},
         "422 invalid body.group_id: Input should be less than or equal to 2147483647"),
        ("PATCH", f"{w}/members/{ana}", {"group_id": -1},
         "422 invalid body.group_id: Input should be greater"),
        ("POST", f"{w}/themes", {"key": "k", "label": "l", "parent_id": 2**40},
         "422 invalid body.parent_id: Input should be less"),
        ("GET", f"{w}/events?after={WAY_TOO_BIG}", None,
         "422 invalid query.after: Input should be less than or equal to"),
        ("GET", f"{w}/events?after=1e99", None,
         "422 invalid query.after: Input should be a valid integer"),
        # wrong types
        ("POST", items, {"kind": "need", "title": 5},
         "422 invalid body.title: Input should be a valid string"),
        ("POST", items, {"kind": "need", "title": ["x"]},
         "422 invalid body.title: Input should be a valid string"),
        ("POST", items, {**item_body, "themes": "identification"},
         "422 invalid body.themes: Input should be a valid list"),
        ("POST", items, {**item_body, "themes": [1]},
         "422 invalid body.themes.0: Input should be a valid string"),
        ("POST", items, {**item_body, "id": 12345678},
         "422 invalid body.id: Input should be a valid string"),
        ("PATCH", w, {"reveal": "perhaps"},
         "422 invalid body.reveal: Input should be a valid boolean"),
        ("PATCH", w, {"vote_budget": 2.5},
         "422 invalid body.vote_budget: Input should be a valid integer"),
        ("PATCH", w, {"starts_on": "26/06/2014"},
         "422 invalid body.starts_on: Input should be a valid date"),
        ("PUT", f"{item}/vote", {"count": {"n": 1}},
         "422 invalid body.count: Input should be a valid integer"),
        ("POST", items, [item_body], "422 invalid body: Input should be a valid dictionary"),
        ("POST", items, "title", "422 invalid body: Input should be a valid dictionary"),
        # huge strings and lists
        ("POST", items, {"kind": "need", "title": HUGE},
         "422 invalid body.title: String should have at most 500 characters"),
        ("POST", items, {**item_body, "detail": HUGE},
         "422 invalid body.detail: String should have at most 10000 characters"),
        ("POST", items, {**item_body, "themes": [HUGE]},
         "422 invalid body.themes.0: String should have at most 64 characters"),
        ("POST", items, {**item_body, "actors": ["government"] * 31},
         "422 invalid body.actors: List should have at most 30 items"),
        ("PATCH", item, {"title": HUGE},
         "422 invalid body.title: String should have at most 500 characters"),
        ("PATCH", w, {"title": HUGE},
         "422 invalid body.title: String should have at most 500 characters"),
        ("PATCH", w, {"description": HUGE},
         "422 invalid body.description: String should have at most 10000 characters"),
        ("POST", "/api/workshops", {"title": "x", "organisers": [HUGE]},
         "422 invalid body.organisers.0: String should have at most 200"),
        ("POST", f"{w}/themes", {"key": "k", "label": HUGE},
         "422 invalid body.label: String should have at most 200 characters"),
        ("POST", f"{w}/themes", {"key": HUGE, "label": "l"},
         "422 invalid body.key: String should match pattern"),
        ("POST", f"{w}/groups", {"name": HUGE},
         "422 invalid body.name: String should have at most 100 characters"),
        ("POST", f"{item}/comments", {"body": HUGE},
         "422 invalid body.body: String should have at most 5000 characters"),
        ("PATCH", f"{w}/members/{ana}", {"affiliation": HUGE},
         "422 invalid body.affiliation: String should have at most 200"),
        ("POST", "/api/join", {"code": HUGE, "display_name": "x"},
         "422 invalid body.code: String should have at most 32 characters"),
        ("POST", "/api/auth/login", {"email": HUGE, "password": "x"},
         "422 invalid body.email: String should have at most 320 characters"),
        # unknown fields
        ("POST", items, {**item_body, "created_by": 1},
         "422 invalid body.created_by: Extra inputs are not permitted"),
        ("PATCH", item, {"updated_seq": 5},
         "422 invalid body.updated_seq: Extra inputs are not permitted"),
        ("PATCH", item, {"if_version": 5},
         "422 invalid body.if_version: Extra inputs are not permitted"),
        ("PUT", f"{item}/vote", {"count": 1, "member_id": ana},
         "422 invalid body.member_id: Extra inputs are not permitted"),
        ("POST", f"{w}/groups", {"name": "x", "deleted": True},
         "422 invalid body.deleted: Extra inputs are not permitted"),
        ("PATCH", w, {"head_seq": 0}, "422 invalid body.head_seq: Extra inputs are not permitted"),
        # characters no database column should hold
        ("POST", items, {"kind": "need", "title": "a\x00b"},
         "422 invalid body.title: Value error, must not contain NUL characters"),
        ("POST", items, {**item_body, "references": ["ok", "a\x00"]},
         "422 invalid body.references: Value error, must not contain NUL"),
        ("PATCH", f"{w}/members/{ana}", {"display_name": "\x00"},
         "422 invalid body.display_name: Value error, must not contain NUL"),
        ("POST", "/api/auth/login", {"email": "a\x00@b.c", "password": "x"},
         "422 invalid body.email: Value error, must not contain NUL"),
        # ordering keys
        ("POST", items, {**item_body, "position": "0"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("POST", items, {**item_body, "position": "abc0"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("POST", items, {**item_body, "position": "é"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("POST", items, {**item_body, "position": "a" * 65},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("POST", f"{item}/move", {"position": "a-b"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        ("POST", f"{item}/move", {"position": None},
         "422 invalid body.position: Input should be a valid string"),
        ("PATCH", f"{w}/themes/{theme}", {"position": "-"},
         "422 invalid body.position: Value error, is not a valid ordering key"),
        # nothing to say
        ("POST", items, None, "422 invalid body: Field required"),
    ]
    # fmt: on


def test_bad_input_is_refused_by_name_and_changes_nothing(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    wid, checklist = ws["id"], ws["groups"][0]["checklist_id"]
    w = f"/api/workshops/{wid}"
    ana = person(apps, fac)
    ana_id = ana.join(ws["groups"][0]["join_code"], "Ana")["member"]["id"]
    item = ok(
        fac.post(f"{w}/checklists/{checklist}/items", json={"kind": "need", "title": "x"}), 201
    )
    theme = ok(fac.get(f"{w}/themes"))[0]["id"]
    engine = apps.app.state.services.engine
    targets = {"item": item["id"], "theme": theme, "member": ana_id}
    before = fingerprint(engine, wid, targets)

    cases = bad_requests(
        w, f"{w}/checklists/{checklist}/items", f"{w}/items/{item['id']}", theme, ana_id
    )
    for case in cases:
        refuse_all(fac, [case])
        assert fingerprint(engine, wid, targets) == before, case[:2]

    # Bodies that are not JSON, or JSON nested deeper than any parser should follow.
    items = f"{w}/checklists/{checklist}/items"
    raw = {"Content-Type": "application/json"}
    refused(fac.post(items, content=b'{"kind": "need",', headers=raw), 422, "invalid", "body.")
    refused(
        fac.post(items, content=b"[" * 100_000, headers=raw),
        400,
        "bad_request",
        "There was an error",
    )
    text = {"Content-Type": "text/plain"}
    refused(fac.post(items, content=b"kind=need", headers=text), 422, "invalid", "body: ")
    assert fingerprint(engine, wid, targets) == before
