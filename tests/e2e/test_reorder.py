"""Reordering items by drag and drop within a section."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import add_item, join, wait_saved
from tests.support import LiveServer, ok, setup_workshop


def test_drag_an_item_above_another(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    group = world["groups"][0]
    ana = browsing.page()
    join(ana, group["join_code"], "Ana")
    first = add_item(ana, "Shelters")
    add_item(ana, "Interpreters")
    last = add_item(ana, "Legal aid")
    wait_saved(ana)

    # Dropped on the upper half of the first card: it goes above it.
    last.get_by_test_id("drag-handle").drag_to(first, target_position={"x": 40, "y": 4})
    needs = ana.get_by_role("region", name="Needs (3 items)")
    shows_order(ana, ["Legal aid", "Shelters", "Interpreters"])
    wait_saved(ana)

    items = ok(fac.get(f"/api/workshops/{world['id']}/checklists/{group['checklist_id']}/items"))
    ordered = sorted((i for i in items if i["kind"] == "need"), key=lambda i: i["position"])
    assert [i["title"] for i in ordered] == ["Legal aid", "Shelters", "Interpreters"]

    # Again, onto the middle card: it lands between the first two (a key between theirs).
    cards = needs.locator("li[data-item-id]")
    cards.nth(2).get_by_test_id("drag-handle").drag_to(
        cards.nth(1), target_position={"x": 40, "y": 4}
    )
    shows_order(ana, ["Legal aid", "Interpreters", "Shelters"])
    wait_saved(ana)
    items = ok(fac.get(f"/api/workshops/{world['id']}/checklists/{group['checklist_id']}/items"))
    ordered = sorted((i for i in items if i["kind"] == "need"), key=lambda i: i["position"])
    assert [i["title"] for i in ordered] == ["Legal aid", "Interpreters", "Shelters"]


def shows_order(page: Page, titles: list[str]) -> None:
    page.wait_for_function(
        """(titles) => JSON.stringify(
             [...document.querySelectorAll('li[data-item-id] textarea.title')].map((f) => f.value)
           ) === JSON.stringify(titles)""",
        arg=titles,
        timeout=10_000,
    )


def test_move_buttons_stay_beside_the_handle(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    ana = browsing.page()
    join(ana, world["groups"][0]["join_code"], "Ana")
    add_item(ana, "Shelters")
    add_item(ana, "Interpreters")
    add_item(ana, "Legal aid")
    up = ana.get_by_role("button", name="Move \u201cLegal aid\u201d up")
    up.click()
    shows_order(ana, ["Shelters", "Legal aid", "Interpreters"])
    # The keyboard stays on the button that moved the item.
    expect(up).to_be_focused()
