"""Browser tests: Debian's Chromium driven by Playwright, against a real server.

Every page a test opens is watched: an uncaught exception, a console error or a
Content-Security-Policy violation fails the test when its contexts are closed. Tests that
take the network away or send a wrong code on purpose allow the browser's own report of
that ("WebSocket connection ... failed", "status of 404"), and nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
AXE_SCRIPT = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# The browser's own reports of a socket it could not open (offline, server down) and of a
# request that failed; a test allows the ones it provokes.
SOCKET_FAILED = re.compile(r"^WebSocket connection to '.*' failed")


def http_status(status: int) -> re.Pattern[str]:
    return re.compile(rf"^Failed to load resource: the server responded with a status of {status}")


# Records what the page's Content-Security-Policy refused, whatever the console says.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


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
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    # Other test suites may share the machine's two cores: allow for a slow moment.
    expect.set_options(timeout=10_000)

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _start_server(path: Path) -> LiveServer:
    url = f"sqlite:///{path}"
    create_schema(url)
    create_facilitator_account(url)
    return LiveServer(url).start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own, for tests that stop it."""
    srv = _start_server(tmp_path / "e2e.sqlite3")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the tests that leave it running; each makes its own workshop."""
    srv = _start_server(tmp_path_factory.mktemp("e2e") / "e2e.sqlite3")
    yield srv
    srv.stop()


class Browsing:
    """The contexts and pages of one test, watched for errors and closed at its end."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.problems: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, *patterns: re.Pattern[str]) -> None:
        """Console errors matching these are the browser reporting what the test provoked."""
        self.allowed.extend(patterns)

    def context(self, *, width: int = 1024, height: int = 800, **options: Any) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": width, "height": height}, **options
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_PROBE)
        self.contexts.append(context)
        return context

    def page(self, context: Any | None = None, **options: Any) -> Any:
        page = (context or self.context(**options)).new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        return page

    def _console(self, page: Any, message: Any) -> None:
        if message.type != "error":
            return
        if any(p.search(message.text) for p in self.allowed):
            return
        self.problems.append(f"console error on {page.url}: {message.text}")

    def csp_violations(self, page: Any) -> list[str]:
        return list(page.evaluate("window.__cspViolations ?? []"))

    def close(self) -> None:
        for context in self.contexts:
            for page in context.pages:
                if not page.is_closed():
                    try:
                        violations = self.csp_violations(page)
                    except Exception:  # a page in the middle of navigating
                        violations = []
                    self.problems.extend(f"CSP on {page.url}: {v}" for v in violations)
            context.close()
        self.contexts.clear()


@pytest.fixture
def browsing(browser: Any, shared_server: LiveServer) -> Iterator[Browsing]:
    b = Browsing(browser, shared_server.base_url)
    yield b
    b.close()
    assert not b.problems, "\n".join(b.problems)


@pytest.fixture
def own_browsing(browser: Any, server: LiveServer) -> Iterator[Browsing]:
    """Like ``browsing``, on the test's own server."""
    b = Browsing(browser, server.base_url)
    yield b
    b.close()
    assert not b.problems, "\n".join(b.problems)
