"""The demo workshop gives a facilitator something to consolidate: cross-group near-duplicates
that the engine suggests, and look-alikes it leaves apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from roundtable.consolidation.routes import merge_suggestions
from roundtable.db import make_engine, read_session
from roundtable.demo import seed_demo
from roundtable.ops import build_registry


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_the_demo_board_shows_sensible_suggestions(engine: Engine) -> None:
    workshop_id, _ = seed_demo(engine, build_registry(), password="demo-password-1")
    with read_session(engine) as db:
        found = merge_suggestions(db, workshop_id)
    assert len(found.items) >= 20
    suggested = [set(c.refs) for c in found.clusters]
    # Shelter not tied to testimony (C, D), freedom of movement (C, E), guardians (B, C),
    # legal aid in English and in Bahasa Indonesia (B, C), risks before return (A, D).
    assert len(suggested) >= 4
    for cluster in found.clusters:
        assert len({ref[0] for ref in cluster.refs}) > 1, f"{cluster.refs} is within one group"
        assert cluster.reason
    assert any("Bahasa Indonesia" in c.reason and "legal aid" in c.reason for c in found.clusters)
    # Telling smuggling from trafficking (B1) and forced labour at sea (B4) have no twin.
    assert not any(refs & {"B1", "B4"} for refs in suggested)
