"""Downloading an edition in every format, read back with real readers, hostile text inert."""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from collections.abc import Iterator
from html import unescape
from typing import Any

import pypdfium2 as pdfium
import pytest
from docx import Document
from openpyxl import load_workbook

from roundtable.exports.worker import RenderPool
from roundtable.publishing.files import EditionQuery
from tests.publishing.world import World, build_world
from tests.support import Api, AppFactory, error_of, ok

THAI = "การคุ้มครองผู้เสียหายจากการค้ามนุษย์"
BAHASA = "Perlindungan korban perdagangan orang"
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert('x')</script>"
TYPST = '#import "@preview/evil:1.0.0": * #set page(width: 2cm)'
GROUP_NAME_HINT = "Group C"  # group names are withheld under chatham_house


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite: the downloads read a stored document; test_editions covers both databases."""
    return sqlite_url


@pytest.fixture
def world(apps: AppFactory, fac: Api) -> Iterator[World]:
    w = build_world(apps, fac, attribution="chatham_house")
    ok(
        fac.patch(
            f"/api/workshops/{w.id}",
            json={
                "title": "Roundtable on Victim Protection",
                "starts_on": "2014-06-26",
                "ends_on": "2014-06-27",
                "venue": "Bangkok",
                "organisers": ["RSIS Centre", "ICRC"],
            },
        )
    )
    w.item("thai", THAI, themes=["identification"], actors=["social_services"])
    w.item("bahasa", BAHASA, themes=["protection"], kind="practice", detail=SCRIPT)
    w.item("formula", FORMULA, themes=["identification"], detail=TYPST, kind="response")
    w.item("plain", "Shelters for adults", themes=["durable_solutions"], actors=["government"])
    w.link("c1", "thai")
    w.link("b1", "thai")
    yield w
    pool: RenderPool | None = getattr(apps.app.state, "render_pool", None)
    if pool is not None:
        pool.shutdown()


def download(api: Api, slug: str, fmt: str, **params: str) -> bytes:
    r = api.get(f"/api/public/editions/{slug}/download/{fmt}", params=params)
    assert r.status_code == 200, r.text
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"roundtable-on-victim-protection-edition-1.{'md' if fmt == 'md' else fmt}" in (
        disposition
    )
    return r.content


def pdf_pages(content: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(content)
    try:
        return [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    finally:
        pdf.close()


def test_every_format_opens_and_holds_the_edition(world: World, apps: AppFactory) -> None:
    edition = world.publish("First edition", notes="Agreed in plenary")
    public = apps.client()
    page = ok(public.get(f"/api/public/editions/{edition['slug']}"))
    codes = {i["title"]: i["code"] for i in page["items"]}
    slug = edition["slug"]

    pages = pdf_pages(download(public, slug, "pdf"))
    cover = pages[0]
    for text in ("Roundtable on Victim Protection", "26\u201327 June 2014", "Bangkok", "ICRC"):
        assert text in cover
    assert "First edition" in cover and "Agreed in plenary" in cover
    assert "Contents" in pages[1]
    assert all("Edition 1" in p for p in pages), "the edition number on every page"
    assert all(f"Page {n}" in p for n, p in enumerate(pages[1:], start=2))
    body = "\n".join(pages)
    assert THAI in body and BAHASA in body and TYPST in body and SCRIPT in body
    assert codes[THAI] in body and "Group 3" in body
    for item in page["items"]:  # item by item: code and title, in the edition's order
        assert item["code"] in body and item["title"] in body
    assert GROUP_NAME_HINT not in body

    doc = Document(io.BytesIO(download(public, slug, "docx")))
    styles = [p.style.name for p in doc.paragraphs if p.style is not None]
    headings = [
        p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    assert headings == ["Identification of victims", "Protection needs", "Durable solutions"]
    assert styles.count("List Bullet") == len(page["items"])
    bullets = [
        p.text for p in doc.paragraphs if p.style is not None and p.style.name == "List Bullet"
    ]
    assert sorted(b.split()[0] for b in bullets) == sorted(codes.values())
    for item in page["items"]:
        assert f"{item['code']}  {item['title']}" in bullets

    book = load_workbook(io.BytesIO(download(public, slug, "xlsx")))
    sheet = book["Checklist"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"Status", "Evidence", "Responsible agency", "Target date"} <= set(header)
    assert sorted(r[0] for r in rows[1:]) == sorted(codes.values())  # one row per item
    item_column = header.index("Item")
    assert "'" + FORMULA in [r[item_column] for r in rows[1:]]

    table = list(csv.reader(io.StringIO(download(public, slug, "csv").decode("utf-8-sig"))))
    assert [row[3] for row in table[1:] if row[0] == codes[FORMULA]] == ["'" + FORMULA]

    page_html = download(public, slug, "html").decode()
    assert "<script>" not in page_html and "&lt;script&gt;" in page_html
    assert 'id="ID-01"' in page_html and THAI in page_html
    for item in page["items"]:
        assert f'id="{item["code"]}"' in page_html and item["title"] in unescape(page_html)

    md = download(public, slug, "md").decode()
    assert "Edition 1" in md and codes[BAHASA] in md

    document = json.loads(download(public, slug, "json"))
    assert document["format"] == "roundtable/v1"
    assert document["edition"]["number"] == 1 and document["edition"]["slug"] == slug
    assert [c["code"] for c in document["consolidated"]] == [i["code"] for i in page["items"]]
    assert all(c["ref"] == c["code"] for c in document["consolidated"])
    assert "sources" not in document["consolidated"][0]


def readable(fmt: str, content: bytes) -> str:
    """Everything a file holds as text (for Word and Excel: every XML part)."""
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = [archive.read(n).decode("utf-8") for n in archive.namelist()]
        return unescape("\n".join(parts))
    if fmt == "pdf":
        return "\n".join(pdf_pages(content))
    return unescape(content.decode("utf-8-sig"))


def test_no_member_name_in_any_file_under_chatham_house(world: World, apps: AppFactory) -> None:
    member = apps.client()
    member.join(world.groups[2]["join_code"], "Zebulon Firethorn", affiliation="Ministry of Quills")
    renamed = ok(world.fac.get(f"/api/workshops/{world.id}/me"))["id"]
    ok(
        world.fac.patch(
            f"/api/workshops/{world.id}/members/{renamed}",
            json={"display_name": "Oswin Bramblecote"},
        )
    )
    slug = world.publish()["slug"]
    public = apps.client()
    texts = {
        "page": json.dumps(ok(public.get(f"/api/public/editions/{slug}")), ensure_ascii=False),
        "changes": public.get(f"/api/public/editions/{slug}/changes").text,
    }
    for fmt in ("pdf", "docx", "xlsx", "csv", "md", "json", "html"):
        texts[fmt] = readable(fmt, download(public, slug, fmt))
    for where, text in texts.items():
        assert THAI in text or (where == "changes" and "added" in text), where
        for secret in ("Firethorn", "Bramblecote", "Quills", GROUP_NAME_HINT):
            assert secret not in text, (where, secret)


def test_downloads_follow_the_filter(world: World, apps: AppFactory) -> None:
    slug = world.publish()["slug"]
    public = apps.client()
    document = json.loads(download(public, slug, "json", theme="identification"))
    assert sorted(c["title"] for c in document["consolidated"]) == sorted([THAI, FORMULA])
    assert document["filter"] == {"theme": "identification"}
    document = json.loads(download(public, slug, "json", kind="practice"))
    assert [c["title"] for c in document["consolidated"]] == [BAHASA]
    table = list(
        csv.reader(
            io.StringIO(download(public, slug, "csv", actor="government").decode("utf-8-sig"))
        )
    )
    assert [row[3] for row in table[1:]] == ["Shelters for adults"]

    base = f"/api/public/editions/{slug}/download"
    assert error_of(public.get(f"{base}/csv", params={"actor": "aliens"}), 422)["field"] == "actor"
    assert error_of(public.get(f"{base}/csv", params={"theme": "nope"}), 422)["field"] == "theme"
    assert public.get(f"{base}/rtf").status_code == 422


def test_the_server_hands_the_worker_the_editions_id_not_its_document(
    world: World, apps: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = world.publish()["slug"]
    handed: list[object] = []
    original = RenderPool.render

    async def recording(self: RenderPool, fmt: str, source: Any, **kwargs: Any) -> bytes:
        handed.append(source)
        return await original(self, fmt, source, **kwargs)

    monkeypatch.setattr(RenderPool, "render", recording)
    table = download(apps.client(), slug, "csv", theme="identification")
    assert THAI in table.decode("utf-8-sig") and BAHASA not in table.decode("utf-8-sig")
    (source,) = handed
    assert isinstance(source, EditionQuery)
    assert source.title == "Roundtable on Victim Protection"
    assert source.edition.number == 1 and source.filter.theme == "identification"
    message = pickle.dumps(source)
    assert len(message) < 1_000 and THAI.encode() not in message
