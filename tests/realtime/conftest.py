"""One live uvicorn server per test module and database; each test makes its own workshop.

Starting a server costs about a second, so the tests of a module share one (parametrised
over SQLite and PostgreSQL like ``database_url``) and stay apart by working in separate
workshops. Tests that kill or reconfigure a server start their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from roundtable.db import make_engine
from tests.realtime.clients import Live
from tests.support import (
    LiveServer,
    create_facilitator_account,
    create_schema,
    fresh_pg_database,
    pg_available,
)

_PG = pg_available()


def open_database(kind: str, tmp: Path, stack: ExitStack) -> str:
    """An empty database with the schema and the facilitator account."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'roundtable.sqlite3'}"
    else:
        if not _PG:
            if os.environ.get("CI") == "true":
                pytest.fail("PostgreSQL is required in CI (ROUNDTABLE_TEST_PG_URL)")
            pytest.skip("PostgreSQL is not reachable (set ROUNDTABLE_TEST_PG_URL)")
        url = stack.enter_context(fresh_pg_database())
    create_schema(url)
    create_facilitator_account(url)
    return url


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = open_database(request.param, tmp_path_factory.mktemp("db"), stack)
        server = LiveServer(url).start()
        stack.callback(server.stop)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield Live(server, url, engine)


@pytest.fixture(params=DATABASES)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """For tests that run (and kill) their own servers."""
    with ExitStack() as stack:
        yield open_database(request.param, tmp_path, stack)
