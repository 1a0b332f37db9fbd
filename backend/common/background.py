"""Background work inside a server process, on its event loop: started and stopped with the
server (the ASGI lifespan), woken from any thread. The blocking part runs in a worker thread
with database connections of its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from django.db import connections


class BackgroundLoop:
    """Subclasses write `_run`, which may wait on `self._wake` (set by `wake()`), and say in
    `wanted` whether this process runs them."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = self._loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._loop = self._task = None

    def wake(self) -> None:
        """Thread-safe; does nothing where no loop runs (a management command, a test)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def wanted(self) -> bool:
        return True

    async def _run(self) -> None:
        raise NotImplementedError


def with_loops(lifespan, *loops: BackgroundLoop):
    """An ASGI lifespan that also starts the wanted `loops` with the server, and stops them."""

    async def run(scope, receive, send) -> None:
        async def receive_and_follow():
            message = await receive()
            for loop in loops:
                if not loop.wanted():
                    continue
                if message["type"] == "lifespan.startup":
                    loop.start()
                elif message["type"] == "lifespan.shutdown":
                    await loop.stop()
            return message

        await lifespan(scope, receive_and_follow, send)

    return run


def in_own_connections(function: Callable[[], None]) -> Callable[[], None]:
    """`function` for a worker thread: the connections it opens are closed after each run."""

    def run() -> None:
        try:
            return function()
        finally:
            connections.close_all()  # this thread's connections only

    return run
