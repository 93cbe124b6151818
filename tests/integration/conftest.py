"""Fixtures for the scale-out tests: app processes on a fresh PostgreSQL database.

Tests that kill a process start their own (``pair``); the others share two processes per
module (``shared_pair``) and stay apart by working in workshops of their own. Starting
processes is most of the time these tests take.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.integration.cluster import Cluster, cluster
from tests.realtime.clients import open_database
from tests.support import create_facilitator_account


@pytest.fixture
def pair(pg_url: str) -> Iterator[Cluster]:
    """Two uvicorn processes on one PostgreSQL database, for this test alone."""
    create_facilitator_account(pg_url)
    with cluster(pg_url, processes=2) as made:
        yield made


@pytest.fixture(scope="module")
def shared_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two uvicorn processes on one PostgreSQL database, for the tests of one module."""
    with ExitStack() as stack:
        url = open_database("postgres", tmp_path_factory.mktemp("db"), stack)
        with cluster(url, processes=2) as made:
            yield made
