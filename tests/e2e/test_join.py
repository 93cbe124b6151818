"""Getting in: joining a group with a code, and the facilitator's sign-in and sign-out."""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing, http_status
from tests.e2e.screens import join, sign_in
from tests.support import LiveServer, setup_workshop


def test_join_from_a_link_with_the_code(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    group = world["groups"][0]
    page = browsing.page()

    join(page, group["join_code"], "Ana Lim")

    expect(page.get_by_role("heading", name=group["name"])).to_be_visible()
    expect(page).to_have_url(f"/w/{world['id']}/c/{group['checklist_id']}")
    expect(page.get_by_role("list", name="Here now")).to_contain_text("Ana Lim (you)")


def test_join_by_typing_the_code(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    group = setup_workshop(fac)["groups"][1]
    page = browsing.page()

    join(page, group["join_code"], "Budi", typed=True)

    expect(page.get_by_role("heading", name=group["name"])).to_be_visible()
    # Coming back to the start page leads straight back to the checklist.
    page.goto("/")
    expect(page.get_by_role("heading", name=group["name"])).to_be_visible()


def test_a_wrong_code_says_so_and_keeps_the_form(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    browsing.allow(http_status(404))
    page = browsing.page()
    page.goto("/join")
    page.get_by_label("Group code").fill("ZZZZ99")
    page.get_by_label("Your name").fill("Chai")
    page.get_by_role("button", name="Join", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text(
        "No group has this code. Check it with your facilitator."
    )
    code = page.get_by_label("Group code")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your name")).to_have_value("Chai")
    expect(page).to_have_url("/join")


def test_facilitator_signs_in_and_out(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    page = browsing.page()

    # The dashboard's review queue asks for its flags a moment after it opens; that request is
    # held until the facilitator has signed out. Answered then, it could only be a 401 (a
    # console error): signing out must call it off instead.
    held: list[Any] = []
    page.route("**/safeguards/flags", lambda route: held.append(route))
    sign_in(page)
    with page.expect_request("**/safeguards/flags"):
        page.get_by_role("link", name="Test roundtable").last.click()
    expect(page).to_have_url(f"/w/{world['id']}")
    expect(page.get_by_role("link", name="Group A", exact=True)).to_be_visible()
    assert held, "the flags request was not held"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Join your group")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    for route in held:
        with contextlib.suppress(Exception):  # called off by the page: nothing left to answer
            route.continue_()
    page.wait_for_timeout(300)
    # Signed out for real: the facilitator's pages send them to sign in again.
    page.goto("/w")
    expect(page.get_by_role("heading", name="Facilitator sign-in")).to_be_visible()
