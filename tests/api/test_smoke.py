from __future__ import annotations

from tests.support import Api, AppFactory, error_of, ok, setup_workshop


def test_health(fac: Api) -> None:
    assert ok(fac.get("/api/health"))["status"] == "ok"


def test_participant_adds_an_item_and_facilitator_sees_it(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac)
    code = ws["groups"][0]["join_code"]
    ana = apps.client()
    me = ana.join(code, "Ana")
    assert me["workshop_id"] == ws["id"]
    checklist = ws["groups"][0]["checklist_id"]
    item = ok(
        ana.post(
            f"/api/workshops/{ws['id']}/checklists/{checklist}/items",
            json={"kind": "need", "title": "Interpreters at screening"},
        ),
        201,
    )
    items = ok(fac.get(f"/api/workshops/{ws['id']}/checklists/{checklist}/items"))
    assert [i["title"] for i in items] == ["Interpreters at screening"]
    assert items[0]["id"] == item["id"]
    other = ws["groups"][1]["checklist_id"]
    err = error_of(
        ana.post(
            f"/api/workshops/{ws['id']}/checklists/{other}/items",
            json={"kind": "need", "title": "x"},
        ),
        404,
    )
    assert "checklist" in err["message"] or "item" in err["message"]
