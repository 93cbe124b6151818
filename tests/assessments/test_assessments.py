"""Self-assessments: made from an edition's link, answered, reported on, carried over."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from roundtable.exports.worker import RenderPool
from roundtable.security import RateLimiter
from tests.publishing.world import ORIGIN, World, build_world
from tests.support import Api, AppFactory, error_of, ok

THAI = "การคุ้มครองผู้เสียหายจากการค้ามนุษย์"


@pytest.fixture
def world(apps: AppFactory, fac: Api) -> Iterator[World]:
    w = build_world(apps, fac)
    w.item("screen", "Screen every arrival", themes=["identification"])
    w.item("thai", THAI, themes=["smuggling_vs_trafficking"])  # a sub-theme of identification
    w.item("shelter", "Shelters for adults", themes=["protection"], kind="response")
    w.item("loose", "A point without a theme")
    yield w
    pool: RenderPool | None = getattr(apps.app.state, "render_pool", None)
    if pool is not None:
        pool.shutdown()


def start(api: Api, slug: str, **body: Any) -> dict[str, Any]:
    return dict(
        ok(api.post(f"/api/public/editions/{slug}/assessments", json=body, headers=ORIGIN), 201)
    )


def answer(api: Api, secret: str, code: str, **body: Any) -> Any:
    return api.put(f"/api/public/assessments/{secret}/entries/{code}", json=body, headers=ORIGIN)


def view(api: Api, secret: str) -> dict[str, Any]:
    return dict(ok(api.get(f"/api/public/assessments/{secret}")))


def test_an_assessment_is_made_answered_and_shows_progress(world: World, apps: AppFactory) -> None:
    edition = world.publish("Edition one")
    head = ok(world.fac.get(f"/api/workshops/{world.id}"))["head_seq"]
    reader = apps.client()
    made = start(reader, edition["slug"], title="Thailand 2026", country="Thailand")
    secret = made["secret"]
    assert made["url"] == f"/a/{secret}" and len(secret) >= 22
    # Private: nothing reaches the workshop's log.
    assert ok(world.fac.get(f"/api/workshops/{world.id}"))["head_seq"] == head

    page = view(reader, secret)
    assert page["assessment"]["title"] == "Thailand 2026"
    assert page["assessment"]["edition"] == {
        "number": 1,
        "slug": edition["slug"],
        "title": "Edition one",
    }
    assert page["newer_edition"] is None and page["entries"] == {}
    codes = {i["title"]: i["code"] for i in page["items"]}
    assert [(p["theme"], p["total"], p["unanswered"]) for p in page["progress"]] == [
        ("identification", 2, 2),
        ("protection", 1, 1),
        (None, 1, 1),
    ]

    entry = ok(
        answer(
            reader,
            secret,
            codes[THAI],
            status="in_place",
            evidence="Screening SOP 2024",
            agency="Ministry of Social Development",
            target_date="2026-12-31",
        )
    )
    assert entry["status"] == "in_place" and entry["target_date"] == "2026-12-31"
    assert entry["needs_review"] is False
    ok(answer(reader, secret, codes["Screen every arrival"], status="not_yet"))
    ok(answer(reader, secret, codes["Shelters for adults"], status="not_applicable"))
    page = view(reader, secret)
    assert page["entries"][codes[THAI]]["agency"] == "Ministry of Social Development"
    ident = page["progress"][0]
    assert (ident["in_place"], ident["not_yet"], ident["unanswered"]) == (1, 1, 0)
    assert page["progress"][1]["not_applicable"] == 1

    updated = ok(
        reader.patch(f"/api/public/assessments/{secret}", json={"country": "TH"}, headers=ORIGIN)
    )
    assert updated["assessment"]["country"] == "TH"
    assert updated["assessment"]["title"] == "Thailand 2026"


def test_bad_input_names_the_field_and_writes_nothing(world: World, apps: AppFactory) -> None:
    edition = world.publish()
    reader = apps.client()
    secret = start(reader, edition["slug"])["secret"]
    code = view(reader, secret)["items"][0]["code"]
    for body, field in (
        ({"status": "done"}, "body.status"),
        ({"status": "partly", "target_date": "next year"}, "body.target_date"),
        ({"evidence": "x" * 5001}, "body.evidence"),
        ({"agency": "y" * 301}, "body.agency"),
        ({"status": "partly", "owner": "me"}, "body.owner"),
    ):
        assert error_of(answer(reader, secret, code, **body), 422)["field"] == field
    assert error_of(answer(reader, secret, "ZZ-99", status="partly"), 404)["field"] == "code"
    assert view(reader, secret)["entries"] == {}
    patch = f"/api/public/assessments/{secret}"
    assert error_of(reader.patch(patch, json={}, headers=ORIGIN), 422)["field"] == "body"
    assert (
        error_of(reader.patch(patch, json={"title": None}, headers=ORIGIN), 422)["field"]
        == "body.title"
    )
    assert error_of(reader.get("/api/public/assessments/" + "n" * 32), 404)["code"] == "not_found"
    assert (
        reader.post("/api/public/editions/unknown/assessments", json={}, headers=ORIGIN).status_code
        == 404
    )


def test_changes_need_a_same_origin_request(world: World, apps: AppFactory) -> None:
    edition = world.publish()
    reader = apps.client()
    path = f"/api/public/editions/{edition['slug']}/assessments"
    assert error_of(reader.post(path, json={}), 403)["code"] == "forbidden"
    evil = {"Origin": "https://evil.example"}
    assert error_of(reader.post(path, json={}, headers=evil), 403)["code"] == "forbidden"
    secret = start(reader, edition["slug"])["secret"]
    code = view(reader, secret)["items"][0]["code"]
    r = reader.put(f"/api/public/assessments/{secret}/entries/{code}", json={"status": "partly"})
    assert r.status_code == 403
    assert view(reader, secret)["entries"] == {}


def test_creating_assessments_is_rate_limited(world: World, apps: AppFactory) -> None:
    edition = world.publish()
    apps.app.state.assessment_limiter = RateLimiter(2, 3600)
    reader = apps.client()
    start(reader, edition["slug"])
    start(reader, edition["slug"])
    r = reader.post(f"/api/public/editions/{edition['slug']}/assessments", json={}, headers=ORIGIN)
    assert error_of(r, 429)["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0


def test_the_gap_report_lists_what_is_not_in_place(world: World, apps: AppFactory) -> None:
    edition = world.publish("Edition one")
    reader = apps.client()
    secret = start(reader, edition["slug"], title="Gap check", country="Indonesia")["secret"]
    codes = {i["title"]: i["code"] for i in view(reader, secret)["items"]}
    ok(answer(reader, secret, codes["Screen every arrival"], status="in_place"))
    ok(
        answer(
            reader,
            secret,
            codes[THAI],
            status="partly",
            evidence="=cmd|' /C calc'!A0",
            agency="Badan Perlindungan",
        )
    )
    ok(answer(reader, secret, codes["Shelters for adults"], status="not_applicable"))

    r = reader.get(f"/api/public/assessments/{secret}/report/pdf")
    assert r.status_code == 200, r.text
    assert "gap-report" in r.headers["content-disposition"]
    pdf = pdfium.PdfDocument(r.content)
    text = "\n".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    pdf.close()
    assert "Gap check" in text and "Indonesia" in text and "Edition 1" in text
    assert codes[THAI] in text and THAI in text and "Badan Perlindungan" in text
    assert codes["A point without a theme"] in text  # unanswered is a gap
    assert codes["Screen every arrival"] not in text  # in place
    assert codes["Shelters for adults"] not in text  # not applicable

    r = reader.get(f"/api/public/assessments/{secret}/report/xlsx")
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content))
    gaps = list(book["Gaps"].iter_rows(values_only=True))
    assert sorted(row[0] for row in gaps[1:]) == sorted(
        [codes[THAI], codes["A point without a theme"]]
    )
    thai_row = next(row for row in gaps if row[0] == codes[THAI])
    assert thai_row[3] == "Partly in place" and thai_row[4] == "'=cmd|' /C calc'!A0"
    assert len(list(book["All items"].iter_rows())) == 1 + len(codes)
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row and row[0]]
    assert ("Identification of victims", 1, 1, 0, 0, 0, 2) in summary
    assert reader.get(f"/api/public/assessments/{secret}/report/docx").status_code == 422


def test_carry_over_keeps_unchanged_answers_and_marks_the_rest(
    world: World, apps: AppFactory
) -> None:
    first = world.publish()
    reader = apps.client()
    secret = start(reader, first["slug"], title="Malaysia", country="MY")["secret"]
    codes = {i["title"]: i["code"] for i in view(reader, secret)["items"]}
    ok(answer(reader, secret, codes["Screen every arrival"], status="in_place", agency="Police"))
    ok(answer(reader, secret, codes["Shelters for adults"], status="partly", evidence="Two"))
    ok(answer(reader, secret, codes[THAI], status="not_yet"))

    world.update("shelter", title="Shelters for adults and children")
    world.delete("loose")
    world.item("new", "Hotlines", themes=["protection"])
    second = world.publish()
    old = view(reader, secret)
    assert old["newer_edition"] == {"number": 2, "slug": second["slug"]}

    carry = f"/api/public/assessments/{secret}/carry-over"
    made = ok(reader.post(carry, json={"edition_slug": second["slug"]}, headers=ORIGIN), 201)
    new = view(reader, made["secret"])
    assert new["assessment"]["edition"]["number"] == 2
    assert new["assessment"]["carried_from"]["number"] == 1
    assert new["assessment"]["title"] == "Malaysia"
    entries = new["entries"]
    screen = entries[codes["Screen every arrival"]]
    assert (screen["status"], screen["agency"], screen["needs_review"]) == (
        "in_place",
        "Police",
        False,
    )
    assert entries[codes[THAI]]["status"] == "not_yet"
    assert entries[codes[THAI]]["needs_review"] is False
    shelter = entries[codes["Shelters for adults"]]
    assert (shelter["status"], shelter["needs_review"]) == ("partly", True)
    hotline = next(i["code"] for i in new["items"] if i["title"] == "Hotlines")
    assert entries[hotline]["needs_review"] is True and entries[hotline]["status"] is None
    assert codes["A point without a theme"] not in entries
    # Answering a marked item clears the mark; the old assessment is unchanged.
    ok(answer(reader, made["secret"], hotline, status="not_yet"))
    assert view(reader, made["secret"])["entries"][hotline]["needs_review"] is False
    assert view(reader, secret)["entries"] == old["entries"]

    for slug, status in ((first["slug"], 422), ("nope", 404)):
        r = reader.post(carry, json={"edition_slug": slug}, headers=ORIGIN)
        assert error_of(r, status)["field"] == "edition_slug"
    other = build_world(apps, world.fac)
    other.item("x", "Elsewhere")
    foreign = other.publish()
    r = reader.post(carry, json={"edition_slug": foreign["slug"]}, headers=ORIGIN)
    assert error_of(r, 404)["field"] == "edition_slug"
