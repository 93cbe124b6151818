"""Renders in worker processes, so a slow export never holds up the event loop.

The parent authorises the download and hands over a small source (``reader.ChecklistQuery``:
a few ids and the filter); a child reads the rows on a read-only connection of its own,
assembles the snapshot and turns it into bytes. Python work in the parent holds the GIL
the live path's threads need, so it is kept to a few small queries and a tiny pickle.

A :class:`RenderPool` is a small process pool, made on the first render with the ``spawn``
start method (a forked child would inherit the server's sockets, threads and database
connections), and stopped by :meth:`RenderPool.shutdown`. The app owns one, made in its
lifespan.

A render that outlives its timeout raises :class:`ExportTimeout`. A running process
cannot be cancelled through ``concurrent.futures``, so the executor is then torn down
and its processes terminated; the next render starts a fresh one.

Renders yield to the live path. A 2,000-item PDF keeps a core busy for half a minute, and
on a two-core server that core is one the event loop needs. So by default the pool has
one process (a second download waits for the first instead of taking the other core),
and each worker lowers its own scheduling priority (``nice``) before its first render.
Typst typesets inside the worker (the ``typst`` package is a library, not a child
process) and the threads it starts inherit the worker's priority. When the machine is
otherwise idle a niced render runs as fast as before; it only gives way when the server
wants the CPU. ``ROUNDTABLE_EXPORT_WORKERS`` and ``ROUNDTABLE_EXPORT_NICE`` (0 to 19)
override the two defaults; ``bench/export_under_load.py`` measures what each buys.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from roundtable.exports.formats import FORMATS, render
from roundtable.exports.model import Snapshot, SnapshotSource

POOL_SIZE = 1
WORKER_NICE = 10
DEFAULT_TIMEOUT_S = 120.0


class ExportTimeout(TimeoutError):
    """A render took longer than it was allowed to."""


class ExportFailed(RuntimeError):
    """A render's worker process died."""


def _env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{name} must be a whole number from {low} to {high}, got {raw!r}"
        ) from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value}")
    return value


def lower_priority(nice: int) -> None:
    """Runs first in each worker process: lowers its priority by ``nice`` (0: unchanged)."""
    if nice > 0:
        os.nice(nice)


class RenderPool:
    def __init__(
        self,
        size: int | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        nice: int | None = None,
        on_rendered: Callable[[float], None] | None = None,
    ) -> None:
        # Read when the pool is made (by the app's lifespan), never at import.
        self.size = (
            size if size is not None else _env_int("ROUNDTABLE_EXPORT_WORKERS", POOL_SIZE, 1, 16)
        )
        self.nice = (
            nice if nice is not None else _env_int("ROUNDTABLE_EXPORT_NICE", WORKER_NICE, 0, 19)
        )
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

    async def render(
        self, fmt: str, snapshot: Snapshot | SnapshotSource, *, timeout: float | None = None
    ) -> bytes:
        """The snapshot rendered in ``fmt`` by a worker process. Hand over its source
        (``ChecklistQuery``, publishing's ``EditionQuery``): the worker then reads and
        assembles it, not the server."""
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
                    max_workers=self.size,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=lower_priority,
                    initargs=(self.nice,),
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
