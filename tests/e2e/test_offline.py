"""Losing the connection: offline Wi-Fi, a reload with changes unsent, a server killed."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import SOCKET_FAILED, Browsing
from tests.e2e.screens import (
    Backstage,
    SocketGate,
    add_item,
    detail_field,
    edit_title,
    item,
    join,
    status_bar,
    title_field,
    unsaved,
    wait_live,
    wait_saved,
)
from tests.support import LiveServer, setup_workshop


def test_changes_made_offline_are_saved_once_when_back_online(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    browsing.allow(SOCKET_FAILED)
    backstage = Backstage(shared_server)
    world = setup_workshop(backstage.api)
    group = world["groups"][0]
    context = browsing.context()
    page = browsing.page(context)
    join(page, group["join_code"], "Ana")
    saved_before = add_item(page, "Safe houses run by NGOs")
    wait_saved(page)

    context.set_offline(True)
    expect(status_bar(page)).to_have_attribute("data-link", "offline")
    card = add_item(page, "Hotline in Thai, Khmer and Burmese")
    detail = detail_field(card)
    detail.fill("Open at night too.")
    detail.blur()
    edit_title(saved_before, "Safe houses run by accredited NGOs")
    unsaved(page, 3)
    expect(status_bar(page)).to_contain_text("sent when the connection returns")
    expect(card.get_by_text("Not yet saved")).to_be_visible()

    context.set_offline(False)
    wait_saved(page, timeout=15_000)
    wait_live(page)

    items = backstage.items(world["id"], group["checklist_id"])
    assert sorted((i["title"], i["detail"]) for i in items) == [
        ("Hotline in Thai, Khmer and Burmese", "Open at night too."),
        ("Safe houses run by accredited NGOs", ""),
    ]
    new_id = card.get_attribute("data-item-id")
    assert new_id
    assert len(backstage.item_events(world["id"], new_id, "item.create")) == 1
    assert len(backstage.item_events(world["id"], new_id, "item.update")) == 1


def test_a_reload_keeps_changes_not_yet_sent(browsing: Browsing, shared_server: LiveServer) -> None:
    backstage = Backstage(shared_server)
    world = setup_workshop(backstage.api)
    group = world["groups"][0]
    context = browsing.context()
    gate = SocketGate(context)
    page = browsing.page(context)
    join(page, group["join_code"], "Ana")

    gate.hold_ops = True
    card = add_item(page, "Legal aid from the first interview")
    item_id = card.get_attribute("data-item-id")
    unsaved(page, 1)

    page.reload()
    wait_live(page)
    card = item(page, "Legal aid from the first interview")
    assert card.get_attribute("data-item-id") == item_id
    expect(card.get_by_text("Not yet saved")).to_be_visible()
    unsaved(page, 1)
    assert backstage.items(world["id"], group["checklist_id"]) == []

    gate.hold_ops = False
    gate.reopen()
    wait_saved(page)
    items = backstage.items(world["id"], group["checklist_id"])
    assert [(i["id"], i["title"]) for i in items] == [
        (item_id, "Legal aid from the first interview")
    ]


def test_a_server_killed_and_restarted_saves_pending_edits_once(
    own_browsing: Browsing, server: LiveServer
) -> None:
    own_browsing.allow(SOCKET_FAILED)
    backstage = Backstage(server)
    world = setup_workshop(backstage.api)
    group = world["groups"][0]
    context = own_browsing.context()
    gate = SocketGate(context)
    page = own_browsing.page(context)
    join(page, group["join_code"], "Ana")
    card = add_item(page, "Medical check on arrival")
    item_id = card.get_attribute("data-item-id")
    assert item_id
    wait_saved(page)

    # The server commits this edit, but its confirmation never reaches the page.
    gate.hold_replies = True
    edit_title(card, "Medical and psychological check on arrival")
    unsaved(page, 1)
    _wait_for_title(backstage, world["id"], group["checklist_id"], item_id, "psychological")

    server.kill()
    expect(status_bar(page)).not_to_have_attribute("data-link", "live")
    # And this one is made while there is no server at all.
    detail = detail_field(card)
    detail.fill("Within 24 hours, by a doctor of the person's choosing.")
    detail.blur()
    unsaved(page, 2)

    gate.hold_replies = False
    server.start()
    wait_saved(page, timeout=30_000)
    expect(title_field(card)).to_have_value("Medical and psychological check on arrival")

    updates = backstage.item_events(world["id"], item_id, "item.update")
    assert [sorted(c["values"]) for e in updates for c in e["changes"]] == [
        ["title", "updated_seq"],
        ["detail", "updated_seq"],
    ]
    [saved] = backstage.items(world["id"], group["checklist_id"])
    assert saved["title"] == "Medical and psychological check on arrival"
    assert saved["detail"] == "Within 24 hours, by a doctor of the person's choosing."


def _wait_for_title(
    backstage: Backstage, workshop_id: int, checklist_id: int, item_id: str, part: str
) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        titles = {i["id"]: i["title"] for i in backstage.items(workshop_id, checklist_id)}
        if part in titles.get(item_id, ""):
            return
        time.sleep(0.1)
    raise AssertionError(f"the server never saved the edit of {item_id}")


# What Chromium reports for the requests the app makes while the network is off.
NO_NETWORK = re.compile(r"^Failed to load resource: net::ERR_INTERNET_DISCONNECTED")


def test_three_edits_made_offline_survive_a_reload_without_network(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    browsing.allow(SOCKET_FAILED, NO_NETWORK)
    backstage = Backstage(shared_server)
    world = setup_workshop(backstage.api)
    group = world["groups"][0]
    context = browsing.context()
    page = browsing.page(context)
    join(page, group["join_code"], "Ana")
    earlier = add_item(page, "Interpreters at the first interview")
    wait_saved(page)
    other = browsing.page()
    join(other, group["join_code"], "Budi")
    wait_live(other)
    # The app's service worker has kept the page and its scripts.
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")

    context.set_offline(True)
    expect(status_bar(page)).to_have_attribute("data-link", "offline")
    edit_title(earlier, "Trained interpreters at the first interview")
    card = add_item(page, "Shelter places for men and boys")
    item_id = card.get_attribute("data-item-id")
    detail = detail_field(card)
    detail.fill("At least one in each province.")
    detail.blur()
    unsaved(page, 3)

    page.reload()
    # Without a network the checklist still opens, from what this browser saved.
    expect(item(page, "Trained interpreters at the first interview")).to_be_visible()
    card = item(page, "Shelter places for men and boys")
    assert card.get_attribute("data-item-id") == item_id
    expect(detail_field(card)).to_have_value("At least one in each province.")
    expect(card.get_by_text("Not yet saved")).to_be_visible()
    expect(status_bar(page)).to_have_attribute("data-link", "offline")
    unsaved(page, 3)
    assert [i["title"] for i in backstage.items(world["id"], group["checklist_id"])] == [
        "Interpreters at the first interview"
    ]

    context.set_offline(False)
    wait_saved(page, timeout=15_000)
    expected = [
        ("Shelter places for men and boys", "At least one in each province."),
        ("Trained interpreters at the first interview", ""),
    ]
    saved = backstage.items(world["id"], group["checklist_id"])
    assert sorted((i["title"], i["detail"]) for i in saved) == expected
    # The other participant, online all along, gets all three edits.
    expect(detail_field(item(other, "Shelter places for men and boys"))).to_have_value(
        "At least one in each province."
    )
    item(other, "Trained interpreters at the first interview")
    assert len(backstage.item_events(world["id"], item_id, "item.create")) == 1
