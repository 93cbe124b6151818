"""Publishing, end to end in Chromium: a facilitator publishes an edition from the dashboard;
a reader with no account opens its public link, filters it, downloads files and opens them
back; then assesses their country against it, and the answers survive a reload."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pypdfium2 as pdfium
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_SCRIPT, Browsing, http_status
from tests.e2e.screens import no_horizontal_overflow, sign_in, wait_live
from tests.e2e.test_screens import PAYLOADS, _axe
from tests.support import LiveServer, ok

WORKSHOP = "Roundtable on the Protection of Victims of Trafficking"
EDITION = "Victim protection checklist"


def _item(ref: str, title: str, kind: str, themes: list[str], **more: Any) -> dict[str, Any]:
    return {"ref": ref, "kind": kind, "themes": themes, "title": title, "detail": "", **more}


def document() -> dict[str, Any]:
    """Three groups' items and the consolidated checklist made from them (roundtable/v1)."""
    return {
        "format": "roundtable/v1",
        "workshop": {
            "title": WORKSHOP,
            "starts_on": "2014-06-26",
            "ends_on": "2014-06-27",
            "venue": "Singapore",
            "organisers": ["RSIS Centre for NTS Studies", "ICRC"],
            "attribution": "groups_only",
            "phase": "consolidation",
        },
        "themes": [
            {"key": "identification", "label": "Identification of victims", "parent": None},
            {"key": "protection", "label": "Protection needs", "parent": None},
            {"key": "durable_solutions", "label": "Durable solutions", "parent": None},
        ],
        "groups": [
            {
                "name": "Group A",
                "items": [_item("A1", "Screen arrivals", "need", ["identification"])],
            },
            {"name": "Group B", "items": [_item("B1", "Screening at the border", "need", [])]},
            {"name": "Group C", "items": [_item("C1", "Safe shelters", "need", ["protection"])]},
        ],
        "consolidated": [
            _item(
                "K1",
                "Screen every arrival for signs of trafficking",
                "response",
                ["identification"],
                actors=["immigration", "law_enforcement"],
                references=["ACTIP Art. 14"],
                sources=["A1", "B1"],
            ),
            _item(
                "K2",
                "Interpreters present during interviews",
                "practice",
                ["identification"],
                actors=["social_services"],
            ),
            _item(
                "K3",
                PAYLOADS[0],
                "need",
                ["protection"],
                detail=PAYLOADS[1],
                actors=["government"],
                sources=["C1"],
            ),
            _item("K4", "Reintegration grants", "response", ["durable_solutions"]),
        ],
    }


def no_script_ran(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("main img, main script").count() == 0


def pdf_text(content: bytes) -> tuple[int, str]:
    pdf = pdfium.PdfDocument(content)
    try:
        pages = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    finally:
        pdf.close()
    return len(pages), "\n".join(pages)


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    # Files render in a worker process, started on the first export: allow a busy machine.
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    got = info.value
    path = got.path()
    assert path is not None, got.failure()
    with open(path, "rb") as handle:
        return got.suggested_filename, handle.read()


def test_publish_read_filter_download_and_assess(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    workshop_id = ok(fac.post("/api/workshops/import", json=document()), 201)["id"]

    # The facilitator publishes edition 1 from the dashboard.
    page = browsing.page()
    sign_in(page)
    page.goto(f"/w/{workshop_id}")
    wait_live(page)
    panel = page.get_by_role("region", name="Published editions")
    expect(panel.get_by_text("No edition has been published yet.")).to_be_visible()
    panel.get_by_label("Title").fill(EDITION)
    panel.get_by_label("Notes (optional)").fill("Agreed in plenary on the second day.")
    panel.get_by_role("button", name="Publish edition 1").click()
    expect(panel.get_by_role("status").first).to_have_text("Edition 1 is published.")
    link = panel.get_by_role("link", name=f"Edition 1: {EDITION}")
    href = link.get_attribute("href")
    assert href is not None and re.fullmatch(r"/e/[A-Za-z0-9_-]{32}", href), href
    expect(panel.get_by_role("button", name="Publish edition 2")).to_be_visible()
    [listed] = ok(fac.get(f"/api/workshops/{workshop_id}/editions"))
    assert (listed["number"], listed["title"], listed["url"]) == (1, EDITION, href)

    # A reader with no account and no cookie opens the link; no live socket is opened.
    reader_context = browsing.context()
    reader = browsing.page(reader_context)
    sockets: list[str] = []
    reader.on("websocket", lambda ws: sockets.append(ws.url))
    reader.goto(href)
    expect(reader.get_by_role("heading", name=WORKSHOP, level=1)).to_be_visible()
    expect(reader.get_by_text(EDITION, exact=True)).to_be_visible()
    expect(reader.get_by_text("Agreed in plenary on the second day.")).to_be_visible()
    expect(reader.get_by_text("Singapore")).to_be_visible()
    expect(reader.get_by_text("RSIS Centre for NTS Studies and ICRC")).to_be_visible()
    items = reader.locator("article[data-code]")
    expect(items).to_have_count(4)
    screen = reader.locator("article", has_text="Screen every arrival")
    expect(screen.get_by_role("heading")).to_have_text(re.compile(r"^ID-\d\d"))
    expect(screen).to_contain_text("Raised by Group A and Group B")
    expect(screen).to_contain_text("ACTIP Art. 14")
    expect(screen).to_contain_text("Immigration and border")
    hostile = reader.locator("article", has_text=PAYLOADS[0])
    expect(hostile.locator("h3 .title")).to_have_text(PAYLOADS[0])
    expect(hostile.locator(".detail")).to_have_text(PAYLOADS[1])
    no_script_ran(reader)
    assert _axe_clean(browsing, href, "edition page")

    # Filter by theme: the address keeps it, so the filtered view can be shared.
    reader.get_by_label("Theme").select_option(label="Identification of victims")
    expect(reader).to_have_url(re.compile(r"\?theme=identification$"))
    expect(items).to_have_count(2)
    expect(reader.get_by_test_id("edition-showing")).to_have_text("Showing 2 of 4")
    reader.reload()
    expect(reader.get_by_label("Theme")).to_have_value("identification")
    expect(items).to_have_count(2)
    shown = sorted(items.locator("h3 .title").all_inner_texts())

    # Every format, of the whole edition and of the filter.
    hrefs = reader.locator("a[download]").evaluate_all(
        "els => els.map((a) => a.getAttribute('href'))"
    )
    formats = ("pdf", "html", "docx", "xlsx", "csv", "md", "json")
    download_base = f"/api/public/editions/{href.removeprefix('/e/')}/download"
    assert hrefs == [f"{download_base}/{f}" for f in formats] + [
        f"{download_base}/{f}?theme=identification" for f in formats
    ]

    # The filtered Excel file holds the items shown, one row each.
    name, content = download(reader, "Only the items shown as Excel")
    assert name.endswith(".xlsx"), name
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [
        [str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    titled = sorted(t for t in shown for row in rows[1:] if t in row)
    assert titled == shown and len(rows) - 1 == len(shown), rows

    # The whole edition as PDF: the workshop on the cover, every item inside.
    name, content = download(reader, "The whole edition as PDF")
    assert name.endswith(".pdf") and content.startswith(b"%PDF"), name
    pages, text = pdf_text(content)
    assert pages >= 2
    flat = " ".join(text.split())
    for expected in (WORKSHOP, "Screen every arrival", "Reintegration grants"):
        assert expected in flat, expected

    # The HTML page holds the items as text: the hostile title is escaped, never markup.
    name, content = download(reader, "The whole edition as HTML")
    page_html = content.decode("utf-8")
    assert name.endswith(".html"), name
    assert "Screen every arrival" in page_html and PAYLOADS[0] not in page_html
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in page_html

    # Start an assessment from the edition page: a private link, kept across reloads.
    reader.get_by_label("Country (optional)").fill("Thailand")
    reader.get_by_role("button", name="Start an assessment").click()
    expect(reader).to_have_url(re.compile(r"/a/[A-Za-z0-9_-]{20,}$"))
    expect(reader.get_by_text("Keep this link.", exact=False)).to_be_visible()
    expect(reader.get_by_label("Private link to this assessment")).to_have_value(reader.url)
    entries = reader.locator("article[data-code]")
    expect(entries).to_have_count(4)

    first = reader.locator("article", has_text="Screen every arrival")
    first.get_by_role("radio", name="In place", exact=True).check()
    first.get_by_label("Evidence").fill("National referral mechanism, 2019 decree")
    second = reader.locator("article", has_text="Reintegration grants")
    second.get_by_role("radio", name="Not yet", exact=True).check()
    second.get_by_label("Responsible agency").fill("Ministry of Social Development")
    second.get_by_label("Target date").fill("2027-06-30")
    second.get_by_label("Responsible agency").press("Tab")
    saved = reader.get_by_test_id("assessment-saved")
    expect(saved).to_have_text("All answers saved")
    expect(first.get_by_test_id("entry-save")).to_have_text("Saved")
    total = reader.locator("tr[data-theme='total']")
    expect(total).to_contain_text("2/4")
    no_script_ran(reader)
    assert _axe_clean(browsing, reader.url, "assessment page")

    reader.reload()
    first = reader.locator("article", has_text="Screen every arrival")
    second = reader.locator("article", has_text="Reintegration grants")
    expect(first.get_by_role("radio", name="In place", exact=True)).to_be_checked()
    expect(first.get_by_label("Evidence")).to_have_value("National referral mechanism, 2019 decree")
    expect(second.get_by_role("radio", name="Not yet", exact=True)).to_be_checked()
    expect(second.get_by_label("Responsible agency")).to_have_value(
        "Ministry of Social Development"
    )
    expect(second.get_by_label("Target date")).to_have_value("2027-06-30")
    expect(reader.locator("tr[data-theme='total']")).to_contain_text("2/4")

    # The gap report names what is not in place yet, with its agency.
    name, content = download(reader, "Gap report as Excel")
    assert name.endswith(".xlsx"), name
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert "Reintegration grants" in cells and "Ministry of Social Development" in cells
    name, content = download(reader, "Gap report as PDF")
    pages, text = pdf_text(content)
    assert pages >= 1 and "Reintegration grants" in " ".join(text.split())

    assert sockets == [], sockets


def test_the_publish_panel_shows_editions_published_elsewhere_as_they_come(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    workshop_id = ok(fac.post("/api/workshops/import", json=document()), 201)["id"]
    page = browsing.page()
    sign_in(page)
    page.goto(f"/w/{workshop_id}")
    wait_live(page)
    panel = page.get_by_role("region", name="Published editions")
    expect(panel.get_by_text("No edition has been published yet.")).to_be_visible()

    # Another facilitator publishes (the API here, as their dashboard would): no reload.
    edition = ok(
        fac.post(f"/api/workshops/{workshop_id}/editions", json={"title": "After day two"}), 201
    )
    link = panel.get_by_role("link", name="Edition 1: After day two")
    expect(link).to_have_attribute("href", edition["url"])
    expect(panel.get_by_text("No edition has been published yet.")).to_have_count(0)
    expect(panel.get_by_role("button", name="Publish edition 2")).to_be_visible()


def _axe_clean(browsing: Browsing, path: str, what: str) -> bool:
    """axe-core over the page at ``path`` in a context of its own (axe needs the CSP relaxed)."""
    page = browsing.page(bypass_csp=True)
    page.goto(path)
    expect(page.locator("main h1")).to_be_visible()
    page.wait_for_timeout(200)
    found = _axe(page)
    assert found == [], f"{what}: {found}"
    page.close()
    return True


def test_carry_an_assessment_over_to_the_next_edition(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    workshop_id = ok(fac.post("/api/workshops/import", json=document()), 201)["id"]
    base = f"/api/workshops/{workshop_id}"
    first = ok(fac.post(f"{base}/editions", json={"title": EDITION}), 201)

    reader = browsing.page()
    reader.goto(first["url"])
    reader.get_by_role("button", name="Start an assessment").click()
    expect(reader).to_have_url(re.compile(r"/a/"))
    old_url = reader.url
    kept = reader.locator("article", has_text="Screen every arrival")
    kept.get_by_role("radio", name="In place", exact=True).check()
    changing = reader.locator("article", has_text="Reintegration grants")
    changing.get_by_role("radio", name="Not yet", exact=True).check()
    expect(reader.get_by_test_id("assessment-saved")).to_have_text("All answers saved")
    expect(reader.get_by_role("heading", name=re.compile("has been published"))).to_have_count(0)

    # Edition 2: one item reworded, one added.
    [consolidated] = [c for c in ok(fac.get(f"{base}/checklists")) if c["group_id"] is None]
    items = ok(fac.get(f"{base}/checklists/{consolidated['id']}/items"))
    grants = next(i for i in items if i["title"] == "Reintegration grants")
    ok(fac.patch(f"{base}/items/{grants['id']}", json={"title": "Reintegration grants and care"}))
    new = {"kind": "need", "title": "Hotline in five languages", "themes": ["protection"]}
    ok(fac.post(f"{base}/checklists/{consolidated['id']}/items", json=new), 201)
    second = ok(fac.post(f"{base}/editions", json={"title": f"{EDITION}, revised"}), 201)

    reader.reload()
    expect(
        reader.get_by_role("heading", name="Edition 2 of this checklist has been published.")
    ).to_be_visible()
    reader.get_by_role("button", name="Carry over to edition 2").click()
    expect(reader).not_to_have_url(old_url)
    expect(reader).to_have_url(re.compile(r"/a/[A-Za-z0-9_-]{20,}$"))
    expect(reader.get_by_role("link", name=re.compile(r"^Against edition 2"))).to_be_visible()
    expect(reader.locator("article[data-code]")).to_have_count(5)
    kept = reader.locator("article", has_text="Screen every arrival")
    expect(kept.get_by_role("radio", name="In place", exact=True)).to_be_checked()
    expect(kept.get_by_text("Review", exact=True)).to_have_count(0)
    reworded = reader.locator("article", has_text="Reintegration grants and care")
    expect(reworded.get_by_text("Review", exact=True)).to_be_visible()
    added = reader.locator("article", has_text="Hotline in five languages")
    expect(added.get_by_text("Review", exact=True)).to_be_visible()
    expect(reader.get_by_role("note")).to_contain_text("marked “Review”")
    # Keyboard only: choose with Space, Tab to the evidence; answering clears the mark.
    added.get_by_role("radio", name="Not yet", exact=True).focus()
    reader.keyboard.press("Space")
    reader.keyboard.press("Tab")
    expect(added.get_by_label("Evidence")).to_be_focused()
    reader.keyboard.type("A hotline pilot in two provinces")
    reader.keyboard.press("Tab")
    expect(reader.get_by_test_id("assessment-saved")).to_have_text("All answers saved")
    expect(added.get_by_role("radio", name="Not yet", exact=True)).to_be_checked()
    expect(added.get_by_text("Review", exact=True)).to_have_count(0)
    reader.get_by_text("Name and country", exact=True).click()
    reader.get_by_label("Name of the assessment (optional)").fill("Thailand, 2027 review")
    reader.get_by_role("button", name="Save name and country").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Thailand, 2027 review")
    reader.set_viewport_size({"width": 360, "height": 740})
    no_horizontal_overflow(reader)
    # The old assessment is still there, as it was.
    reader.goto(old_url)
    old = reader.locator("article", has_text="Reintegration grants")
    expect(old.get_by_role("radio", name="Not yet", exact=True)).to_be_checked()

    # Edition 2's page says what changed, item by item, and links the editions.
    reader.goto(second["url"])
    changes = reader.get_by_role("region", name="What changed since edition 1")
    expect(changes.get_by_role("list", name="Added")).to_contain_text("Hotline in five languages")
    expect(changes.get_by_role("list", name="Reworded")).to_contain_text(
        "Reintegration grants and care"
    )
    editions = reader.get_by_role("navigation", name="All editions")
    expect(editions.get_by_role("link", name=f"Edition 1: {EDITION}")).to_be_visible()
    no_horizontal_overflow(reader)
    reader.set_viewport_size({"width": 1024, "height": 800})

    # The reader's language, here too.
    reader.get_by_label("Language", exact=True).select_option("id")
    expect(reader.get_by_role("heading", name="Perubahan sejak edisi 1")).to_be_visible()
    expect(reader.get_by_label("Jenis")).to_be_visible()
    reader.get_by_label("Bahasa", exact=True).select_option("en")

    # Printed: the checklist without the controls.
    reader.emulate_media(media="print")
    expect(reader.get_by_role("heading", name="Screen every arrival")).to_be_visible()
    for hidden in (
        reader.locator("fieldset"),
        reader.locator("a[download]").first,
        reader.locator("header.bar"),
    ):
        expect(hidden).to_be_hidden()


def test_publishing_waits_for_flagged_personal_data(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    fac = shared_server.api()
    fac.login()
    flagged = document()
    flagged["consolidated"][1]["flags"] = ["personal_data"]
    workshop_id = ok(fac.post("/api/workshops/import", json=flagged), 201)["id"]

    page = browsing.page(bypass_csp=True)
    browsing.allow(http_status(409))
    sign_in(page)
    page.goto(f"/w/{workshop_id}")
    wait_live(page)
    panel = page.get_by_role("region", name="Published editions")
    panel.get_by_role("button", name="Publish edition 1").click()
    alert = panel.get_by_role("alert")
    expect(alert).to_contain_text("Could not publish:")
    expect(alert).to_contain_text("personal data")
    expect(panel.get_by_text("No edition has been published yet.")).to_be_visible()
    expect(panel.get_by_role("button", name="Publish edition 1")).to_be_enabled()
    assert ok(fac.get(f"/api/workshops/{workshop_id}/editions")) == []
    assert _axe_within(page, "section.publish") == []


def _axe_within(page: Page, selector: str) -> list[dict[str, Any]]:
    """axe-core's findings inside one part of the page (the rest belongs to other screens)."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return list(
        page.evaluate(
            """async (selector) => (await axe.run(document.querySelector(selector)))
                 .violations.map((v) => ({
                   rule: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
                 }))""",
            selector,
        )
    )


def test_an_answer_that_could_not_be_saved_says_so_and_is_sent_again(
    browsing: Browsing, shared_server: LiveServer
) -> None:
    browsing.allow(re.compile(r"^Failed to load resource: net::ERR_INTERNET_DISCONNECTED"))
    fac = shared_server.api()
    fac.login()
    workshop_id = ok(fac.post("/api/workshops/import", json=document()), 201)["id"]
    edition = ok(fac.post(f"/api/workshops/{workshop_id}/editions", json={}), 201)
    context = browsing.context()
    reader = browsing.page(context)
    reader.goto(edition["url"])
    reader.get_by_role("button", name="Start an assessment").click()
    expect(reader).to_have_url(re.compile(r"/a/"))

    entry = reader.locator("article", has_text="Interpreters present")
    # The assessment has loaded before the network goes.
    expect(entry.get_by_role("radio", name="Partly in place")).to_be_visible()
    context.set_offline(True)
    entry.get_by_role("radio", name="Partly in place").check()
    expect(entry.get_by_role("alert")).to_have_text(
        "Not saved: The server could not be reached. Check your connection and try again."
    )
    expect(reader.get_by_test_id("assessment-saved")).to_have_text("1 item not saved yet")
    context.set_offline(False)
    entry.get_by_role("button", name="Try again").click()
    expect(entry.get_by_test_id("entry-save")).to_have_text("Saved")
    expect(reader.get_by_test_id("assessment-saved")).to_have_text("All answers saved")
    reader.reload()
    entry = reader.locator("article", has_text="Interpreters present")
    expect(entry.get_by_role("radio", name="Partly in place")).to_be_checked()
