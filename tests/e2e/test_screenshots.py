"""A full-page screenshot of each main screen, kept in test-artifacts/screens/."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import add_item, join, sign_in, wait_saved
from tests.support import ROOT, LiveServer, setup_workshop

SCREENS = ROOT / "test-artifacts" / "screens"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shoot(page: Page, name: str) -> None:
    path = SCREENS / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} is only {len(data)} bytes"


def test_screenshots_of_the_main_screens(browsing: Browsing, shared_server: LiveServer) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    group = world["groups"][0]

    page = browsing.page()
    page.goto(f"/?code={group['join_code']}")
    expect(page.get_by_label("Your name")).to_be_visible()
    shoot(page, "join")
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_visible()
    shoot(page, "sign-in")
    sign_in(page)
    expect(page.get_by_role("link", name="Test roundtable").first).to_be_visible()
    shoot(page, "workshop-list")

    participant = browsing.page()
    join(participant, group["join_code"], "Ana")
    add_item(participant, "Child-friendly interview rooms")
    add_item(participant, "Guardianship for unaccompanied children", kind="response")
    add_item(participant, "Joint interviews with social workers", kind="practice")
    wait_saved(participant)
    shoot(participant, "checklist")

    page.goto(f"/w/{world['id']}")
    expect(page.get_by_role("article", name="Group A")).to_contain_text("1 here now")
    shoot(page, "dashboard")
    page.goto(f"/w/{world['id']}/c/{group['checklist_id']}/projector")
    expect(page.get_by_text("Child-friendly interview rooms")).to_be_visible()
    shoot(page, "projector")

    names = {p.name for p in SCREENS.glob("*.png")}
    assert names >= {
        f"{n}.png"
        for n in ("join", "sign-in", "workshop-list", "checklist", "dashboard", "projector")
    }
