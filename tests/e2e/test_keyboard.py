"""Keyboard only: join, add a need, move it up, delete it and undo, with focus always visible."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.screens import wait_live, wait_saved
from tests.e2e.test_reorder import shows_order
from tests.support import LiveServer, ok, setup_workshop

# The focused element's accessible name, roughly as a screen reader would announce it.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ').trim();
  if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
  if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
  return (copy.textContent || el.getAttribute('title') || '').trim();
}"""

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return outline || (s.boxShadow && s.boxShadow !== 'none');
}"""


def focused_name(page: Page) -> str:
    return str(page.evaluate(FOCUSED_NAME))


def tab_to(page: Page, name: str | re.Pattern[str], *, limit: int = 60) -> None:
    """Presses Tab until the focused element has this accessible name."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused_name(page)
        seen.append(now)
        if (now == name) if isinstance(name, str) else name.search(now):
            return
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def focus_is_visible(page: Page) -> None:
    assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {focused_name(page)!r}"


def test_join_add_move_delete_and_undo_by_keyboard(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    world = setup_workshop(fac, groups=1)
    group = world["groups"][0]
    page = browsing.page()

    page.goto(f"/?code={group['join_code']}")
    expect(page.get_by_label("Group code")).to_have_value(group["join_code"])
    tab_to(page, "Your name")
    focus_is_visible(page)
    page.keyboard.type("Ana")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Needs \("))).to_be_visible()
    wait_live(page)

    for title in ("Shelters", "Legal aid"):
        tab_to(page, "New need")
        focus_is_visible(page)
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        expect(page.get_by_label("New need", exact=True)).to_have_value("")
    shows_order(page, ["Shelters", "Legal aid"])
    wait_saved(page)

    tab_to(page, "Move \u201cLegal aid\u201d up")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    shows_order(page, ["Legal aid", "Shelters"])
    wait_saved(page)

    tab_to(page, "Delete \u201cLegal aid\u201d")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    shows_order(page, ["Shelters"])
    tab_to(page, "Undo")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    shows_order(page, ["Legal aid", "Shelters"])
    wait_saved(page)

    items = ok(fac.get(f"/api/workshops/{world['id']}/checklists/{group['checklist_id']}/items"))
    needs = sorted((i for i in items if i["kind"] == "need"), key=lambda i: i["position"])
    assert [i["title"] for i in needs] == ["Legal aid", "Shelters"]
