"""Markup and script typed into any text field stay text on every screen that shows it.

Every free-text field a person can fill (workshop, theme and group names, items with
their details and references, comments, display names and affiliations, announcements,
merged titles, agreement reservations and outcome notes, edition titles and notes,
assessments and their entries, an item a facilitator redacted) gets a payload that would
run script, inject an element or be evaluated as a template if it were ever treated as
anything but text. Then each screen that shows the text is opened in Chromium: the
breakout checklist, the dashboard and its review queue, the projector, the consolidation
board, the public edition page, the assessment page and the edition's HTML download.
On each, no script ran (``window.__xss`` stays unset), no element or attribute came from
the payloads, and the text is there exactly as typed. The ``browsing`` fixture adds that
no page logged an error or a Content-Security-Policy violation (an injected script that
the policy blocked would be one).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Browsing
from tests.e2e.screens import item, sign_in, wait_live
from tests.support import LiveServer, ok

JS_LINK = "javascript:window.__xss=1"


def payload(tag: str) -> str:
    """Up to 80 characters (a display name's limit): tag, an element with a handler, an
    attribute break-out, a template expression and a right-to-left override."""
    return (
        f'{tag}<img src=x onerror=window.__xss=1>"><svg onload=window.__xss=1>'
        f"{{{{7*7}}}}\u202e{tag}"
    )


F = {
    tag: payload(tag)
    for tag in (
        "WT", "WV", "WD", "TL", "GA", "GB", "AN", "IT", "ID", "IR", "CB", "DN", "AF", "PD",
        "MT", "MD", "RS", "ON", "ET", "EN", "AT", "AC", "AE", "AA",
    )
}  # fmt: skip

# Everything a page shows as text: its text nodes, form values, tooltips and labels.
SHOWN = """() => [
  document.title,
  document.body.textContent,
  ...[...document.querySelectorAll('input, textarea, select')].map((e) => e.value),
  ...[...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title')),
  ...[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label')),
].join('\\n')"""

# Elements and attributes that only a payload could have put there.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`${el.tagName}[${a.name}]`);
      if (/^(href|src|action|formaction|xlink:href)$/.test(a.name)
          && /^\\s*javascript:/i.test(a.value)) found.push(`${el.tagName}[${a.name}=${a.value}]`);
    }
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') found.push('img[src=x]');
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) found.push('script');
  }
  return found;
}"""


def shows_literally(page: Page, screen: str, *values: str) -> None:
    """Waits until ``values`` are all on the page as typed, then checks nothing ran."""
    try:
        page.wait_for_function(
            f"(vs) => {{ const shown = ({SHOWN})(); return vs.every((v) => shown.includes(v)); }}",
            arg=list(values),
            timeout=15_000,
        )
    except Exception:
        shown = page.evaluate(SHOWN)
        missing = [v[:2] for v in values if v not in shown]
        raise AssertionError(f"{screen}: not shown as typed: {missing}\n{shown[:3000]}") from None
    inert(page, screen)


def inert(page: Page, screen: str) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", f"{screen}: a payload ran"
    assert page.evaluate(INJECTED) == [], f"{screen}: injected markup"


def seed(server: LiveServer) -> dict[str, Any]:
    """As the facilitator, over REST: a named workshop in breakout with a theme, two
    groups, an announcement, an item with references and a comment, and an item that
    holds a phone number (flagged as personal data)."""
    fac = server.api()
    ok(fac.login())
    body = {"title": F["WT"], "venue": F["WV"], "description": F["WD"], "attribution": "named"}
    wid = ok(fac.post("/api/workshops", json=body), 201)["id"]
    theme = {"key": "xss_theme", "label": F["TL"]}
    ok(fac.post(f"/api/workshops/{wid}/themes", json=theme), 201)
    groups = [
        ok(fac.post(f"/api/workshops/{wid}/groups", json={"name": F[tag]}), 201)
        for tag in ("GA", "GB")
    ]
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": "breakout"}))
    ok(fac.put(f"/api/workshops/{wid}/announcement", json={"text": F["AN"]}))
    items = f"/api/workshops/{wid}/checklists/{groups[0]['checklist_id']}/items"
    item = {"kind": "need", "title": F["IT"], "detail": F["ID"], "themes": ["xss_theme"],
            "actors": ["government"], "references": [F["IR"], JS_LINK]}  # fmt: skip
    item_id = ok(fac.post(items, json=item), 201)["id"]
    ok(fac.post(f"/api/workshops/{wid}/items/{item_id}/comments", json={"body": F["CB"]}), 201)
    flagged = {"kind": "response", "title": F["PD"], "detail": "Her phone: +62 812 3456 7890"}
    flagged_id = ok(fac.post(items, json=flagged), 201)["id"]
    checklists = ok(fac.get(f"/api/workshops/{wid}/checklists"))
    consolidated = next(c["id"] for c in checklists if c["group_id"] is None)
    return {"fac": fac, "id": wid, "groups": groups, "item": item_id, "flagged": flagged_id,
            "consolidated": consolidated}  # fmt: skip


def test_payloads_in_every_field_stay_text_on_every_screen(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    world = seed(shared_server)
    fac, wid, (group_a, _group_b) = world["fac"], world["id"], world["groups"]
    checklist = f"/w/{wid}/c/{group_a['checklist_id']}"

    # A participant joins through the form with a hostile name and affiliation.
    participant = browsing.page()
    participant.goto(f"/?code={group_a['join_code']}")
    participant.get_by_label("Your name").fill(F["DN"])
    participant.locator("#join-affiliation").fill(F["AF"])
    participant.get_by_role("button", name="Join", exact=True).click()
    wait_live(participant)
    shows_literally(participant, "breakout checklist", F["GA"], F["AN"], F["IT"], F["ID"], F["PD"])
    card = item(participant, F["IT"])
    card.get_by_text("Comments (1)").click()
    card.get_by_text("Tags").click()
    shows_literally(participant, "item's comments and tags", F["CB"], F["TL"])

    facilitator = browsing.page()
    sign_in(facilitator)
    shows_literally(facilitator, "workshop list", F["WT"])
    facilitator.goto(f"/w/{wid}")
    wait_live(facilitator)
    # (No screen shows a member's affiliation or the workshop's description; the checks
    # below still hold on every screen they could reach.)
    dashboard = (F["WT"], F["GA"], F["GB"], F["AN"], F["DN"], F["PD"])
    shows_literally(facilitator, "dashboard and review queue", *dashboard)
    facilitator.goto(f"{checklist}/projector")
    shows_literally(facilitator, "projector", F["GA"], F["IT"], F["AN"])

    # The facilitator redacts the phone number; the rest of the item stays as typed.
    ok(fac.post(f"/api/workshops/{wid}/safeguards/flags/item/{world['flagged']}/redact"))
    # Consolidation: both items merged into one, retitled and described by hand.
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": "consolidation"}))
    sources = [world["item"], world["flagged"]]
    merged = ok(fac.post(f"/api/workshops/{wid}/consolidation/merge", json={"source_ids": sources}))
    edit = {"title": F["MT"], "detail": F["MD"]}
    ok(fac.patch(f"/api/workshops/{wid}/items/{merged['id']}", json=edit))
    facilitator.goto(f"/w/{wid}/consolidate")
    shows_literally(facilitator, "consolidation board", F["MT"], F["IT"], F["PD"], F["GA"])

    # The agreement round: a reservation in the participant's words, a note on the outcome.
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": "review"}))
    consolidated = f"/w/{wid}/c/{world['consolidated']}"
    participant.goto(consolidated)
    mine = item(participant, F["MT"])
    mine.get_by_test_id("agreement-control").get_by_label("Agree with reservations").check()
    mine.get_by_label(re.compile("^Your reservation")).fill(F["RS"])
    mine.get_by_role("button", name="Save reservation").click()
    facilitator.goto(consolidated)
    tally = item(facilitator, F["MT"]).get_by_test_id("agreement-tally")
    tally.get_by_text("Reservations (1)").click()
    tally.get_by_label("Outcome to record").select_option("reservations")
    tally.get_by_label("Note on the outcome (optional)").fill(F["ON"])
    tally.get_by_role("button", name="Record outcome").click()
    shows_literally(facilitator, "agreement tally", F["MT"], F["MD"], F["RS"], F["ON"])
    shows_literally(participant, "agreement", F["MT"], F["RS"])

    # Publishing: an edition with a hostile title and notes, read by anyone with the link.
    edition = {"title": F["ET"], "notes": F["EN"]}
    published = ok(fac.post(f"/api/workshops/{wid}/editions", json=edition), 201)
    reader = browsing.page()
    reader.goto(published["url"])
    on_edition = (F["WT"], F["WV"], F["ET"], F["EN"], F["MT"], F["MD"], F["TL"], F["IR"],
                  JS_LINK)  # fmt: skip
    shows_literally(reader, "public edition", *on_edition)

    # A government's self-assessment against it.
    slug = published["slug"]
    body = {"title": F["AT"], "country": F["AC"]}
    secret = ok(fac.post(f"/api/public/editions/{slug}/assessments", json=body), 201)["secret"]
    code = ok(fac.get(f"/api/public/editions/{slug}"))["items"][0]["code"]
    entry = {"status": "partly", "evidence": F["AE"], "agency": F["AA"]}
    ok(fac.put(f"/api/public/assessments/{secret}/entries/{code}", json=entry))
    reader.goto(f"/a/{secret}")
    on_assessment = (F["AT"], F["AC"], F["AE"], F["AA"], F["MT"], F["ET"])
    shows_literally(reader, "assessment", *on_assessment)

    # The edition as one HTML page, opened as a file would be: no app, no policy around it.
    html = fac.get(f"/api/public/editions/{slug}/download/html", timeout=120)
    assert html.status_code == 200, html.text
    export = browsing.page()
    export.set_content(html.text)
    on_file = (F["WT"], F["WV"], F["ET"], F["EN"], F["MT"], F["MD"], F["TL"], F["IR"], JS_LINK)
    shows_literally(export, "HTML download", *on_file)

    for page in (participant, facilitator, reader):
        inert(page, page.url)

    # The checks see what they look for: the same text parsed as HTML (as a careless page
    # would), with no policy to stop it, runs and injects, and both are caught.
    export.set_content(f"<p>{F['IT']}</p><a href='{JS_LINK}'>x</a>")
    with pytest.raises(AssertionError, match="a payload ran"):
        inert(export, "a page that parsed the payload")
    assert export.evaluate(INJECTED) == [
        "IMG[onerror]", "img[src=x]", "svg[onload]", f"A[href={JS_LINK}]"
    ]  # fmt: skip
