"""What a socket's event loop uses itself, with no thread hand-off: a PostgreSQL pool for the
few statements a socket runs per frame, and whatever else registers as a `LoopResource`; and
`in_worker`, the hand-off for everything else.

An async client belongs to the event loop that opened it (a server process has one loop; each
async test has its own). So each resource is opened once per loop, when first used, and closed
when the last socket holding the loop's resources lets go (`hold`, `release`): nothing outlives
the loop, and a test database can be dropped once its sockets are gone.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import psycopg
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")

LOOP_POOL_SIZE = 4


def in_worker(function):
    """Run a sync function that uses the database in the worker pool, not in Channels' one
    database thread: each call is a transaction of its own, so several can wait on the
    database at once.

    The worker's connection goes back to the pool after each call (closed inside the call, where
    it is visible: asgiref runs the function in a copied context that
    `database_sync_to_async` does not see), so the next call starts from a sound one.
    """

    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(call, thread_sensitive=False)


@dataclass
class _Holders:
    count: int = 0
    opened: dict[LoopResource, asyncio.Future] = field(default_factory=dict)


_HOLDERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Holders] = (
    weakref.WeakKeyDictionary()
)


def _holders() -> _Holders:
    return _HOLDERS.setdefault(asyncio.get_running_loop(), _Holders())


async def hold() -> None:
    """A socket of this loop will use its resources: they stay open until it `release`s."""
    _holders().count += 1


async def release() -> None:
    """The socket is done; the last one closes every resource the loop opened."""
    holders = _holders()
    holders.count -= 1
    if holders.count > 0:
        return
    opened, holders.opened = holders.opened, {}
    for resource, value in opened.items():
        if value.done() and not value.cancelled() and value.exception() is None:
            await resource.close(value.result())
        else:
            value.cancel()


class LoopResource(Generic[T]):
    """An async client made once per event loop by `open` and closed by `close`."""

    def __init__(self, open: Callable[[], Awaitable[T]], close: Callable[[T], Awaitable[Any]]):
        self.open, self.close = open, close

    async def get(self) -> T:
        opened = _holders().opened
        value = opened.get(self)
        if value is None:  # a future at once, so that sockets arriving together share one
            value = opened[self] = asyncio.ensure_future(self.open())
        try:
            # Shielded: a socket that goes while it opens must not cancel it for the others.
            return await asyncio.shield(value)
        except Exception:
            if value.done() and opened.get(self) is value:  # failed: the next use tries again
                del opened[self]
            raise


async def _open_pool() -> AsyncConnectionPool:
    """Django's connection settings, with autocommit (each statement is a transaction of its
    own) and statements bound and prepared on the server at their first use: the few this pool
    runs are the same each time, and planning one costs as much as running it."""
    params = connection.get_connection_params()
    params.update(cursor_factory=psycopg.AsyncCursor, autocommit=True, prepare_threshold=0)
    pool = AsyncConnectionPool(kwargs=params, min_size=1, max_size=LOOP_POOL_SIZE, open=False)
    await pool.open()
    return pool


async def _close_pool(pool: AsyncConnectionPool) -> None:
    await pool.close()


POSTGRESQL = LoopResource(_open_pool, _close_pool)


def postgresql_on_the_loop() -> bool:
    """Whether the database is PostgreSQL, which the loop's pool speaks (SQLite it does not)."""
    return connection.vendor == "postgresql"


async def fetchone(sql: str, params: list) -> tuple | None:
    """Run one statement (a transaction of its own) from the loop; its first row."""
    pool = await POSTGRESQL.get()
    async with pool.connection() as conn, conn.cursor() as cursor:
        await cursor.execute(sql, params)
        return await cursor.fetchone()
