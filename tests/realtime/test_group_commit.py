"""Group commit: ops that wait together share one transaction and one fsync.

``submit_batch`` must give exactly what the ops would have got one by one: gapless seqs,
a refusal that rolls back only its own op (and is recorded, so a resend is a
duplicate), duplicates answered with their first seq, and nothing announced before the
commit. The writer thread must batch ops that queue behind a running write.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlmodel import col

from roundtable.checklists.models import Item
from roundtable.errors import OpRejected
from roundtable.ops import build_registry
from roundtable.sync.models import Event, SyncClient
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, OpSpec
from roundtable.sync.service import OpRequest, Submitted, submit_batch
from roundtable.sync.writer import Writer
from roundtable.workshops.models import Workshop
from tests.support import Api, AppFactory, writer_workshop


class Nothing(BaseModel):
    pass


def _boom(ctx: OpContext, args: Nothing) -> OpOutcome:
    raise RuntimeError("a bug in a handler")


@dataclass
class Scene:
    engine: Engine
    registry: OpRegistry
    workshop_id: int
    member_id: int
    item_id: str

    def update(self, op_id: int, title: str, item_id: str | None = None) -> OpRequest:
        args = {"id": item_id or self.item_id, "title": title}
        return OpRequest(self.workshop_id, self.member_id, "item.update", args, "c1", op_id)

    def head(self) -> int:
        with self.engine.connect() as db:
            return int(
                db.execute(
                    select(col(Workshop.head_seq)).where(col(Workshop.id) == self.workshop_id)
                ).scalar_one()
            )

    def events(self) -> list[tuple[int, str | None, int | None]]:
        with self.engine.connect() as db:
            rows = db.execute(
                select(col(Event.seq), col(Event.client_id), col(Event.op_id))
                .where(col(Event.workshop_id) == self.workshop_id)
                .order_by(col(Event.seq))
            ).all()
        return [(int(r[0]), r[1], r[2]) for r in rows]

    def title(self) -> str:
        with self.engine.connect() as db:
            return str(
                db.execute(select(col(Item.title)).where(col(Item.id) == self.item_id)).scalar_one()
            )

    def last_op_id(self) -> int | None:
        with self.engine.connect() as db:
            return db.execute(
                select(col(SyncClient.last_op_id)).where(
                    col(SyncClient.client_id) == "c1",
                    col(SyncClient.workshop_id) == self.workshop_id,
                )
            ).scalar_one_or_none()


@pytest.fixture
def scene(apps: AppFactory, fac: Api) -> Any:
    engine, workshop_id, member_id, item_id = writer_workshop(apps, fac)
    registry = build_registry()
    registry.register(OpSpec("test.boom", Nothing, _boom))
    yield Scene(engine, registry, workshop_id, member_id, item_id)
    engine.dispose()


def test_a_batch_is_what_the_ops_one_by_one_would_give(scene: Scene) -> None:
    head = scene.head()
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.update(1, "One"),
            scene.update(2, "Nowhere", item_id="no-such-item"),  # refused: not found
            scene.update(3, "Three"),
            scene.update(1, "One again"),  # a resend: a duplicate of op 1
            OpRequest(scene.workshop_id, scene.member_id, "item.update", {}, "c1", 4),
        ],
    )
    first, missing, third, again, invalid = results
    assert isinstance(first, Submitted) and first.seq == head + 1
    assert isinstance(missing, OpRejected) and missing.code == "not_found"
    assert isinstance(third, Submitted) and third.seq == head + 2
    assert isinstance(again, Submitted) and again.duplicate and again.seq == head + 1
    assert isinstance(invalid, OpRejected) and invalid.code == "invalid"
    # Gapless: the refused and duplicate ops gave their seqs back.
    assert scene.head() == head + 2
    assert scene.events()[-2:] == [(head + 1, "c1", 1), (head + 2, "c1", 3)]
    assert scene.title() == "Three"
    assert scene.last_op_id() == 4  # the refused op 4 is recorded
    # A resend of the refused op 2 is a duplicate with no event, not a second try.
    (resent,) = submit_batch(
        scene.engine, scene.registry, None, [scene.update(2, "Nowhere"), scene.update(5, "Five")]
    )[:1]
    assert isinstance(resent, Submitted) and resent.duplicate and resent.seq is None
    assert scene.head() == head + 3


def test_nothing_is_announced_before_the_commit(scene: Scene) -> None:
    """``on_commit`` (the hub's hand-over, hence every delivery and every ack) runs after
    the batch's commit: each event it gets is readable from another connection."""
    seen: list[int] = []

    def on_commit(event: Event) -> None:
        with scene.engine.connect() as db:
            stored = db.execute(
                select(col(Event.seq)).where(
                    col(Event.workshop_id) == event.workshop_id, col(Event.seq) == event.seq
                )
            ).scalar_one_or_none()
        assert stored == event.seq, "announced before it was committed"
        seen.append(event.seq)

    head = scene.head()
    submit_batch(
        scene.engine,
        scene.registry,
        None,
        [scene.update(n, f"Title {n}") for n in range(1, 6)],
        on_commit=on_commit,
    )
    assert seen == [head + n for n in range(1, 6)]


def test_a_bug_in_one_op_leaves_the_others_applied_one_by_one(scene: Scene) -> None:
    head = scene.head()
    boom = OpRequest(scene.workshop_id, scene.member_id, "test.boom", {}, "c1", 2)
    results = submit_batch(
        scene.engine, scene.registry, None, [scene.update(1, "A"), boom, scene.update(3, "C")]
    )
    assert isinstance(results[0], Submitted) and results[0].seq == head + 1
    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[2], Submitted) and results[2].seq == head + 2
    assert [e[0] for e in scene.events()[-2:]] == [head + 1, head + 2]
    assert scene.title() == "C"


def test_the_writer_puts_waiting_ops_in_one_transaction(scene: Scene) -> None:
    asyncio.run(_ops_wait_behind_a_write(scene))


async def _ops_wait_behind_a_write(scene: Scene) -> None:
    writer = Writer(scene.engine, None)
    release = threading.Event()
    try:
        blocker = asyncio.ensure_future(writer.run(lambda: release.wait(10)))
        await asyncio.sleep(0.05)  # the writer thread is now busy with the blocker
        ops = [
            asyncio.ensure_future(writer.submit(scene.registry, scene.update(n, f"T{n}")))
            for n in range(1, 9)
        ]
        await asyncio.sleep(0.05)
        release.set()
        assert await blocker is True
        results = await asyncio.gather(*ops)
    finally:
        release.set()
        await asyncio.to_thread(writer.stop)
    seqs = [r.seq for r in results]
    assert seqs == list(range(seqs[0], seqs[0] + 8))
    assert (writer.batches, writer.ops) == (1, 8)
    assert scene.title() == "T8"


def test_the_writer_hands_a_refusal_to_its_caller_only(scene: Scene) -> None:
    asyncio.run(_refusal_to_its_caller(scene))


async def _refusal_to_its_caller(scene: Scene) -> None:
    writer = Writer(scene.engine, None)
    try:
        good, bad = await asyncio.gather(
            writer.submit(scene.registry, scene.update(1, "Fine")),
            writer.submit(scene.registry, scene.update(2, "x", item_id="missing-item")),
            return_exceptions=True,
        )
    finally:
        await asyncio.to_thread(writer.stop)
    assert isinstance(good, Submitted) and good.event is not None
    assert isinstance(bad, OpRejected) and bad.code == "not_found"


def test_the_writer_outlives_a_failure_after_commit(scene: Scene) -> None:
    asyncio.run(_outlives_a_failure(scene))


async def _outlives_a_failure(scene: Scene) -> None:
    calls: list[int] = []

    def on_commit(event: Event) -> None:
        calls.append(event.seq)
        if len(calls) == 1:
            raise RuntimeError("the hand-over failed")

    writer = Writer(scene.engine, None, on_commit)
    try:
        # Committed all the same: its caller hears so, not of the hand-over's failure.
        first = await writer.submit(scene.registry, scene.update(1, "First"))
        second = await writer.submit(scene.registry, scene.update(2, "Second"))
    finally:
        await asyncio.to_thread(writer.stop)
    assert isinstance(first, Submitted) and first.seq == calls[0]
    assert second.seq == calls[-1] and len(calls) == 2
    assert scene.title() == "Second"


def test_a_failed_in_loop_hand_over_still_reports_the_commit(scene: Scene) -> None:
    asyncio.run(_in_loop_failure(scene))


async def _in_loop_failure(scene: Scene) -> None:
    handed: list[int] = []

    def in_loop(events: list[Any]) -> None:
        handed.extend(e.seq for e in events)
        raise RuntimeError("the hand-over failed")

    writer = Writer(scene.engine, None, in_loop=in_loop)
    try:
        result = await writer.submit(scene.registry, scene.update(1, "Kept"))
    finally:
        await asyncio.to_thread(writer.stop)
    assert isinstance(result, Submitted) and handed == [result.seq]
    assert scene.title() == "Kept"


def test_the_writer_hands_a_batch_over_in_one_callback(scene: Scene) -> None:
    asyncio.run(_one_callback_per_batch(scene))


class _Bell:
    def __init__(self) -> None:
        self.staged: list[int] = []
        self.rung_seqs: list[int] = []

    def stage(self, session: Any, workshop_id: int, seq: int) -> None:
        self.staged.append(seq)

    def rung(self, workshop_id: int, seq: int) -> None:
        self.rung_seqs.append(seq)


async def _one_callback_per_batch(scene: Scene) -> None:
    """``in_loop``: the committed events reach the event loop's thread in order, in the
    callback that settles the callers (before them): one ``call_soon_threadsafe`` per
    batch; nothing is handed over or rung from the writer's thread."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    hops = 0
    original = loop.call_soon_threadsafe

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return original(*args, **kwargs)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    handed: list[tuple[list[int], bool]] = []
    futures: list[asyncio.Future[Submitted]] = []

    def in_loop(events: list[Any]) -> None:
        assert threading.get_ident() == loop_thread
        handed.append(([e.seq for e in events], any(f.done() for f in futures)))

    bell = _Bell()
    on_commit_calls: list[int] = []
    writer = Writer(scene.engine, bell, on_commit_calls.append, in_loop=in_loop)
    release = threading.Event()
    try:
        blocker = asyncio.ensure_future(writer.run(lambda: release.wait(10)))
        await asyncio.sleep(0.05)
        futures.extend(
            asyncio.ensure_future(writer.submit(scene.registry, scene.update(n, f"T{n}")))
            for n in range(1, 6)
        )
        futures.append(
            asyncio.ensure_future(
                writer.submit(scene.registry, scene.update(6, "x", item_id="missing-item"))
            )
        )
        await asyncio.sleep(0.05)
        hops_before = hops
        release.set()
        await blocker
        results = await asyncio.gather(*futures, return_exceptions=True)
        batch_hops = hops - hops_before
    finally:
        release.set()
        await asyncio.to_thread(writer.stop)
        loop.call_soon_threadsafe = original  # type: ignore[method-assign]
    seqs = [r.seq for r in results[:5] if isinstance(r, Submitted)]
    assert len(seqs) == 5 and seqs == list(range(seqs[0], seqs[0] + 5))
    assert isinstance(results[5], OpRejected)
    assert handed == [(seqs, False)]
    assert (writer.batches, writer.ops) == (1, 6)  # one transaction for the six ops
    assert batch_hops == 2  # the blocker's result, then the batch's one callback
    assert bell.staged == seqs and bell.rung_seqs == [] and on_commit_calls == []
