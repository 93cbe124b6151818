"""Browser tests: Debian's Chromium driven by Playwright, against a real server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support import ROOT, LiveServer, create_facilitator_account, create_schema

CHROMIUM = os.environ.get("ROUNDTABLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SPA_BUILT = (ROOT / "backend" / "roundtable" / "static" / "index.html").is_file()


def _require_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        missing.append(f"Chromium ({CHROMIUM}; `make browsers` installs it)")
    if not SPA_BUILT:
        missing.append("the built browser app (`make frontend`)")
    if missing:
        if IN_CI:
            pytest.fail("browser tests need " + " and ".join(missing))
        pytest.skip("browser tests need " + " and ".join(missing))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    create_schema(url)
    create_facilitator_account(url)
    srv = LiveServer(url).start()
    yield srv
    srv.stop()
