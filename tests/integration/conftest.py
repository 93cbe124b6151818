"""Fixtures for the scale-out tests: each test starts its own app processes on a fresh
PostgreSQL database (``pg_url``), since they kill, cut off and restart things."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.cluster import Cluster, cluster


@pytest.fixture
def pair(pg_url: str) -> Iterator[Cluster]:
    """Two uvicorn processes on one PostgreSQL database."""
    with cluster(pg_url, processes=2) as made:
        yield made


@pytest.fixture
def one(pg_url: str) -> Iterator[Cluster]:
    """One uvicorn process on a PostgreSQL database."""
    with cluster(pg_url, processes=1) as made:
        yield made
