"""Renders in worker processes: same bytes as in-process, a timeout, a pool that recovers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from roundtable.exports.formats import render
from roundtable.exports.worker import ExportTimeout, RenderPool
from tests.exports.conftest import Rendered


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
