"""The consolidation board and the agreement round, in Chromium against a real server.

A facilitator accepts a suggested merge, edits the consolidated item and unmerges one source
while two participants watch their items' "merged into K…" marks come and go; three
participants mark their agreement and the facilitator's tally matches the exported JSON.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import (
    item,
    join,
    no_horizontal_overflow,
    sign_in,
    title_field,
    wait_live,
    wait_saved,
)
from tests.e2e.test_screens import _axe
from tests.support import Api, LiveServer, ok, setup_workshop

SHELTER_A = "Open shelters to men and boys who were trafficked"
SHELTER_B = "Open shelters for trafficked men and boys"
OTHERS = {
    0: ["Train border officials to screen for trafficking indicators"],
    1: ["Pay for interpreters in every police interview"],
}


def add_items(fac: Api, world: dict[str, Any]) -> None:
    wid = world["id"]
    lists = ([SHELTER_A, *OTHERS[0]], [SHELTER_B, *OTHERS[1]])
    for group, titles in zip(world["groups"], lists, strict=False):
        checklist = group["checklist_id"]
        for title in titles:
            body = {"kind": "need", "title": title, "themes": []}
            ok(fac.post(f"/api/workshops/{wid}/checklists/{checklist}/items", json=body), 201)


def set_phase(fac: Api, wid: int, phase: str) -> None:
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": phase}))


def merged_mark(page: Page, title: str) -> Any:
    return item(page, title).get_by_test_id("merged-into")


def consolidated(fac: Api, world: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/api/workshops/{world['id']}/checklists/{world['consolidated']}/items"
    return list(ok(fac.get(path)))


def test_accept_edit_and_unmerge_reach_the_groups_live(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    add_items(fac, world)
    ana, budi = browsing.page(), browsing.page()
    join(ana, world["groups"][0]["join_code"], "Ana")
    join(budi, world["groups"][1]["join_code"], "Budi")
    set_phase(fac, world["id"], "consolidation")

    page = browsing.page(width=1366, height=900)
    sign_in(page)
    page.goto(f"/w/{world['id']}")
    page.get_by_role("link", name="Consolidation board").click()
    expect(page.get_by_role("heading", name="Consolidation board", level=1)).to_be_visible()
    wait_live(page)
    suggestion = page.get_by_test_id("suggestion").filter(has_text=SHELTER_A)
    expect(suggestion).to_contain_text(SHELTER_B)
    expect(suggestion).to_contain_text(re.compile(r"\d+%"))
    expect(merged_mark(ana, SHELTER_A)).to_have_count(0)

    suggestion.get_by_role("button", name="Accept").click()
    # Accepted suggestions leave the list; the new item lists both sources.
    expect(page.get_by_test_id("suggestion").filter(has_text=SHELTER_A)).to_have_count(0)
    k1 = page.locator(".consolidated[data-ref='K1']")
    expect(k1.get_by_role("list")).to_contain_text(SHELTER_A)
    expect(k1.get_by_role("list")).to_contain_text(SHELTER_B)
    expect(merged_mark(ana, SHELTER_A)).to_have_text("merged into K1")
    expect(merged_mark(budi, SHELTER_B)).to_have_text("merged into K1")
    expect(merged_mark(ana, OTHERS[0][0])).to_have_count(0)

    title = k1.get_by_label("Title of K1")
    title.fill("Shelters open to trafficked men and boys")
    title.press("Enter")
    wait_saved(page)
    k1_rows = consolidated(fac, world)
    assert [row["title"] for row in k1_rows] == ["Shelters open to trafficked men and boys"]

    k1.get_by_role("button", name="Unmerge A1").click()
    expect(merged_mark(ana, SHELTER_A)).to_have_count(0)
    expect(merged_mark(budi, SHELTER_B)).to_have_text("merged into K1")
    expect(k1.get_by_role("list")).not_to_contain_text(SHELTER_A)
    # The edited consolidated item keeps its text; the unmerged item is to be handled again.
    expect(title_field(k1)).to_have_value("Shelters open to trafficked men and boys")
    todo = page.get_by_role("list", name=re.compile(r"^Still to handle"))
    expect(todo).to_contain_text(SHELTER_A)
    todo.get_by_role("button", name=re.compile(SHELTER_A)).click()
    expect(page.get_by_label(f"Pick A1: {SHELTER_A}")).to_be_focused()
    wait_saved(page)
    for who in (ana, budi):
        expect(title_field(item(who, SHELTER_A if who is ana else SHELTER_B))).to_be_visible()


def merge(fac: Api, wid: int, source_ids: list[str], new_id: str, position: str) -> dict[str, Any]:
    body = {"source_ids": source_ids, "id": new_id, "position": position}
    return dict(ok(fac.post(f"/api/workshops/{wid}/consolidation/merge", json=body)))


def test_agreement_round_tally_matches_the_export(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    add_items(fac, world)
    wid, code = world["id"], world["groups"][0]["join_code"]
    # Ana is on a small phone; her screen is checked for fit and accessibility.
    people = [browsing.page(width=360, height=740, bypass_csp=True)]
    people += [browsing.page() for _ in range(2)]
    for page, name in zip(people, ("Ana", "Budi", "Chai"), strict=True):
        join(page, code, name)
    group_items = list(
        ok(fac.get(f"/api/workshops/{wid}/checklists/{world['groups'][0]['checklist_id']}/items"))
    )
    set_phase(fac, wid, "consolidation")
    k1 = merge(fac, wid, [group_items[0]["id"]], "consolidated-one", "V")
    merge(fac, wid, [group_items[1]["id"]], "consolidated-two", "W")
    set_phase(fac, wid, "review")

    levels = ("Full agreement", "Agree with reservations", "Disagree")
    for page, level in zip(people, levels, strict=True):
        page.goto(f"/w/{wid}/c/{world['consolidated']}")
        card = item(page, k1["title"])
        card.get_by_test_id("agreement-control").get_by_label(level).check()
    reservation = item(people[1], k1["title"]).get_by_label(re.compile("^Your reservation"))
    reservation.fill("Only where shelters have funding for male staff")
    item(people[1], k1["title"]).get_by_role("button", name="Save reservation").click()

    no_horizontal_overflow(people[0])
    assert _axe(people[0]) == []

    board = browsing.page(width=1366, height=900, bypass_csp=True)
    sign_in(board)
    board.goto(f"/w/{wid}/c/{world['consolidated']}")
    tally = item(board, k1["title"]).get_by_test_id("agreement-tally")

    def expect_counts(full: int, reservations: int, stand_aside: int, disagree: int) -> None:
        for level, n in (
            ("full", full),
            ("reservations", reservations),
            ("stand_aside", stand_aside),
            ("disagree", disagree),
        ):
            expect(tally.locator(f"[data-level='{level}']")).to_have_text(re.compile(f": {n}$"))

    expect_counts(1, 1, 0, 1)
    expect(tally).to_contain_text("Reservations (1)")
    # Live: a change of mind reaches the facilitator without a reload.
    item(people[2], k1["title"]).get_by_test_id("agreement-control").get_by_label(
        "Stand aside"
    ).check()
    expect_counts(1, 1, 1, 0)
    tally.get_by_label("Outcome to record").select_option("reservations")
    tally.get_by_label("Note on the outcome (optional)").fill("Funding to be found")
    tally.get_by_role("button", name="Record outcome").click()
    expect(tally.get_by_test_id("agreement-recorded")).to_contain_text(
        "Recorded: Agree with reservations"
    )
    expect(item(people[0], k1["title"])).to_contain_text("Recorded: Agree with reservations")
    assert _axe(board) == []
    # Priority votes still work in the review phase.
    item(people[0], k1["title"]).get_by_role("button", name="one more vote").click()
    expect(item(board, k1["title"]).get_by_test_id("vote-tally")).to_have_text("1 vote")
    for page in (*people, board):
        wait_saved(page)

    exported = ok(fac.get(f"/api/workshops/{wid}/export.json"))
    entry = next(c for c in exported["consolidated"] if c["title"] == k1["title"])
    agreement = entry["agreement"]
    shown = {
        level: int(tally.locator(f"[data-level='{level}']").inner_text().rsplit(": ", 1)[1])
        for level in ("full", "reservations", "stand_aside", "disagree")
    }
    exported_tally = {k: v for k, v in agreement["tally"].items() if v}
    assert (
        {k: v for k, v in shown.items() if v}
        == exported_tally
        == {"full": 1, "reservations": 1, "stand_aside": 1}
    )
    assert agreement["level"] == "reservations"
    assert agreement["note"] == "Funding to be found"
    assert agreement["reservations"] == [
        {"level": "reservations", "text": "Only where shelters have funding for male staff"}
    ]


def test_merge_by_keyboard_and_drag_undo_split_and_stale_sources(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    add_items(fac, world)
    set_phase(fac, world["id"], "consolidation")
    page = browsing.page(width=1280, height=900, bypass_csp=True)
    sign_in(page)
    page.goto(f"/w/{world['id']}/consolidate")
    wait_live(page)
    board = page.get_by_role("region", name=re.compile("^The groups"))
    todo = page.get_by_role("heading", name=re.compile(r"^Still to handle"))
    expect(todo).to_have_text("Still to handle: 4 items")

    # Keyboard only: Space picks, Enter merges.
    page.get_by_label(f"Pick A1: {SHELTER_A}").press("Space")
    page.get_by_label(f"Pick B1: {SHELTER_B}").press("Space")
    expect(page.get_by_test_id("picked-count")).to_have_text("2 items picked")
    page.get_by_role("button", name="Merge picked into a new item").press("Enter")
    k1 = page.locator(".consolidated[data-ref='K1']")
    sources = k1.get_by_role("list", name="Sources (2)")
    expect(sources).to_contain_text("A1 Group A")
    expect(sources).to_contain_text("B1 Group B")
    expect(board.get_by_role("button", name="merged into K1")).to_have_count(2)
    expect(todo).to_have_text("Still to handle: 2 items")

    page.get_by_label(f"Pick A2: {OTHERS[0][0]}").press("Space")
    k1.get_by_role("button", name="Add 1 picked to K1").press("Enter")
    expect(k1.get_by_role("list", name="Sources (3)")).to_contain_text("A2")
    page.get_by_role("button", name="Undo my last merge").press("Enter")
    expect(k1.get_by_role("list", name="Sources (2)")).not_to_contain_text("A2")
    expect(page.get_by_label(f"Pick A2: {OTHERS[0][0]}")).to_be_visible()

    # Split B1 out of K1 into a new item, then drag B2 onto it.
    k1.get_by_label("Move B1 to a new item").check()
    k1.get_by_role("button", name="Split 1 into a new item").click()
    k2 = page.locator(".consolidated[data-ref='K2']")
    expect(k2.get_by_role("list", name="Sources (1)")).to_contain_text(SHELTER_B)
    expect(k1.get_by_role("list", name="Sources (1)")).to_contain_text(SHELTER_A)
    b2 = page.locator("[data-board-item]").filter(has_text=OTHERS[1][0])
    b2.drag_to(k2)
    expect(k2.get_by_role("list", name="Sources (2)")).to_contain_text(OTHERS[1][0])

    # A source edited after the merge is flagged until the facilitator has looked at it.
    a1_id = next(
        i["id"]
        for i in ok(
            fac.get(
                f"/api/workshops/{world['id']}/checklists/{world['groups'][0]['checklist_id']}/items"
            )
        )
        if i["title"] == SHELTER_A
    )
    ok(fac.patch(f"/api/workshops/{world['id']}/items/{a1_id}", json={"detail": "Also boys."}))
    stale = k1.get_by_text("A1 was edited after it was merged.")
    expect(stale).to_be_visible()
    k1.get_by_role("button", name="Mark as seen").click()
    expect(stale).to_have_count(0)

    coverage = page.get_by_test_id("coverage")
    expect(coverage.locator("tfoot td").first).to_have_text("1 of 2 merged")
    expect(coverage.locator("tfoot td").nth(1)).to_have_text("2 of 2 merged")
    expect(todo).to_have_text("Still to handle: 1 item")
    wait_saved(page)
    assert _axe(page) == []
