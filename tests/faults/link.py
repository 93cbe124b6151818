"""A network link that can be cut: a TCP relay between clients and a server.

While the link is cut nothing passes either way: bytes already read wait in the relay
and the rest stay in the kernel's buffers, as on a network that stopped carrying
packets, and new connections hang before reaching the server. Neither end is told
anything; each finds out by its own timeouts (WebSocket pings), as after a real Wi-Fi
drop. Restored, whatever waited goes through, and a connection one end gave up on
meanwhile is closed at the other end too.
"""

from __future__ import annotations

import asyncio
import contextlib

from tests.support import LiveServer

CHUNK = 64 * 1024


class Link:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.up = asyncio.Event()
        self.up.set()
        self._listener: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> LiveServer:
        """Starts relaying; returns the server as clients on the far side reach it
        (same origin as far as they can tell: the relay's address)."""
        self._listener = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._listener.sockets[0].getsockname()[1]
        return LiveServer(self.server.database_url, port=self.port)

    def cut(self) -> None:
        self.up.clear()

    def restore(self) -> None:
        self.up.set()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.up.wait()
            try:
                server_r, server_w = await asyncio.open_connection("127.0.0.1", self.server.port)
            except OSError:
                client_w.close()
                return
            try:
                await asyncio.gather(self._pump(client_r, server_w), self._pump(server_r, client_w))
            finally:
                for writer in (client_w, server_w):
                    writer.close()
        finally:
            self._tasks.discard(task)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await source.read(CHUNK)
                await self.up.wait()  # a cut link carries nothing, not even the end
                if not data:
                    break
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.close()
