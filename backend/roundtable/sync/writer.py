"""The writer: one thread that runs a process's writes in the order they arrive.

SQLite takes one writer at a time, so its writes are serial whatever we do; the writer
makes the most of that. Ops that are waiting when it turns to them (up to
``max_batch``) go through ``submit_batch`` together: one transaction, one commit and
one fsync for all of them (group commit), each op in its own savepoint. Every op's
caller hears back only after that commit. Other writes (``run``: an import, a purge)
run alone, in their turn.

The thread keeps one connection for its ops' transactions (``HeldConnection``): the
pool's check-out, check-in and reset were a sixth of an op's CPU.

Handing results back to the event loop costs one ``call_soon_threadsafe`` per batch.
With ``in_loop`` that one callback also hands the batch's committed events over (and
rings): one thread hop per batch in all, instead of one per event, one per doorbell and
one for the results.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine

from roundtable.sync.models import CommittedEvent
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import Doorbell, HeldConnection, OpRequest, Submitted, submit_batch

T = TypeVar("T")
log = logging.getLogger("roundtable.writer")


@dataclass
class _Op:
    registry: OpRegistry
    request: OpRequest
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


@dataclass
class _Call:
    fn: Callable[[], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


class Writer:
    def __init__(
        self,
        engine: Engine,
        doorbell: Doorbell | None,
        on_commit: Callable[[CommittedEvent], None] | None = None,
        *,
        max_batch: int = 32,
        in_loop: Callable[[list[CommittedEvent]], None] | None = None,
    ) -> None:
        """``on_commit`` and the doorbell's ``rung`` are called in the writer's thread
        after each commit. ``in_loop``, if given, replaces both: it gets the batch's
        committed events, in order, on the event loop of the batch's first op, in the
        same callback that settles the callers' futures (before them), and is then
        expected to hand them over and ring."""
        self.engine = engine
        self.doorbell = doorbell
        self.on_commit = on_commit
        self.in_loop = in_loop
        self.max_batch = max_batch
        self.batches = 0  # transactions run for ops (tests and the bench read these)
        self.ops = 0
        # A C queue: putting an op costs the event loop far less than a Condition does.
        self._jobs: queue.SimpleQueue[_Op | _Call | None] = queue.SimpleQueue()
        self._held: list[_Op | _Call | None] = []  # taken off the queue, next in line
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    async def submit(self, registry: OpRegistry, request: OpRequest) -> Submitted:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Submitted] = loop.create_future()
        self._put(_Op(registry, request, loop, future))
        return await future

    async def run(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._put(_Call(fn, loop, future))
        return await future

    def stop(self, timeout: float = 30.0) -> None:
        """Lets the queued writes finish, then ends the thread."""
        thread = self._thread
        if thread is None:
            return
        self._put(None)
        thread.join(timeout)
        self._thread = None

    def _put(self, job: _Op | _Call | None) -> None:
        if self._thread is None and job is not None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name="writer", daemon=True)
                    self._thread.start()
        self._jobs.put(job)

    def _take(self) -> list[_Op] | _Call | None:
        """The next call, or the next ops that can share a transaction (in the writer's
        thread only)."""
        first = self._held.pop() if self._held else self._jobs.get()
        if not isinstance(first, _Op):
            return first
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if not isinstance(job, _Op) or job.registry is not first.registry:
                self._held.append(job)  # it goes next, in its turn
                break
            batch.append(job)
        return batch

    def _serve(self) -> None:
        held = HeldConnection(self.engine)
        try:
            self._serve_with(held)
        finally:
            held.close()

    def _serve_with(self, held: HeldConnection) -> None:
        while True:
            job = self._take()
            if job is None:
                return
            if isinstance(job, _Call):
                try:
                    outcome: Any = job.fn()
                except BaseException as exc:  # handed to the caller
                    outcome = exc
                _settle_all(job.loop, [(job.future, outcome)])
                continue
            in_loop = self.in_loop
            try:
                results: list[Any] = submit_batch(
                    self.engine,
                    job[0].registry,
                    self.doorbell,
                    [op.request for op in job],
                    on_commit=self.on_commit if in_loop is None else None,
                    announce=in_loop is None,
                    held=held,
                )
            except Exception as exc:  # never let the one writer thread die
                results = [exc] * len(job)
            self.batches += 1
            self.ops += len(job)
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any]]] = {}
            for op, result in zip(job, results, strict=True):
                by_loop.setdefault(op.loop, []).append((op.future, result))
            events: list[CommittedEvent] = []
            if in_loop is not None:
                events = [r.event for r in results if isinstance(r, Submitted) and r.event]
            for loop, settled in by_loop.items():
                if in_loop is not None and events and loop is job[0].loop:
                    _settle_all(loop, settled, partial(in_loop, events))
                else:
                    _settle_all(loop, settled)


def _settle_all(
    loop: asyncio.AbstractEventLoop,
    settled: list[tuple[asyncio.Future[Any], Any]],
    first: Callable[[], None] | None = None,
) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_settle, settled, first)


def _settle(
    settled: list[tuple[asyncio.Future[Any], Any]], first: Callable[[], None] | None = None
) -> None:
    if first is not None:
        try:
            first()
        except Exception:
            # The ops are committed whatever failed here: their callers hear so, and the
            # rooms read the events back at the next doorbell or poll.
            log.exception("handing a committed batch over failed")
    for future, outcome in settled:
        if future.done():
            continue  # its caller went away; the write happened all the same
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
