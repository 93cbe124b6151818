"""Every screen: no errors or CSP violations, fits a small phone, shows text as text, and
passes axe-core's accessibility rules."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_SCRIPT, Browsing, http_status
from tests.e2e.screens import (
    add_item,
    detail_field,
    item,
    join,
    no_horizontal_overflow,
    sign_in,
    title_field,
    wait_saved,
)
from tests.support import LiveServer, setup_workshop

PAYLOADS = ["<img src=x onerror=window.__xss=1>", "<script>window.__xss=1</script>"]


def test_no_console_errors_or_csp_violations_on_any_screen(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    group = world["groups"][0]
    visited: list[str] = []

    def clean(page: Page, what: str) -> None:
        visited.append(what)
        assert browsing.csp_violations(page) == [], what
        assert browsing.problems == [], what

    page = browsing.page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Join your group")).to_be_visible()
    clean(page, "start")
    page.goto("/nowhere")
    expect(page.get_by_text("There is nothing at this address.")).to_be_visible()
    clean(page, "not found")
    sign_in(page)
    clean(page, "workshops")
    page.goto(f"/w/{world['id']}")
    expect(page.get_by_role("link", name="Group B", exact=True)).to_be_visible()
    clean(page, "dashboard")
    page.get_by_role("link", name="Group A", exact=True).click()
    add_item(page, "Facilitator's first item")
    wait_saved(page)
    clean(page, "checklist as facilitator")
    page.get_by_role("link", name="Projector view").click()
    expect(page.get_by_role("heading", name="Group A", level=1)).to_be_visible()
    clean(page, "projector")

    participant = browsing.page()
    join(participant, group["join_code"], "Ana")
    item(participant, "Facilitator's first item")
    clean(participant, "checklist as participant")
    assert len(visited) == 7


def test_participant_screens_fit_a_360_px_phone(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    browsing.allow(http_status(404))
    fac = shared_server.api()
    fac.login()
    group = setup_workshop(fac)["groups"][0]
    page = browsing.page(width=360, height=740)

    page.goto("/join")
    no_horizontal_overflow(page)
    page.get_by_label("Group code").fill("NOPE42")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    no_horizontal_overflow(page)

    join(page, group["join_code"], "Ana Maria Lim-Villanueva")
    long_word = "Anti-trafficking" * 8
    card = add_item(page, f"Coordination {long_word}")
    detail = detail_field(card)
    detail.fill(f"See https://example.org/{long_word}/{long_word}")
    detail.blur()
    card.get_by_text("Tags").click()
    card.get_by_label("Government").check()
    card.get_by_label("International organisations").check()
    add_item(page, "Return with dignity", kind="practice")
    wait_saved(page)
    no_horizontal_overflow(page)

    card.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    no_horizontal_overflow(page)


def test_markup_in_an_item_is_shown_as_text(browsing: Browsing, shared_server: LiveServer) -> None:
    fac = shared_server.api()
    fac.login()
    code = setup_workshop(fac)["groups"][0]["join_code"]
    ana, budi = browsing.page(), browsing.page()
    join(ana, code, "Ana")
    join(budi, code, "Budi")

    for payload in PAYLOADS:
        card = add_item(ana, payload)
        detail = detail_field(card)
        detail.fill(payload)
        detail.blur()
    for payload in PAYLOADS:
        theirs = item(budi, payload)
        expect(title_field(theirs)).to_have_value(payload)
        expect(detail_field(theirs)).to_have_value(payload)
    # The undo bar and the alerts quote the title in plain text too.
    item(ana, PAYLOADS[0]).get_by_role("button", name="Delete").click()
    expect(ana.get_by_text(f"Deleted “{PAYLOADS[0]}”.")).to_be_visible()
    wait_saved(ana)

    for page in (ana, budi):
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img[src='x'], main script").count() == 0


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    return list(
        page.evaluate(
            """async () => (await axe.run(document)).violations.map((v) => ({
                 rule: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
               }))"""
        )
    )


def test_axe_finds_no_violations_on_the_main_screens(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    group = world["groups"][0]
    found: dict[str, list[dict[str, Any]]] = {}

    page = browsing.page(bypass_csp=True)
    page.goto(f"/?code={group['join_code']}")
    expect(page.get_by_label("Your name")).to_be_visible()
    found["join"] = _axe(page)
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_visible()
    found["sign-in"] = _axe(page)
    sign_in(page)
    expect(page.get_by_role("link", name="Test roundtable").first).to_be_visible()
    found["workshop list"] = _axe(page)

    participant = browsing.page(bypass_csp=True)
    join(participant, group["join_code"], "Ana")
    card = add_item(participant, "Child-friendly interview rooms")
    add_item(participant, "Guardianship for unaccompanied children", kind="response")
    card.get_by_text("Tags").click()
    expect(card.get_by_role("group", name="Themes and actors")).to_be_visible()
    wait_saved(participant)
    found["checklist"] = _axe(participant)

    page.goto(f"/w/{world['id']}")
    expect(page.get_by_role("article", name="Group A")).to_contain_text("1 here now")
    found["dashboard"] = _axe(page)
    page.goto(f"/w/{world['id']}/c/{group['checklist_id']}/projector")
    expect(page.get_by_text("Child-friendly interview rooms")).to_be_visible()
    found["projector"] = _axe(page)

    assert {screen: v for screen, v in found.items() if v} == {}
