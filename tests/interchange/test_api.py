"""The interchange over HTTP: schema, import, export, and who may use them."""

from __future__ import annotations

from typing import Any

import pytest

from roundtable.interchange.document import document_schema
from tests.interchange.samples import BROKEN, Broken, load_sample
from tests.support import Api, AppFactory, error_of, ok, setup_workshop

IMPORT = "/api/workshops/import"


def import_sample(fac: Api, document: dict[str, Any] | None = None) -> int:
    created = ok(fac.post(IMPORT, json=document or load_sample()), 201)
    assert set(created) == {"id"}
    return int(created["id"])


def workshop_ids(fac: Api) -> list[int]:
    return [w["id"] for w in ok(fac.get("/api/workshops"))]


def test_the_schema_is_public_and_generated_from_the_models(apps: AppFactory) -> None:
    anonymous = apps.client()
    response = anonymous.get("/api/schema/roundtable-v1.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == document_schema()
    operations = {
        op["operationId"]
        for path in ok(anonymous.get("/openapi.json"))["paths"].values()
        for op in path.values()
    }
    assert {"getInterchangeSchema", "importWorkshop", "exportWorkshop"} <= operations


def test_import_then_export_over_http(fac: Api) -> None:
    sample = load_sample()
    workshop_id = import_sample(fac, sample)
    # The importing account owns it, so it is in the facilitator's own list.
    listed = {w["id"]: w for w in ok(fac.get("/api/workshops"))}
    assert listed[workshop_id]["role"] == "facilitator"
    assert listed[workshop_id]["phase"] == "consolidation"

    response = fac.get(f"/api/workshops/{workshop_id}/export.json")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".json" in disposition
    assert response.json() == sample
    # ... and the export imports again to the same document.
    second = import_sample(fac, response.json())
    assert ok(fac.get(f"/api/workshops/{second}/export.json")) == sample


def test_import_goes_through_the_event_log(fac: Api) -> None:
    workshop_id = import_sample(fac)
    workshop = ok(fac.get(f"/api/workshops/{workshop_id}"))
    assert workshop["head_seq"] > 0
    events = ok(fac.get(f"/api/workshops/{workshop_id}/events"))
    assert [e["seq"] for e in events] == list(range(1, workshop["head_seq"] + 1))
    kinds = {e["kind"] for e in events}
    assert {"theme.create", "group.create", "item.create", "interchange.link_merged"} <= kinds
    items = [c for e in events for c in e["changes"] if c["entity"] == "item"]
    assert any(c["values"].get("flags") == ["personal_data"] for c in items)
    # The imported groups are live groups: each has a join code and a checklist.
    groups = ok(fac.get(f"/api/workshops/{workshop_id}/groups"))
    assert [g["name"] for g in groups] == [g["name"] for g in load_sample()["groups"]]
    assert all(g["join_code"] and g["checklist_id"] for g in groups)


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_a_broken_document_gets_422_naming_the_path(fac: Api, broken: Broken) -> None:
    before = workshop_ids(fac)
    error = error_of(fac.post(IMPORT, json=broken.document()), 422)
    assert error["code"] == "invalid"
    assert error["field"] == broken.path
    assert error["message"].startswith(f"{broken.path}: ")
    assert broken.rule in error["message"]
    assert workshop_ids(fac) == before


@pytest.mark.parametrize(
    ("body", "field"), [(b"{not json", "body"), (b"[]", "document"), (b"", "body")]
)
def test_a_body_that_is_no_document_gets_422(fac: Api, body: bytes, field: str) -> None:
    response = fac.post(IMPORT, content=body, headers={"content-type": "application/json"})
    assert error_of(response, 422)["field"] == field
    assert workshop_ids(fac) == []


def test_participants_can_neither_import_nor_export(apps: AppFactory, fac: Api) -> None:
    workshop = setup_workshop(fac)
    ana = apps.client()
    ana.join(workshop["groups"][0]["join_code"], "Ana")
    error = error_of(ana.post(IMPORT, json=load_sample()), 403)
    assert "facilitators" in error["message"]
    error_of(ana.get(f"/api/workshops/{workshop['id']}/export.json"), 403)
    assert workshop_ids(fac) == [workshop["id"]]


def test_signing_in_is_required(apps: AppFactory, fac: Api) -> None:
    workshop_id = import_sample(fac)
    anonymous = apps.client()
    error_of(anonymous.post(IMPORT, json=load_sample()), 401)
    error_of(anonymous.get(f"/api/workshops/{workshop_id}/export.json"), 401)


def test_other_facilitators_cannot_export_a_workshop_they_are_not_in(
    apps: AppFactory, fac: Api
) -> None:
    from tests.support import create_facilitator_account

    workshop_id = import_sample(fac)
    create_facilitator_account(apps.settings.database_url, "other@example.org", "another secret")
    other = apps.client()
    ok(other.login("other@example.org", "another secret"))
    error_of(other.get(f"/api/workshops/{workshop_id}/export.json"), 404)
    assert workshop_ids(other) == []
