"""The shared breakout timer and announcements reach every screen live."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import join, sign_in, wait_live
from tests.support import LiveServer, ok, setup_workshop


def test_facilitator_announces_and_sets_the_timer(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    group = world["groups"][0]
    ana = browsing.page()
    join(ana, group["join_code"], "Ana")
    wait_live(ana)
    expect(ana.get_by_test_id("shared-clock")).to_have_count(0)

    page = browsing.page()
    sign_in(page)
    page.goto(f"/w/{world['id']}")
    wait_live(page)
    page.get_by_label("Minutes").fill("10")
    page.get_by_label("Minutes").press("Tab")
    page.get_by_role("button", name="Start").click()
    page.get_by_role("textbox", name="Announcement").fill("Back in the main hall at 15:00")
    page.get_by_role("button", name="Announce", exact=True).click()

    ten = re.compile(r"^(10:00|09:[0-5]\d)$")
    expect(ana.get_by_test_id("shared-clock")).to_have_text(ten)
    banner = ana.get_by_role("status", name="Announcement")
    expect(banner).to_have_text(re.compile("Back in the main hall at 15:00"))
    expect(page.get_by_test_id("shared-clock")).to_have_text(ten)

    workshop = ok(fac.get(f"/api/workshops/{world['id']}"))
    assert workshop["announcement"] == "Back in the main hall at 15:00"
    ends = datetime.fromisoformat(workshop["breakout_ends_at"])
    assert abs(ends - (datetime.now(UTC) + timedelta(minutes=10))) < timedelta(minutes=1)

    # Dismissed by Ana for Ana only; a new announcement shows again.
    banner.get_by_role("button", name="Dismiss").click()
    expect(ana.get_by_test_id("announcement")).to_have_count(0)
    expect(page.get_by_test_id("announcement")).to_be_visible()
    ana.reload()
    wait_live(ana)
    expect(ana.get_by_test_id("shared-clock")).to_have_text(ten)
    expect(ana.get_by_test_id("announcement")).to_have_count(0)
    page.get_by_role("textbox", name="Announcement").fill("Five more minutes")
    page.get_by_role("button", name="Announce", exact=True).click()
    expect(ana.get_by_test_id("announcement")).to_contain_text("Five more minutes")

    page.get_by_role("button", name="Clear announcement").click()
    page.get_by_role("button", name="Stop").click()
    expect(ana.get_by_test_id("announcement")).to_have_count(0)
    expect(ana.get_by_test_id("shared-clock")).to_have_count(0)
