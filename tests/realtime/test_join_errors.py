"""A hello the database cannot answer (down, restarting, a connection cut) closes the
socket with 1013, try again later, never 1011: nothing is wrong on our side that a
reconnect a moment later would not mend, and the client's pending ops stay its own."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from websockets.exceptions import ConnectionClosed

from tests.realtime.clients import Live, make_scene, opened
from tests.support import first_lock_waiter


@pytest.mark.parametrize("live", ["postgres"], indirect=True)
def test_hello_while_the_database_fails_closes_with_try_again_later(live: Live) -> None:
    scene = make_scene(live)
    ana = scene.join(0, "Ana")
    url = live.database_url

    async def scenario() -> None:
        a = scene.client(ana)
        async with opened(a):
            with psycopg.connect(url) as locker:
                # The hello's first read (the session behind the cookie) waits here...
                locker.execute("LOCK TABLE login_session IN ACCESS EXCLUSIVE MODE")
                hello = asyncio.create_task(a.connect())
                waiting = await first_lock_waiter(url, locker.info.backend_pid, "the hello")
                # ...and its connection is cut, as a restarting database would.
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (waiting,))
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(hello, 10)
                locker.rollback()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013, closed.value

            # Once it answers again, the same client is welcomed.
            welcome = await a.connect()
            assert welcome["type"] == "welcome"
            await a.expect("snapshot")

    asyncio.run(scenario())
