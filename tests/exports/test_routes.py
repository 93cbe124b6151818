"""``GET /api/workshops/{id}/export/{fmt}``: facilitators download, others are refused."""

from __future__ import annotations

import csv
import io
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from roundtable.exports import model as exports_model
from roundtable.exports import routes as exports_routes
from roundtable.exports.reader import ChecklistQuery
from roundtable.exports.routes import router
from roundtable.exports.worker import RenderPool
from tests.support import Api, AppFactory, error_of, ok, setup_workshop

EXPORT_PATH = "/api/workshops/{workshop_id}/export/{fmt}"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: the route adds nothing database-specific (test_model covers both)."""
    return sqlite_url


@pytest.fixture
def mounted(apps: AppFactory) -> Iterator[AppFactory]:
    routes = apps.app.router.routes
    if not any(getattr(r, "path", "") == EXPORT_PATH for r in routes):
        # Until create_app mounts the router: ahead of the SPA's catch-all.
        before = list(routes)
        apps.app.include_router(router)
        routes[:] = routes[len(before) :] + before
    yield apps
    pool: RenderPool | None = getattr(apps.app.state, "render_pool", None)
    if pool is not None:
        pool.shutdown()


@pytest.fixture
def workshop(mounted: AppFactory, fac: Api) -> dict[str, object]:
    made = setup_workshop(fac, groups=1, phase="consolidation")
    items = f"/api/workshops/{made['id']}/checklists/{made['consolidated']}/items"
    for title, kind in (("=HYPERLINK(1)", "need"), ("Shelters for adults", "response")):
        ok(fac.post(items, json={"kind": kind, "title": title, "themes": ["protection"]}), 201)
    return made


def test_a_facilitator_downloads_a_filtered_csv_and_bad_requests_name_the_field(
    fac: Api, workshop: dict[str, object]
) -> None:
    r = fac.get(f"/api/workshops/{workshop['id']}/export/csv", params={"kind": "need"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="roundtable-workshop-{workshop["id"]}-checklist.csv"'
    )
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["'=HYPERLINK(1)"]

    base = f"/api/workshops/{workshop['id']}/export"
    assert error_of(fac.get(f"{base}/csv", params={"actor": "aliens"}), 422)["field"] == "actor"
    assert fac.get(f"{base}/html").status_code == 422
    assert error_of(fac.get("/api/workshops/9999/export/md"), 404)["code"] == "not_found"


def test_participants_cannot_download(
    mounted: AppFactory, fac: Api, workshop: dict[str, object]
) -> None:
    participant = mounted.client()
    code = workshop["groups"][0]["join_code"]  # type: ignore[index]
    participant.join(code, "Someone")
    r = participant.get(f"/api/workshops/{workshop['id']}/export/md")
    assert error_of(r, 403)["code"] == "forbidden"


def test_the_server_hands_the_worker_a_query_and_never_reads_the_items(
    fac: Api, workshop: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's part of a download is the authorisation and the filter check: it
    sends the worker a few ids (the worker reads the rows), not the checklist."""
    handed: list[object] = []
    original = RenderPool.render

    async def recording(self: RenderPool, fmt: str, source: Any, **kwargs: Any) -> bytes:
        handed.append(source)
        return await original(self, fmt, source, **kwargs)

    def no_rows(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the server read the checklist's rows")

    monkeypatch.setattr(RenderPool, "render", recording)
    monkeypatch.setattr(exports_routes, "read_snapshot_rows", no_rows)
    monkeypatch.setattr(exports_model, "read_snapshot_rows", no_rows)  # in this process only
    r = fac.get(f"/api/workshops/{workshop['id']}/export/md", params={"theme": "protection"})
    assert r.status_code == 200, r.text
    assert "Shelters for adults" in r.text
    (source,) = handed
    assert isinstance(source, ChecklistQuery)
    assert source.workshop_id == workshop["id"] and source.filter.theme == "protection"
    message = pickle.dumps(source)
    assert len(message) < 1_000 and b"Shelters" not in message
