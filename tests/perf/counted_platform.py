"""The platform's ASGI application, counting what its process asks of the database and Redis.

    uvicorn tests.perf.counted_platform:application

Everything is the platform's own application, except `GET /__bench/counts`, which answers the
counts so far as JSON (a benchmark reads them before and after a phase and divides by the
messages). Nothing in the product changes; the counters are installed from outside:

- `db_statements`: every `execute` and `executemany` Django runs, through an execute wrapper
  installed on each connection as it is created (`connection_created`).
- `db_round_trips` (PostgreSQL only): every query psycopg sends, counted in psycopg itself, sync
  and async: the statements above, the `BEGIN` psycopg sends before the first statement of a
  transaction, `COMMIT` and `ROLLBACK` when a transaction is open, and queries Django and the
  pool run outside its cursors (the `SELECT 1` of a health check, the pool's connection check).
  `executemany` counts once. SQLite is a library call, not a round trip: null there.
- `redis_round_trips` and `redis_commands`: every command the process's redis-py clients send
  (sync and asyncio: the channel layer, the cache, the broker); a pipeline is one round trip of
  as many commands as it holds.

The log also shows when channels_redis drops an event for a channel over capacity.

The counting costs a Python call per statement or command, the same for every version measured.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")


class Counts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values = {
            "db_statements": 0,
            "db_round_trips": None,
            "redis_round_trips": 0,
            "redis_commands": 0,
        }

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.values[name] = (self.values[name] or 0) + n

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self.values)


COUNTS = Counts()


def _count_before(cls: type, name: str, counted) -> None:
    """Make `cls.name` (a method, sync or async) call `counted(self, *args)` first."""
    original = getattr(cls, name)
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def wrapper(self, *args, **kwargs):
            counted(self, *args)
            return await original(self, *args, **kwargs)

    else:

        @functools.wraps(original)
        def wrapper(self, *args, **kwargs):
            counted(self, *args)
            return original(self, *args, **kwargs)

    setattr(cls, name, wrapper)


def _count_psycopg() -> None:
    try:
        import psycopg
    except ImportError:
        return
    idle = psycopg.pq.TransactionStatus.IDLE

    def query(cursor, *args) -> None:
        conn = cursor.connection
        # psycopg sends BEGIN, a round trip of its own, before the first query of a transaction.
        begins = not conn.autocommit and conn.pgconn.transaction_status == idle
        COUNTS.add("db_round_trips", 2 if begins else 1)

    def ending(conn, *args) -> None:
        if conn.pgconn.transaction_status != idle:
            COUNTS.add("db_round_trips")

    for cursor in (psycopg.Cursor, psycopg.AsyncCursor):
        for method in ("execute", "executemany"):
            _count_before(cursor, method, query)
    for connection in (psycopg.Connection, psycopg.AsyncConnection):
        for method in ("commit", "rollback"):
            _count_before(connection, method, ending)
    COUNTS.values["db_round_trips"] = 0


def _count_redis() -> None:
    import redis.asyncio.client
    import redis.client

    def command(client, *args) -> None:
        COUNTS.add("redis_round_trips")
        COUNTS.add("redis_commands")

    def pipeline(pipe, *args) -> None:
        if pipe.command_stack:
            COUNTS.add("redis_round_trips")
            COUNTS.add("redis_commands", len(pipe.command_stack))

    for module in (redis.client, redis.asyncio.client):
        # A pipeline queues through its own execute_command and sends in `execute`.
        _count_before(module.Redis, "execute_command", command)
        _count_before(module.PubSub, "execute_command", command)
        _count_before(module.Pipeline, "execute", pipeline)


def _count_django_statements() -> None:
    from django.db.backends.signals import connection_created

    def counted(execute, sql, params, many, context):
        COUNTS.add("db_statements")
        return execute(sql, params, many, context)

    def install(sender, connection, **kwargs) -> None:
        # The same connection object reconnects (the pool hands it a new one): install once.
        if counted not in connection.execute_wrappers:
            connection.execute_wrappers.append(counted)

    connection_created.connect(install, weak=False)


_count_psycopg()
_count_redis()

from django.conf import settings  # noqa: E402

from backend.config.asgi import application as platform  # noqa: E402

_count_django_statements()
# channels_redis says at INFO (only) when it drops an event for a channel over capacity: the
# server's log shows it whatever LOG_LEVEL is.
logging.getLogger("channels_redis").setLevel(logging.INFO)
if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    COUNTS.values["db_round_trips"] = None


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/__bench/counts":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(COUNTS.snapshot()).encode()})
        return
    await platform(scope, receive, send)
