"""An item's history: earlier values listed with who and when, one restored."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import add_item, edit_title, join, title_field, wait_saved
from tests.support import LiveServer, ok, setup_workshop


def test_restore_an_earlier_title(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1, attribution="named")
    ana = browsing.page()
    join(ana, world["groups"][0]["join_code"], "Ana")
    card = add_item(ana, "Interpreters")
    item_id = card.get_attribute("data-item-id")
    edit_title(card, "Interpreters on call")
    wait_saved(ana)

    card.get_by_text("History", exact=True).click()
    changes = card.get_by_role("list", name="Changes to Interpreters on call")
    entries = changes.get_by_role("listitem")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Changed")
    expect(entries.nth(0)).to_contain_text("by Ana")
    expect(entries.nth(0)).to_contain_text("(current value)")
    expect(entries.nth(1)).to_contain_text("Created")

    entries.nth(1).get_by_role("button", name="Restore Title to \u201cInterpreters\u201d").click()
    expect(title_field(card)).to_have_value("Interpreters")
    wait_saved(ana)
    restored = ok(fac.get(f"/api/workshops/{world['id']}/items/{item_id}"))
    assert restored["title"] == "Interpreters"
    # The restore is itself a change in the list, which is read again.
    expect(
        card.get_by_role("list", name="Changes to Interpreters").get_by_role("listitem")
    ).to_have_count(3)


def test_a_redaction_is_listed_and_the_number_is_gone_from_every_entry(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    number = "+66 81 234 5678"
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1, attribution="named")
    base = f"/api/workshops/{world['id']}"
    ana = browsing.page()
    join(ana, world["groups"][0]["join_code"], "Ana")
    card = add_item(ana, "Shelter visit")
    item_id = card.get_attribute("data-item-id")
    edit_title(card, f"Shelter visit, her aunt is on {number}")
    wait_saved(ana)

    card.get_by_text("History", exact=True).click()
    entries = card.locator("details.history li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(number)

    # The facilitator redacts while Ana has the history open: it is read again.
    ok(fac.post(f"{base}/safeguards/flags/item/{item_id}/redact"))
    expect(title_field(card)).to_have_value("Shelter visit, her aunt is on [redacted]")
    expect(entries).to_have_count(3)
    host = next(m for m in ok(fac.get(f"{base}/members")) if m["role"] == "facilitator")
    expect(entries.nth(0)).to_contain_text("Redacted")
    expect(entries.nth(0)).to_contain_text(f"by {host['display_name']}")
    expect(entries.nth(0)).to_contain_text("Personal details were removed (a phone number)")
    expect(entries.nth(0).locator("time")).to_have_count(1)
    # The earlier value that held the number now shows the redaction in its place.
    expect(entries.nth(1)).to_contain_text("Shelter visit, her aunt is on [redacted]")
    expect(entries.nth(2)).to_contain_text("Created")
    assert "234 5678" not in card.inner_text()
    assert "234 5678" not in ana.content()
