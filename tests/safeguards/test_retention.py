"""Retention: archive (read-only), erase member names (editions stay), delete for good."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

import roundtable.models  # noqa: F401  (every table in the metadata)
from roundtable.safeguards.scrub import belongs
from tests.api.checks import refused
from tests.api.world import person
from tests.support import Api, AppFactory, error_of, ok, setup_workshop


def test_archived_workshop_is_read_only_until_reopened(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    base = f"/api/workshops/{ws['id']}"
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    items = f"{base}/checklists/{ws['groups'][0]['checklist_id']}/items"
    ok(ana.post(items, json={"kind": "need", "title": "Before"}), 201)
    refused(ana.put(f"{base}/archive", json={"archived": True}), 403, "forbidden", "only")
    assert ok(fac.put(f"{base}/archive", json={"archived": True}))["archived_at"]
    assert ok(fac.get(base))["archived_at"]
    refused(ana.post(items, json={"kind": "need", "title": "After"}), 403, "forbidden", "this")
    refused(fac.patch(base, json={"title": "Renamed"}), 403, "forbidden", "this workshop is")
    assert [i["title"] for i in ok(ana.get(items))] == ["Before"]  # still readable
    assert ok(fac.put(f"{base}/archive", json={"archived": False}))["archived_at"] is None
    ok(ana.post(items, json={"kind": "need", "title": "After"}), 201)


def test_member_names_are_erased_but_editions_stay(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1, attribution="named")
    base = f"/api/workshops/{ws['id']}"
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Anastasia Quellbrook", affiliation="NGO Ray")
    refused(fac.post(f"{base}/erase-names"), 409, "conflict", "names can be erased once")
    ok(fac.patch(base, json={"phase": "consolidation"}))
    items = f"{base}/checklists/{ws['consolidated']}/items"
    ok(fac.post(items, json={"kind": "need", "title": "Guardians for every child"}), 201)
    ok(fac.patch(base, json={"phase": "review"}))
    edition = ok(fac.post(f"{base}/editions", json={}), 201)
    ok(fac.put(f"{base}/archive", json={"archived": True}))
    assert ok(fac.post(f"{base}/erase-names"), 204) is None
    log = json.dumps(ok(fac.get(f"{base}/events")))
    assert "Quellbrook" not in log and "NGO Ray" not in log and "Participant 2" in log
    with Session(apps.app.state.services.engine) as db:
        for table in SQLModel.metadata.sorted_tables:
            where = belongs(table, ws["id"])
            if where is None:
                continue
            rows = json.dumps(
                [list(r) for r in db.execute(select(table).where(where))], default=str
            )
            assert "Quellbrook" not in rows, table.name
    page = ok(fac.get(f"/api/public/editions/{edition['slug']}"))
    assert page["items"][0]["title"] == "Guardians for every child"


def test_deleting_removes_everything_of_that_workshop_only(apps: AppFactory, fac: Api) -> None:
    keep = setup_workshop(fac, groups=1)
    gone = setup_workshop(fac, groups=2)
    base = f"/api/workshops/{gone['id']}"
    ana = person(apps, fac)
    ana.join(gone["groups"][0]["join_code"], "Ana")
    items = f"{base}/checklists/{gone['groups'][0]['checklist_id']}/items"
    item = ok(ana.post(items, json={"kind": "need", "title": "Call +66 81 234 5678"}), 201)
    ok(ana.post(f"{base}/items/{item['id']}/comments", json={"body": "seen"}), 201)
    refused(fac.delete(base), 409, "conflict", "archive the workshop before deleting it")
    ok(fac.put(f"{base}/archive", json={"archived": True}))
    refused(ana.delete(base), 403, "forbidden", "only facilitators")
    assert ok(fac.delete(base), 204) is None
    assert error_of(fac.get(base), 404)["code"] == "not_found"
    assert error_of(ana.get("/api/auth/me"), 401)["code"] == "unauthenticated"
    with Session(apps.app.state.services.engine) as db:
        for table in SQLModel.metadata.sorted_tables:
            where = belongs(table, gone["id"])
            if where is not None:
                left = db.execute(select(func.count()).select_from(table).where(where)).scalar()
                assert left == 0, table.name
    assert ok(fac.get(f"/api/workshops/{keep['id']}"))["title"] == "Test roundtable"
    assert len(ok(fac.get(f"/api/workshops/{keep['id']}/checklists"))) == 2
