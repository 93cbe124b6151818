"""The app shortens the GIL's switch interval while it runs (see ``Settings``), and gives
the process its own back when it stops."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from roundtable.app import create_app
from roundtable.config import Settings
from tests.support import create_schema


def test_the_switch_interval_is_set_while_the_app_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    create_schema(url)
    before = sys.getswitchinterval()
    settings = Settings(database_url=url, secret_key="test", gil_switch_interval_us=300)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").status_code == 200
        assert sys.getswitchinterval() == pytest.approx(300e-6)
    assert sys.getswitchinterval() == before


def test_the_interval_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().gil_switch_interval_us == 200
    monkeypatch.setenv("ROUNDTABLE_GIL_SWITCH_INTERVAL_US", "1000")
    assert Settings().gil_switch_interval_us == 1000
    for wrong in ("10", "100000"):
        monkeypatch.setenv("ROUNDTABLE_GIL_SWITCH_INTERVAL_US", wrong)
        with pytest.raises(ValidationError, match="GIL_SWITCH_INTERVAL_US"):
            Settings()
