from __future__ import annotations

import pytest

from tests.observability.test_metrics import scrape
from tests.support import Api, setup_workshop


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: exports add nothing database-specific here."""
    return sqlite_url


def test_an_export_is_timed_and_leaves_the_queue(fac: Api) -> None:
    ws = setup_workshop(fac, groups=1, phase="consolidation")
    before = scrape(fac)
    r = fac.get(f"/api/workshops/{ws['id']}/export/md")
    assert r.status_code == 200, r.text
    after = scrape(fac)
    count = "roundtable_export_duration_seconds_count"
    assert after[count] == before[count] + 1
    assert after["roundtable_export_duration_seconds_sum"] > 0
    assert after["roundtable_export_queue_length"] == 0
