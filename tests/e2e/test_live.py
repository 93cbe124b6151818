"""Two participants of one group working on the same checklist at the same time."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import (
    add_item,
    detail_field,
    edit_title,
    item,
    item_by_id,
    join,
    title_field,
    wait_saved,
)
from tests.support import LiveServer, setup_workshop


def test_an_item_added_and_edited_by_one_appears_for_the_other(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    code = setup_workshop(fac)["groups"][0]["join_code"]
    ana, budi = browsing.page(), browsing.page()
    join(ana, code, "Ana")
    join(budi, code, "Budi")
    expect(ana.get_by_role("list", name="Here now")).to_contain_text("Budi")

    card = add_item(ana, "Interpreters at first contact")
    item_id = card.get_attribute("data-item-id")
    assert item_id
    theirs = item_by_id(budi, item_id)
    expect(title_field(theirs)).to_have_value("Interpreters at first contact")

    edit_title(card, "Trained interpreters at first contact")
    expect(title_field(theirs)).to_have_value("Trained interpreters at first contact")
    detail = detail_field(theirs)
    detail.fill("Police stations near the border rarely have one.")
    detail.blur()
    expect(detail_field(card)).to_have_value("Police stations near the border rarely have one.")
    wait_saved(ana)
    wait_saved(budi)


def test_the_field_being_typed_in_keeps_its_draft(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    code = setup_workshop(fac)["groups"][0]["join_code"]
    ana, budi = browsing.page(), browsing.page()
    join(ana, code, "Ana")
    join(budi, code, "Budi")
    mine = add_item(ana, "Shelters")
    theirs = item(budi, "Shelters")

    field = title_field(theirs)
    field.click()
    field.press("End")
    field.press_sequentially(" for men")
    # Ana sees who is editing what, and Budi's text once he pauses.
    expect(mine).to_contain_text("Budi editing")
    expect(title_field(mine)).to_have_value("Shelters for men")

    edit_title(mine, "Shelters for children")
    expect(theirs.get_by_text("Someone else changed this while you were typing")).to_be_visible()
    expect(field).to_have_value("Shelters for men")
    expect(field).to_be_focused()

    # Leaving the field sends Budi's version again: the later writer wins, and is told so.
    field.press("Enter")
    expect(title_field(mine)).to_have_value("Shelters for men")
    expect(budi.get_by_role("status").filter(has_text="replaced someone else")).to_be_visible()
    wait_saved(budi)
