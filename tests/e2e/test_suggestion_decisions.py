"""Dismissing a merge suggestion, in Chromium against a real server: it is stored for the
workshop, so it leaves a co-facilitator's board live, stays gone after a reload, and can be
taken back (the Undo right after, or "Bring back" from the list of dismissed suggestions)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import join, sign_in, wait_live
from tests.e2e.test_consolidation import SHELTER_A, SHELTER_B, add_items, set_phase
from tests.support import Api, LiveServer, ok, setup_workshop


def board(page: Page, wid: int) -> None:
    page.goto(f"/w/{wid}/consolidate")
    expect(page.get_by_role("heading", name="Consolidation board", level=1)).to_be_visible()
    wait_live(page)


def shelters(page: Page) -> Any:
    return page.get_by_test_id("suggestion").filter(has_text=SHELTER_A).filter(has_text=SHELTER_B)


def suggested_together(fac: Api, wid: int) -> bool:
    """Whether the server suggests the two shelter items (A1 and B1) in one merge."""
    body = ok(fac.get(f"/api/workshops/{wid}/suggestions"))
    return any({"A1", "B1"} <= set(c["refs"]) for c in body["clusters"])


def test_a_dismissal_is_kept_shared_and_undoable(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    wid = world["id"]
    add_items(fac, world)
    # Dewi joins as a participant and is made a co-facilitator.
    dewi = browsing.page(width=1366, height=900)
    join(dewi, world["groups"][0]["join_code"], "Dewi")
    [member] = [
        m for m in ok(fac.get(f"/api/workshops/{wid}/members")) if m["display_name"] == "Dewi"
    ]
    ok(fac.patch(f"/api/workshops/{wid}/members/{member['id']}", json={"role": "facilitator"}))
    set_phase(fac, wid, "consolidation")

    page = browsing.page(width=1366, height=900)
    sign_in(page)
    board(page, wid)
    board(dewi, wid)
    expect(shelters(page)).to_have_count(1)
    expect(shelters(dewi)).to_have_count(1)

    shelters(page).get_by_role("button", name="Dismiss").click()
    expect(shelters(page)).to_have_count(0)
    notice = page.get_by_test_id("dismissed-notice")
    expect(notice).to_contain_text("Dismissed A1 + B1")
    # The co-facilitator's board drops it too, without a reload.
    expect(shelters(dewi)).to_have_count(0)
    expect(dewi.get_by_test_id("dismissed-suggestions")).to_contain_text("1 dismissed suggestion")

    # Undo right after: back on both boards.
    notice.get_by_role("button", name="Undo").click()
    expect(shelters(page)).to_have_count(1)
    expect(shelters(dewi)).to_have_count(1)
    expect(page.get_by_test_id("dismissed-notice")).to_have_count(0)

    # Dismissed again, it stays gone after a reload, and the server suggests it no more.
    shelters(page).get_by_role("button", name="Dismiss").click()
    expect(shelters(dewi)).to_have_count(0)
    page.reload()
    wait_live(page)
    expect(page.get_by_text("No suggestions left.")).to_be_visible()
    expect(shelters(page)).to_have_count(0)
    assert not suggested_together(fac, wid)

    # Brought back from the list by the co-facilitator.
    listed = dewi.get_by_test_id("dismissed-suggestions")
    listed.locator("summary").click()
    listed.get_by_role("button", name="Bring back").click()
    expect(shelters(dewi)).to_have_count(1)
    expect(shelters(page)).to_have_count(1)
    assert suggested_together(fac, wid)
