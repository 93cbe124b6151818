"""Personal data at the keyboard and in the facilitator's review queue, in Chromium."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import (
    KIND_LABEL,
    detail_field,
    item,
    join,
    sign_in,
    title_field,
    wait_saved,
)
from tests.support import LiveServer, setup_workshop

NUMBER = "+66 81 234 5678"


def frames_of(page: Any) -> list[str]:
    """Every WebSocket frame the page receives, as text."""
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(payload if isinstance(payload, str) else repr(payload)),
        ),
    )
    return frames


def test_typed_number_is_redacted_before_anyone_receives_it(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    code = setup_workshop(fac)["groups"][0]["join_code"]
    ana, budi = browsing.page(), browsing.page()
    budi_frames = frames_of(budi)
    join(ana, code, "Ana")
    join(budi, code, "Budi")

    field = ana.get_by_label(KIND_LABEL["need"], exact=True)
    field.fill(f"Call the girl's aunt on {NUMBER}")
    warning = ana.locator(".personal-data")
    expect(warning).to_contain_text("phone number")
    expect(warning).to_contain_text("Checklists are published")
    warning.get_by_role("button", name="Remove them").click()
    expect(field).to_have_value("Call the girl's aunt on [redacted]")
    expect(warning).to_have_count(0)
    field.press("Enter")

    theirs = item(budi, "Call the girl's aunt on [redacted]")
    expect(title_field(theirs)).to_be_visible()
    wait_saved(ana)
    assert budi_frames, "Budi's page should be live"
    assert not any("234 5678" in f for f in budi_frames)
    assert "234 5678" not in budi.content()


def test_warning_does_not_block_and_the_facilitator_redacts(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    ana, host = browsing.page(), browsing.page()
    join(ana, world["groups"][0]["join_code"], "Ana")
    field = ana.get_by_label(KIND_LABEL["need"], exact=True)
    field.fill(f"Shelter for the girl, her aunt's mobile {NUMBER}")
    expect(ana.locator(".personal-data")).to_be_visible()
    field.press("Enter")  # someone who is sure carries on: nothing blocks
    card = item(ana, f"Shelter for the girl, her aunt's mobile {NUMBER}")
    expect(card).to_contain_text(re.compile("held back from publication"))

    sign_in(host)
    host.goto(f"/w/{world['id']}")
    link = host.get_by_role("link", name=re.compile("Personal data to review: 1"))
    expect(link).to_be_visible()
    queue = host.locator("#personal-data")
    expect(queue.locator("mark")).to_have_text(NUMBER)
    queue.get_by_role("button", name="Redact").click()
    expect(queue).to_contain_text("Nothing to review.")

    expect(title_field(card)).to_have_value("Shelter for the girl, her aunt's mobile [redacted]")
    expect(detail_field(card)).to_be_visible()
    assert NUMBER not in ana.content()


def test_an_empty_queue_stays_out_of_the_way_until_it_is_asked_for(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac)
    host = browsing.page()
    sign_in(host)
    with host.expect_response(re.compile(r"/safeguards/flags$")) as loaded:
        host.goto(f"/w/{world['id']}")
    assert loaded.value.ok
    expect(host.get_by_role("heading", name="Groups")).to_be_visible()
    queue = host.locator("#personal-data")
    expect(queue).to_have_count(0)

    # The facilitator follows the dashboard's link on purpose: a calm line, not a blank.
    host.get_by_role("link", name="Personal data to review: 0 items").click()
    expect(queue).to_be_visible()
    expect(queue).to_contain_text("Nothing to review.")
