"""Deleting a workshop closes its live sockets in every app process, not only in the one
that took the ``DELETE``: the others hear it over the notifier, and a process that
missed that notification closes them at its next poll, which finds the workshop gone.
Sockets of other workshops stay open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from roundtable.db import make_engine, write_session
from roundtable.safeguards.scrub import delete_workshop_rows
from tests.integration.cluster import Cluster, cluster, join_on
from tests.realtime.clients import LiveClient, Scene, open_database, opened
from tests.support import ok

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


def pair_polling_every(seconds: float, tmp_path: Path) -> Iterator[Cluster]:
    with ExitStack() as stack:
        url = open_database("postgres", tmp_path, stack)
        with cluster(url, processes=2, env={"POLL_INTERVAL": str(seconds)}) as made:
            yield made


@pytest.fixture
def slow_poll(tmp_path: Path) -> Iterator[Cluster]:
    """Polls a minute apart: a close within seconds came through the notifier."""
    yield from pair_polling_every(60.0, tmp_path)


@pytest.fixture
def quick_poll(tmp_path: Path) -> Iterator[Cluster]:
    yield from pair_polling_every(0.5, tmp_path)


async def open_both(c: Cluster, doomed: Scene, other: Scene) -> list[LiveClient]:
    """Ana on the first process and Ben on the second in ``doomed``; Cat on the second
    in ``other``."""
    first, second = c.servers
    clients = [
        LiveClient(first, doomed.join(0, "Ana"), doomed.id),
        LiveClient(second, join_on(doomed, second, 1, "Ben"), doomed.id),
        LiveClient(second, join_on(other, second, 0, "Cat"), other.id),
    ]
    for client in clients:
        await client.connect()
        await client.expect("snapshot")
    return clients


async def still_served(client: LiveClient) -> None:
    await client.send({"type": "ping"})
    assert (await client.expect("pong"))["type"] == "pong"


def test_delete_through_one_process_closes_the_sockets_of_both(slow_poll: Cluster) -> None:
    doomed, other = slow_poll.scene(0), slow_poll.scene(1)

    async def scenario() -> None:
        ana, ben, cat = await open_both(slow_poll, doomed, other)
        async with opened(ana, ben, cat):
            archive = {"archived": True}  # deleting takes an archived workshop
            ok(doomed.fac.put(f"/api/workshops/{doomed.id}/archive", json=archive))
            deleted = await asyncio.to_thread(doomed.fac.delete, f"/api/workshops/{doomed.id}")
            assert deleted.status_code == 204, deleted.text
            # Well before the next poll: through the notifier.
            assert await asyncio.gather(ana.closed(20), ben.closed(20)) == [4004, 4004]
            await still_served(cat)

    asyncio.run(scenario())


def test_a_missed_notification_is_made_up_for_by_the_poll(quick_poll: Cluster) -> None:
    """The rows go without any process being told (as if the notification was lost):
    each process closes its sockets of that workshop when its poll finds it gone."""
    doomed, other = quick_poll.scene(0), quick_poll.scene(1)

    async def scenario() -> None:
        ana, ben, cat = await open_both(quick_poll, doomed, other)
        async with opened(ana, ben, cat):
            engine = make_engine(quick_poll.url)
            try:
                with write_session(engine) as db:
                    delete_workshop_rows(db, doomed.id)
                    db.commit()
            finally:
                engine.dispose()
            assert await asyncio.gather(ana.closed(20), ben.closed(20)) == [4004, 4004]
            await still_served(cat)

    asyncio.run(scenario())
