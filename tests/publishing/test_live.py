"""On a real server: a facilitator watching the workshop sees a new edition arrive live,
and a reader with no session opens it and downloads it (rendered by the worker pool)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest

from tests.support import LiveServer, WsClient, create_facilitator_account, ok, setup_workshop


@pytest.fixture
def server(sqlite_url: str) -> Iterator[LiveServer]:
    create_facilitator_account(sqlite_url)
    srv = LiveServer(sqlite_url).start(timeout=60)
    yield srv
    srv.stop()


def test_a_published_edition_arrives_live_and_opens_without_login(server: LiveServer) -> None:
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac, groups=1, phase="consolidation")
    items = f"/api/workshops/{ws['id']}/checklists/{ws['consolidated']}/items"
    ok(
        fac.post(items, json={"kind": "need", "title": "Safe shelter", "themes": ["protection"]}),
        201,
    )

    async def scenario() -> dict[str, object]:
        watcher = WsClient(server, fac, ws["id"])
        await watcher.connect()
        await watcher.recv_until(lambda m: m["type"] == "snapshot")
        published = await asyncio.to_thread(
            lambda: ok(fac.post(f"/api/workshops/{ws['id']}/editions", json={"title": "One"}), 201)
        )
        await watcher.recv_until(lambda m: "edition" in watcher.entities)
        seen = next(iter(watcher.entities["edition"].values()))
        await watcher.close()
        assert seen["slug"] == published["slug"] and seen["number"] == 1
        return dict(published)

    published = asyncio.run(scenario())
    reader = server.api()  # no session
    page = ok(reader.get(f"/api/public/editions/{published['slug']}"))
    assert [(i["code"], i["title"]) for i in page["items"]] == [("PR-01", "Safe shelter")]
    r = reader.get(f"/api/public/editions/{published['slug']}/download/pdf", timeout=60)
    assert r.status_code == 200, r.text
    pdf = pdfium.PdfDocument(r.content)
    text = "\n".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    pdf.close()
    assert "PR-01" in text and "Safe shelter" in text and "Edition 1" in text
