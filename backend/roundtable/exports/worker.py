"""Renders in worker processes, so a slow export never holds up the event loop.

The parent reads the snapshot from the database; a child only turns it into bytes (it
never opens the database). A :class:`RenderPool` is a small process pool, made on the
first render with the ``spawn`` start method (a forked child would inherit the server's
sockets, threads and database connections), and stopped by :meth:`RenderPool.shutdown`.
The app owns one, made in its lifespan.

A render that outlives its timeout raises :class:`ExportTimeout`. A running process
cannot be cancelled through ``concurrent.futures``, so the executor is then torn down
and its processes terminated; the next render starts a fresh one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from roundtable.exports.formats import FORMATS, render
from roundtable.exports.model import Snapshot

POOL_SIZE = 2
DEFAULT_TIMEOUT_S = 120.0


class ExportTimeout(TimeoutError):
    """A render took longer than it was allowed to."""


class ExportFailed(RuntimeError):
    """A render's worker process died."""


class RenderPool:
    def __init__(
        self,
        size: int = POOL_SIZE,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        on_rendered: Callable[[float], None] | None = None,
    ) -> None:
        self.size = size
        self.timeout_s = timeout_s
        # Renders submitted and not finished, and what hears each render's duration
        # (seconds, failures included): the app's metrics.
        self.pending = 0
        self.on_rendered = on_rendered
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._executor is not None

    async def render(self, fmt: str, snapshot: Snapshot, *, timeout: float | None = None) -> bytes:
        """The snapshot rendered in ``fmt`` by a worker process."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
        return await self.run(render, fmt, snapshot, label=fmt, timeout=timeout)

    async def run(
        self,
        fn: Callable[..., bytes],
        *args: Any,
        label: str = "export",
        timeout: float | None = None,
    ) -> bytes:
        """``fn(*args)`` in a worker process (``fn`` and ``args`` must pickle): for other
        documents than the checklist, such as an assessment's gap report."""
        limit = self.timeout_s if timeout is None else timeout
        started = time.monotonic()
        self.pending += 1
        try:
            return await self._render(fn, args, label, limit)
        finally:
            self.pending -= 1
            if self.on_rendered is not None:
                self.on_rendered(time.monotonic() - started)

    async def _render(
        self, fn: Callable[..., bytes], args: tuple[Any, ...], fmt: str, limit: float
    ) -> bytes:
        executor = self._get_executor()
        future = asyncio.get_running_loop().run_in_executor(executor, fn, *args)
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            # Renders running beside the stuck one fail too (ExportFailed): a worker that
            # never finishes would otherwise hold its slot for good.
            self._discard(executor)
            raise ExportTimeout(f"the {fmt} export took longer than {limit:g} s") from None
        except BrokenProcessPool as exc:
            self._discard(executor)
            raise ExportFailed(f"the {fmt} export's worker process died") from exc

    def shutdown(self, *, wait: bool = True) -> None:
        """Stops the workers: waits for running renders, or (``wait=False``) terminates
        them. A later render starts new workers."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        if wait:
            executor.shutdown(wait=True, cancel_futures=True)
        else:
            _terminate(executor)

    def _get_executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.size, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        _terminate(executor)


def _terminate(executor: ProcessPoolExecutor) -> None:
    # concurrent.futures has no way to stop a running task before Python 3.14
    # (``terminate_workers``); the executor's process table is the only handle on them.
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
