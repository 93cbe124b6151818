from __future__ import annotations

import pytest

from roundtable.config import Settings

# TestClient requests come from "testclient", not from this machine: they read the
# metrics with the bearer token (live servers here are scraped over loopback).
METRICS_TOKEN = "observability-test-token"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        poll_interval_s=0.5,
        metrics_token=METRICS_TOKEN,
    )
