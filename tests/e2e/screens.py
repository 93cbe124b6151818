"""What a person does on each screen, in the words they would use: join, add, edit, wait."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from tests.support import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, Api, LiveServer, ok

KIND_LABEL = {"need": "New need", "response": "New response", "practice": "New best practice"}
ALL_SAVED = "All changes saved"


def join(page: Page, code: str, name: str, *, typed: bool = False) -> None:
    """Joins a group from a shared link (``/?code=``) or by typing the code."""
    if typed:
        page.goto("/join")
        page.get_by_label("Group code").fill(code.lower())
    else:
        page.goto(f"/?code={code}")
        expect(page.get_by_label("Group code")).to_have_value(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Needs \("))).to_be_visible()
    wait_live(page)


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(FACILITATOR_EMAIL)
    page.get_by_label("Password").fill(FACILITATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workshops")).to_be_visible()


def status_bar(page: Page) -> Locator:
    return page.locator(".status[data-link]")


def wait_live(page: Page, timeout: float = 10_000) -> None:
    expect(status_bar(page)).to_have_attribute("data-link", "live", timeout=timeout)


def wait_saved(page: Page, timeout: float = 10_000) -> None:
    expect(page.get_by_test_id("unsaved-count")).to_have_text(ALL_SAVED, timeout=timeout)


def unsaved(page: Page, n: int) -> None:
    text = f"{n} change not yet saved" if n == 1 else f"{n} changes not yet saved"
    expect(page.get_by_test_id("unsaved-count")).to_have_text(text)


def add_item(page: Page, title: str, kind: str = "need") -> Locator:
    field = page.get_by_label(KIND_LABEL[kind], exact=True)
    field.fill(title)
    field.press("Enter")
    expect(field).to_have_value("")
    return item(page, title)


def item(page: Page, title: str, timeout: float = 10_000) -> Locator:
    """The card of the item with this title (titles live in text fields, not in text)."""
    handle = page.wait_for_function(
        """(title) => [...document.querySelectorAll('li[data-item-id]')]
             .find((li) => li.querySelector('textarea.title')?.value === title)
             ?.dataset.itemId""",
        arg=title,
        timeout=timeout,
    )
    item_id = handle.json_value()
    handle.dispose()
    return page.locator(f'li[data-item-id="{item_id}"]')


def item_by_id(page: Page, item_id: str) -> Locator:
    return page.locator(f'li[data-item-id="{item_id}"]')


def title_field(card: Locator) -> Locator:
    return card.locator("textarea.title")


def detail_field(card: Locator) -> Locator:
    return card.locator("textarea.detail")


def edit_title(card: Locator, title: str) -> None:
    """Replaces the title and leaves the field, which sends it."""
    field = title_field(card)
    field.fill(title)
    field.press("Enter")


def no_horizontal_overflow(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
             .filter((el) => !el.closest('.sr-only'))
             .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
             .slice(0, 5)"""
    )
    assert not wide, f"elements reach past the right edge: {wide}"


# -- the server side, over REST --------------------------------------------------------
class Backstage:
    """The facilitator's REST view, to check what the server actually holds."""

    def __init__(self, server: LiveServer) -> None:
        self.api: Api = server.api()
        ok(self.api.login())

    def items(self, workshop_id: int, checklist_id: int) -> list[dict[str, Any]]:
        path = f"/api/workshops/{workshop_id}/checklists/{checklist_id}/items"
        return list(ok(self.api.get(path)))

    def events(self, workshop_id: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            after = out[-1]["seq"] if out else 0
            path = f"/api/workshops/{workshop_id}/events"
            batch = ok(self.api.get(path, params={"after": after}))
            if not batch:
                return out
            out.extend(batch)

    def item_events(self, workshop_id: int, item_id: str, kind: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events(workshop_id)
            if e["kind"] == kind
            and any(c.get("entity") == "item" and c.get("id") == item_id for c in e["changes"])
        ]


# -- holding the live socket -----------------------------------------------------------
class SocketGate:
    """Routes a context's live sockets through the test, which may hold what passes.

    ``hold_ops``: the page's ops never reach the server (as on a link that drops them).
    ``hold_replies``: the server's messages never reach the page (the op is committed but
    its confirmation is lost). ``reopen()`` closes the routed sockets so the page connects
    again, through the gate as it is then.
    """

    def __init__(self, context: Any) -> None:
        self.hold_ops = False
        self.hold_replies = False
        self.routes: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        context.route_web_socket(re.compile(r"/api/ws$"), self._route)

    def _route(self, page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()
        self.routes.append((page_side, server_side))

        def to_server(message: str | bytes) -> None:
            if not (self.hold_ops and isinstance(message, str) and '"type":"op"' in message):
                server_side.send(message)

        def to_page(message: str | bytes) -> None:
            if not self.hold_replies:
                page_side.send(message)

        page_side.on_message(to_server)
        server_side.on_message(to_page)

    def reopen(self) -> None:
        routes, self.routes = self.routes, []
        for page_side, server_side in routes:
            server_side.close()
            page_side.close(code=1012, reason="reopened by the test")
