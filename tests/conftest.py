from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roundtable.config import Settings
from tests import parallel
from tests.support import (
    Api,
    AppFactory,
    create_facilitator_account,
    create_schema,
    fresh_pg_database,
    pg_available,
)

IN_CI = os.environ.get("CI") == "true"
_PG = pg_available()


def _require_pg() -> None:
    if not _PG:
        if IN_CI:
            pytest.fail("PostgreSQL is required in CI (ROUNDTABLE_TEST_PG_URL)")
        pytest.skip("PostgreSQL is not reachable (set ROUNDTABLE_TEST_PG_URL)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database with the schema, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'roundtable.sqlite3'}"
        create_schema(url)
        yield url
    else:
        _require_pg()
        with fresh_pg_database() as url:
            create_schema(url)
            yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'roundtable.sqlite3'}"
    create_schema(url)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    _require_pg()
    with fresh_pg_database() as url:
        create_schema(url)
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", poll_interval_s=0.5)


@pytest.fixture
def apps(settings: Settings) -> Iterator[AppFactory]:
    create_facilitator_account(settings.database_url)
    factory = AppFactory(settings)
    yield factory
    factory.close()


@pytest.fixture
def fac(apps: AppFactory) -> Api:
    """A facilitator, logged in."""
    api = apps.client()
    r = api.login()
    assert r.status_code == 200, r.text
    return api


def pytest_configure(config: pytest.Config) -> None:
    parallel.controller_starts(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: sync Playwright keeps an event loop running in the main thread
    until its session ends, and the tests that call ``asyncio.run`` cannot share it.
    Under xdist each worker runs its tests in this order."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/"))
    parallel.worker_collected(items)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the groups of ``tests/parallel.py``."""
    return parallel.make_scheduler(config, log)
