"""Renders in worker processes: same bytes as in-process, a timeout, a pool that recovers."""

from __future__ import annotations

import asyncio
import os
import pickle
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlmodel import Session

from roundtable.db import make_engine, read_session
from roundtable.exports.edition import edition_document, edition_info, edition_snapshot
from roundtable.exports.formats import render
from roundtable.exports.model import (
    ExportError,
    ExportFilter,
    assemble_snapshot,
    build_snapshot,
    read_snapshot_rows,
)
from roundtable.exports.reader import ChecklistQuery
from roundtable.exports.worker import ExportTimeout, RenderPool
from tests.exports.conftest import Rendered
from tests.exports.world import BAHASA, HELD_BACK, World

T = TypeVar("T")


def _read(url: str, read: Callable[[Session], T]) -> T:
    """What the server would read of the database at ``url`` (its own engine, then gone)."""
    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            return read(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    pool = RenderPool(size=1)
    yield pool
    pool.shutdown()


def test_a_worker_renders_what_the_parent_would(pool: RenderPool, rendered: Rendered) -> None:
    async def run() -> tuple[bytes, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        ticker = asyncio.create_task(tick())
        content = await pool.render("csv", rendered.snapshot)
        ticker.cancel()
        return content, ticks

    content, ticks = asyncio.run(run())
    assert content == render("csv", rendered.snapshot)
    assert ticks > 5  # the event loop kept running while the worker worked
    assert pool.started
    assert all(pid != os.getpid() for pid in _worker_pids(pool))


def test_a_worker_assembles_a_snapshot_handed_over_as_rows(
    pool: RenderPool, sqlite_world: tuple[str, World]
) -> None:
    url, world = sqlite_world
    rows = _read(url, lambda session: read_snapshot_rows(session, world.workshop_id))
    content = asyncio.run(pool.render("md", rows))
    assert content == render("md", assemble_snapshot(rows))
    assert BAHASA.encode() in content
    assert HELD_BACK.encode() not in content  # the worker holds back what the server did


def test_a_render_past_its_timeout_fails_and_the_pool_recovers(
    pool: RenderPool, rendered: Rendered
) -> None:
    with pytest.raises(ExportTimeout, match=r"pdf export took longer than 0\.001 s"):
        asyncio.run(pool.render("pdf", rendered.snapshot, timeout=0.001))
    assert not pool.started  # the stuck workers were let go
    content = asyncio.run(pool.render("md", rendered.snapshot))
    assert content == rendered.files["md"]


def test_an_unknown_format_is_refused_before_any_work(pool: RenderPool) -> None:
    with pytest.raises(ValueError, match="unknown export format 'rtf'"):
        asyncio.run(pool.render("rtf", None))  # type: ignore[arg-type]


def _worker_pids(pool: RenderPool) -> list[int]:
    executor = pool._executor
    processes = getattr(executor, "_processes", None) or {}
    return list(processes)


def _priority_and_pid() -> bytes:
    """Runs in a worker: its nice value and process id (and a short pause, so two calls
    submitted together would overlap if the pool had room for both)."""
    started = time.monotonic()
    time.sleep(0.2)
    return (
        f"{os.getpriority(os.PRIO_PROCESS, 0)} {os.getpid()} {started} {time.monotonic()}".encode()
    )


def test_workers_run_at_a_lower_priority_one_render_at_a_time() -> None:
    pool = RenderPool(size=1, nice=7)
    try:

        async def two_at_once() -> list[bytes]:
            return list(
                await asyncio.gather(pool.run(_priority_and_pid), pool.run(_priority_and_pid))
            )

        first, second = (line.split() for line in asyncio.run(two_at_once()))
    finally:
        pool.shutdown()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert int(first[0]) == int(second[0]) == min(own + 7, 19)
    assert first[1] == second[1]  # the one worker process did both
    assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the server itself is untouched
    spans = sorted((float(f[2]), float(f[3])) for f in (first, second))
    assert spans[0][1] <= spans[1][0]  # one after the other, never side by side


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDTABLE_EXPORT_WORKERS", "3")
    monkeypatch.setenv("ROUNDTABLE_EXPORT_NICE", "0")
    pool = RenderPool()
    assert (pool.size, pool.nice) == (3, 0)
    monkeypatch.delenv("ROUNDTABLE_EXPORT_WORKERS")
    monkeypatch.delenv("ROUNDTABLE_EXPORT_NICE")
    assert (RenderPool().size, RenderPool().nice) == (1, 10)
    monkeypatch.setenv("ROUNDTABLE_EXPORT_NICE", "25")
    with pytest.raises(
        ValueError, match="ROUNDTABLE_EXPORT_NICE must be a whole number from 0 to 19"
    ):
        RenderPool()


def test_a_worker_assembles_an_edition_handed_over_as_its_document(pool: RenderPool) -> None:
    document = {
        "workshop": {"title": "Bangkok roundtable", "starts_on": "2014-06-26"},
        "themes": [{"key": "identification", "label": "Identification", "parent": None}],
        "items": [
            {
                "code": "ID-01",
                "kind": "need",
                "title": "Interpreters",
                "themes": ["identification"],
            },
            {"code": "ID-02", "kind": "response", "title": "Shelters", "actors": ["government"]},
        ],
    }
    info = edition_info(2, "Follow-up", datetime(2014, 7, 15, tzinfo=UTC))
    source = edition_document(document, info, kind="response")
    assert source.title == "Bangkok roundtable"
    content = asyncio.run(pool.render("md", source)).decode()
    assert "Shelters" in content
    assert "Interpreters" not in content  # the filter went with the document
    expected = edition_snapshot(document, info, kind="response")
    assert source.assemble().items == expected.items
    with pytest.raises(ExportError) as caught:
        edition_document(document, info, theme="fishing")
    assert caught.value.field == "theme"


def test_a_worker_reads_the_checklist_itself_and_renders_what_the_server_would(
    pool: RenderPool, sqlite_world: tuple[str, World]
) -> None:
    url, world = sqlite_world
    expected = _read(
        url, lambda session: build_snapshot(session, world.workshop_id, kind="practice")
    )
    query = ChecklistQuery(
        url, world.workshop_id, ExportFilter(kind="practice"), generated_at=expected.generated_at
    )
    assert len(pickle.dumps(query)) < 1_000  # all the server sends
    content = asyncio.run(pool.render("md", query))
    assert content == render("md", expected)
    assert BAHASA.encode() in content
    assert HELD_BACK.encode() not in content

    # A refusal the worker meets (a theme gone since the server checked) comes back as
    # the same error, naming the field; the pool goes on.
    gone = ChecklistQuery(url, world.workshop_id, ExportFilter(theme="fishing"))
    with pytest.raises(ExportError) as caught:
        asyncio.run(pool.render("md", gone))
    assert caught.value.field == "theme"
    assert asyncio.run(pool.render("md", query)) == content
