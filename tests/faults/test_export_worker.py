"""An export's worker process is killed with -9 in the middle of rendering a PDF.

The download answers ``503 unavailable`` at once (not a 500, not a hang until the
render timeout); the live path goes on meanwhile; the pool starts new workers, so the
next download is a whole, readable PDF; and the export metrics settle back."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import httpx
import pypdfium2
import pytest

from tests.faults.scenes import answering, item_path, new_item, sqlite_server
from tests.observability.checks import parse
from tests.realtime.clients import LiveClient, opened
from tests.support import ROOT, error_of, ok

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

# A small export starts the workers and shows they work again after the kill; the one killed
# is long enough (seconds, even on a quiet machine) that the kill lands mid-render.
ITEMS = 40
HEAVY_ITEMS = 1500


def heavy_document(items: int = ITEMS) -> dict[str, object]:
    """The sample workshop with a consolidated checklist of ``items`` items."""
    document = json.loads((ROOT / "tests/fixtures/interchange-sample.json").read_text())
    first = document["consolidated"][0]
    document["consolidated"] = []
    for n in range(1, items + 1):
        item = copy.deepcopy(first)
        item.update(ref=f"K{n}", title=f"Need N{n:04d} consolidated", sources=[])
        item["detail"] = " ".join(f"Paragraph {k} on screening and referral." for k in range(30))
        document["consolidated"].append(item)
    return document


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def render_workers(pid: int) -> set[int]:
    """The server's export workers (spawned children, not the resource tracker)."""
    workers = set()
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            workers.add(child)
    return workers


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_export_worker_killed_mid_render(tmp_path: Path) -> None:
    with sqlite_server(tmp_path) as c:
        server = c.servers[0]
        assert server.proc is not None
        fac = server.api()
        ok(fac.login())
        fac.client.timeout = httpx.Timeout(60)
        wid = ok(fac.post("/api/workshops/import", json=heavy_document()), 201)["id"]
        url = f"/api/workshops/{wid}/export/pdf"
        heavy = ok(fac.post("/api/workshops/import", json=heavy_document(HEAVY_ITEMS)), 201)
        heavy_url = f"/api/workshops/{heavy['id']}/export/pdf"

        # A first render starts the workers (spawned once, then kept).
        assert ok_pdf(fac.get(url)) == ITEMS
        workers = render_workers(server.proc.pid)
        assert workers, "no export worker processes"
        busy_before = {pid: cpu_ticks(pid) for pid in workers}

        answer: list[httpx.Response] = []
        download = threading.Thread(target=lambda: answer.append(fac.get(heavy_url)))
        download.start()
        # Mid-render: a worker has started burning CPU on it.
        deadline = time.monotonic() + 20
        while not any(cpu_ticks(pid) > busy_before[pid] + 10 for pid in workers):
            assert time.monotonic() < deadline, "the render never started"
            assert download.is_alive(), "the render finished before it could be killed"
            time.sleep(0.02)
        killed_at = time.monotonic()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        download.join(30)
        assert answer, "the download never answered"
        assert time.monotonic() - killed_at < 10
        assert error_of(answer[0], 503)["code"] == "unavailable"

        # The live path was never held up, and goes on.
        scene = c.scene(0)
        ana = scene.join(0, "Ana")

        async def live() -> None:
            client = LiveClient(server, ana, scene.id)
            async with opened(client):
                await client.connect()
                await client.expect("snapshot")
                made = ok(scene.fac.post(item_path(scene), json=new_item("While exporting")), 201)
                await client.recv_until(lambda _m: made["id"] in client.items())

        asyncio.run(asyncio.wait_for(live(), 30))

        # New workers: the next download is whole.
        assert ok_pdf(fac.get(url)) == ITEMS
        assert not render_workers(server.proc.pid) & workers
        metrics = parse(server.api().get("/metrics").text)
        assert metrics["roundtable_export_queue_length"] == 0
        assert metrics["roundtable_export_duration_seconds_count"] == 3
        answering(c, scene)


def ok_pdf(response: httpx.Response) -> int:
    """The PDF's number of items, read back from its text."""
    assert response.status_code == 200, response.text
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    return len(set(re.findall(r"N(\d{4}) consolidated", text)))
