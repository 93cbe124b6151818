"""One live uvicorn server per database for all of tests/realtime; each test makes its
own workshop.

Starting a server costs seconds, so the tests share one (parametrised over SQLite and
PostgreSQL like ``database_url``) and stay apart by working in separate workshops.
Tests that kill or reconfigure a server start their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from roundtable.db import make_engine
from tests.realtime.clients import Live, open_database
from tests.support import LiveServer

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="package", params=DATABASES)
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
