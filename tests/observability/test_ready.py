from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roundtable.config import Settings
from tests.support import PG_BASE_URL, Api, AppFactory


def test_ready_when_database_and_notifier_answer(fac: Api) -> None:
    r = fac.get("/api/ready")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "database": "ok", "notifier": "ok"}


def test_health_stays_liveness_only(fac: Api) -> None:
    r = fac.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}"  # a directory: SQLite cannot open it
    from tests.conftest import _require_pg

    _require_pg()
    base, _, _ = PG_BASE_URL.rpartition("/")
    return f"{base}/rt_no_such_database_for_ready"


@pytest.fixture
def broken(unreachable_url: str) -> Iterator[Api]:
    factory = AppFactory(Settings(database_url=unreachable_url, secret_key="test-secret"))
    yield factory.client()
    factory.close()


def test_not_ready_names_the_database(broken: Api) -> None:
    r = broken.get("/api/ready")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("unavailable: "), body
    assert len(body["database"]) > len("unavailable: ")
    # Liveness does not depend on the database.
    assert broken.get("/api/health").status_code == 200


def test_ready_is_in_the_api_schema(fac: Api) -> None:
    schema = fac.get("/openapi.json").json()
    assert schema["paths"]["/api/ready"]["get"]["operationId"] == "ready"
    assert "/metrics" not in schema["paths"]
