"""Priority votes, comments and moving an item to another section, seen live by the group."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import add_item, item, join, wait_saved
from tests.support import LiveServer, ok, setup_workshop


def test_votes_comments_and_sections_reach_the_whole_group(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    ok(fac.patch(f"/api/workshops/{world['id']}", json={"vote_budget": 3}))
    code = world["groups"][0]["join_code"]
    ana, budi = browsing.page(), browsing.page()
    join(ana, code, "Ana")
    join(budi, code, "Budi")
    shelters = add_item(ana, "Shelters open to men")
    add_item(ana, "Interpreters")
    expect(ana.get_by_test_id("votes-left")).to_contain_text("Votes left: 3 of 3")

    give = shelters.get_by_role("button", name="Give “Shelters open to men” one more vote")
    give.click()
    give.click()
    expect(shelters.get_by_test_id("vote-tally")).to_have_text("2 votes, 2 are yours")
    expect(ana.get_by_test_id("votes-left")).to_contain_text("Votes left: 1 of 3")
    theirs = item(budi, "Shelters open to men")
    expect(theirs.get_by_test_id("vote-tally")).to_have_text("2 votes")
    theirs.get_by_role("button", name="one more vote").click()
    expect(shelters.get_by_test_id("vote-tally")).to_have_text("3 votes, 2 are yours")
    interpreters = item(ana, "Interpreters")
    interpreters.get_by_role("button", name="one more vote").click()
    expect(ana.get_by_test_id("votes-left")).to_contain_text("Votes left: 0 of 3")
    expect(give).to_be_disabled()
    shelters.get_by_role("button", name="Take one vote back").click()
    expect(theirs.get_by_test_id("vote-tally")).to_have_text("2 votes, 1 is yours")
    expect(give).to_be_enabled()

    shelters.get_by_text("Comments (0)").click()
    shelters.get_by_label("Comment on “Shelters open to men”").fill("Men are trafficked too.")
    shelters.get_by_role("button", name="Comment", exact=True).click()
    theirs.get_by_text("Comments (1)").click()
    comments = theirs.get_by_role("list", name="Comments on “Shelters open to men”")
    expect(comments.get_by_role("listitem")).to_have_count(1)
    expect(comments.locator("strong")).to_have_text("Ana")
    expect(comments).to_contain_text("Men are trafficked too.")
    # Only the author (or a facilitator) may change a comment.
    expect(comments.get_by_role("button", name="Edit")).to_have_count(0)
    mine = shelters.get_by_role("list", name="Comments on “Shelters open to men”")
    mine.get_by_role("button", name="Edit").click()
    ana.get_by_label("Edit your comment").fill("Men and boys are trafficked too.")
    ana.get_by_role("button", name="Save").click()
    expect(comments).to_contain_text("Men and boys are trafficked too.")
    expect(mine.locator("strong")).to_have_text("You")

    ana.get_by_label("Section of “Interpreters”").select_option(label="Responses")
    responses = budi.get_by_role("region", name="Responses")
    expect(responses.locator("textarea.title")).to_have_value("Interpreters")
    expect(ana.get_by_label("Section of “Interpreters”")).to_be_focused()
    wait_saved(ana)
    wait_saved(budi)
