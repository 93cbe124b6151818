"""The facilitator's dashboard: phase and reveal reach participants live; codes, timer,
projector."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import add_item, join, sign_in, wait_live
from tests.support import LiveServer, ok, setup_workshop

REVEAL = "Groups see each other\u2019s checklists"


def test_phase_and_reveal_reach_participants_live(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    group_a, group_b = world["groups"]
    ana = browsing.page()
    join(ana, group_a["join_code"], "Ana")
    add_item(ana, "Screening in the local language")

    page = browsing.page()
    sign_in(page)
    page.goto(f"/w/{world['id']}")
    wait_live(page)
    card = page.get_by_role("article", name=group_a["name"])
    expect(card.get_by_test_id("count-need")).to_have_text("1")
    expect(card).to_contain_text("1 here now")
    expect(card.get_by_role("list", name=f"Here now in {group_a['name']}")).to_contain_text("Ana")
    expect(card).to_contain_text("Screening in the local language")

    page.get_by_role("radio", name="consolidation").check()
    expect(ana.get_by_text("closed for editing in the consolidation phase")).to_be_visible()
    expect(ana.get_by_label("New need", exact=True)).to_have_count(0)

    page.get_by_role("switch", name=REVEAL).check()
    ana.get_by_role("link", name="All checklists").click()
    expect(ana.get_by_role("link", name=group_b["name"])).to_be_visible()
    ana.get_by_role("link", name=group_a["name"]).click()

    page.get_by_role("radio", name="breakout").check()
    expect(ana.get_by_text("closed for editing")).to_have_count(0)
    add_item(ana, "Interpreters on call")
    expect(card.get_by_test_id("count-need")).to_have_text("2")
    page.get_by_role("switch", name=REVEAL).uncheck()
    expect(ana.get_by_role("link", name="All checklists")).to_have_count(0)

    workshop = ok(fac.get(f"/api/workshops/{world['id']}"))
    assert (workshop["phase"], workshop["reveal"]) == ("breakout", False)


def test_codes_timer_and_projector(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    group = world["groups"][0]
    ana = browsing.page()
    join(ana, group["join_code"], "Ana")
    add_item(ana, "Child-friendly interview rooms")

    page = browsing.page()
    sign_in(page)
    page.goto(f"/w/{world['id']}")
    card = page.get_by_role("article", name=group["name"])
    code = card.get_by_test_id("join-code")
    expect(code).to_have_text(group["join_code"])
    card.get_by_role("button", name=f"Give {group['name']} a new join code").click()
    card.get_by_role("button", name="Make a new code").click()
    expect(code).not_to_have_text(group["join_code"])
    [fresh] = ok(fac.get(f"/api/workshops/{world['id']}/groups"))
    expect(code).to_have_text(fresh["join_code"])

    clock = page.get_by_test_id("timer-clock")
    page.get_by_label("Minutes").fill("10")
    page.get_by_label("Minutes").press("Tab")
    expect(clock).to_have_text("10:00")
    page.get_by_role("button", name="Start").click()
    expect(clock).to_have_text(re.compile(r"^(10:00|09:5\d)$"))

    card.get_by_role("link", name=f"Projector view of {group['name']}").click()
    expect(page.get_by_role("heading", name=group["name"], level=1)).to_be_visible()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^0\d:[0-5]\d$"))
    expect(page.get_by_text(fresh["join_code"])).to_be_visible()
    add_item(ana, "Guardians appointed within a day")
    needs = page.get_by_role("region", name=re.compile("^Needs"))
    expect(needs.get_by_role("listitem")).to_have_text(
        ["Child-friendly interview rooms", "Guardians appointed within a day"]
    )
