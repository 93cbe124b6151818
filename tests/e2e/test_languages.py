"""The language switch: Thai and Bahasa Indonesia, remembered, and set on <html lang>."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import no_horizontal_overflow
from tests.support import LiveServer, setup_workshop


def test_switching_to_thai_shows_thai_and_is_remembered(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    group = setup_workshop(fac)["groups"][0]
    page = browsing.page(width=360, height=740)
    page.goto(f"/?code={group['join_code']}")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option(label="ไทย")
    expect(page.get_by_role("heading", name="เข้าร่วมกลุ่มของคุณ")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_label("ภาษา")).to_have_value("th")

    page.get_by_label("ชื่อของคุณ").fill("สมชาย")
    page.get_by_role("button", name="เข้าร่วม", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^ความต้องการ"))).to_be_visible()
    expect(page.locator(".status[data-link]")).to_contain_text("ออนไลน์")
    expect(page.get_by_label("เพิ่มความต้องการใหม่")).to_be_visible()
    no_horizontal_overflow(page)

    page.get_by_label("ภาษา").select_option(label="Bahasa Indonesia")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name=re.compile(r"^Kebutuhan"))).to_be_visible()
    expect(page.get_by_text("Semua perubahan tersimpan")).to_be_visible()
    no_horizontal_overflow(page)


# Notes the text of the first heading the app draws, before anything could change it.
FIRST_HEADING = """
window.__firstHeading = null;
new MutationObserver((_, observer) => {
  const heading = document.querySelector('main h1');
  if (!heading) return;
  window.__firstHeading = heading.textContent;
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""


def test_a_stored_language_is_there_from_the_first_frame(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    group = setup_workshop(fac)["groups"][0]
    page = browsing.page()
    page.add_init_script(FIRST_HEADING)
    page.goto(f"/?code={group['join_code']}")
    expect(page.get_by_role("heading", name="Join your group")).to_be_visible()
    assert page.evaluate("window.__firstHeading") == "Join your group"

    # Thai's words are fetched when chosen (they are not in the entry script) ...
    with page.expect_response(re.compile(r"/assets/th-[\w-]+\.js$")):
        page.get_by_label("Language").select_option(label="ไทย")
    expect(page.get_by_role("heading", name="เข้าร่วมกลุ่มของคุณ")).to_be_visible()

    # ... and, once stored, before the page is first drawn: no English flashes by.
    page.reload()
    expect(page.get_by_role("heading", name="เข้าร่วมกลุ่มของคุณ")).to_be_visible()
    assert page.evaluate("window.__firstHeading") == "เข้าร่วมกลุ่มของคุณ"
    expect(page.locator("html")).to_have_attribute("lang", "th")
