"""A rate limit kept in Redis when it is configured, so every server process shares it, and in
the process's memory otherwise (the embedded default runs one process)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import redis
import redis.asyncio
from django.conf import settings

from backend.common.loop import LoopResource

LOOP_CONNECTIONS = 8


class _RedisCounts:
    """Counters in Redis, through one client per process (and one per event loop, for the
    sockets): one round trip a count."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

        async def open_loop_client() -> redis.asyncio.Redis:
            # A socket waits for a free connection rather than failing when all are busy.
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                url, max_connections=LOOP_CONNECTIONS, timeout=10
            )
            return redis.asyncio.Redis(connection_pool=pool)

        async def close_loop_client(client: redis.asyncio.Redis) -> None:
            await client.aclose(close_connection_pool=True)

        self.loop_client = LoopResource(open_loop_client, close_loop_client)

    @staticmethod
    def _queue_count(pipe, key: str, ttl_s: int, other: str) -> None:
        pipe.incr(key)
        pipe.expire(key, ttl_s)
        pipe.get(other)

    @staticmethod
    def _queue_uncount(pipe, key: str, ttl_s: int) -> None:
        pipe.decr(key)
        pipe.expire(key, ttl_s)  # a key that expired meanwhile must not come back for good

    def count(self, key: str, ttl_s: int, other: str) -> tuple[int, int]:
        """Add one to `key` (expiring after `ttl_s`); its count after, and `other`'s."""
        pipe = self.client.pipeline(transaction=False)
        self._queue_count(pipe, key, ttl_s, other)
        counted, _, previous = pipe.execute()
        return counted, int(previous or 0)

    async def count_async(self, key: str, ttl_s: int, other: str) -> tuple[int, int]:
        pipe = (await self.loop_client.get()).pipeline(transaction=False)
        self._queue_count(pipe, key, ttl_s, other)
        counted, _, previous = await pipe.execute()
        return counted, int(previous or 0)

    def uncount(self, key: str, ttl_s: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        self._queue_uncount(pipe, key, ttl_s)
        pipe.execute()

    async def uncount_async(self, key: str, ttl_s: int) -> None:
        pipe = (await self.loop_client.get()).pipeline(transaction=False)
        self._queue_uncount(pipe, key, ttl_s)
        await pipe.execute()


class _MemoryCounts:
    """The same counters in this process's memory, for a deployment of one process."""

    SWEEP_EVERY = 1000

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self.until_sweep = self.SWEEP_EVERY

    def _get(self, key: str, now: float) -> int:
        count, expires_at = self.counts.get(key, (0, now))
        return count if expires_at > now else 0

    def count(self, key: str, ttl_s: int, other: str) -> tuple[int, int]:
        now = time.monotonic()
        with self.lock:
            self.until_sweep -= 1
            if not self.until_sweep:
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
                self.until_sweep = self.SWEEP_EVERY
            counted = self._get(key, now) + 1
            self.counts[key] = (counted, now + ttl_s)
            return counted, self._get(other, now)

    def uncount(self, key: str, ttl_s: int) -> None:
        with self.lock:
            count, expires_at = self.counts.get(key, (0, 0.0))
            if count > 0:
                self.counts[key] = (count - 1, expires_at)

    # Memory is no round trip: the loop counts in place.
    async def count_async(self, key: str, ttl_s: int, other: str) -> tuple[int, int]:
        return self.count(key, ttl_s, other)

    async def uncount_async(self, key: str, ttl_s: int) -> None:
        self.uncount(key, ttl_s)


@cache
def _counts() -> _RedisCounts | _MemoryCounts:
    url = settings.REDIS_CACHE_URL
    return _RedisCounts(url) if url else _MemoryCounts()


def reset_counts() -> None:
    """Forget every count (a test's fresh start; Redis's are flushed with the cache)."""
    _counts.cache_clear()


@dataclass
class SlidingWindow:
    """At most `limit` events per key in any `window_s` seconds, estimated from two fixed
    windows: the current one's count plus the previous one's, weighted by how much of it still
    lies inside the sliding window. One round trip an event; no lock, no list per key.

    A burst is counted exactly (it lies in one or two windows, both read in full), and a steady
    rate at the limit is let through; the estimate errs only for uneven rates across a window
    boundary, by at most the previous window's unevenness. An event is counted first and taken
    back when refused, so two senders at once may see each other's and be refused a little
    early, never late."""

    name: str
    limit: int
    window_s: int
    clock: Callable[[], float] = field(default=time.time)

    def _keys(self, key: str, now: float) -> tuple[str, str, float]:
        window = int(now // self.window_s)
        base = f"rate:{self.name}:{key}:"
        return base + str(window - 1), base + str(window), (now % self.window_s) / self.window_s

    def _over(self, counted: int, previous: int, elapsed: float) -> bool:
        return (counted - 1) + previous * (1 - elapsed) >= self.limit

    def hit(self, key: str) -> bool:
        """Count one event for `key` and say True, or say False (counting nothing) when the
        limit is reached."""
        previous_key, current_key, elapsed = self._keys(key, self.clock())
        counted, previous = _counts().count(current_key, 2 * self.window_s, previous_key)
        if self._over(counted, previous, elapsed):
            _counts().uncount(current_key, 2 * self.window_s)
            return False
        return True

    async def hit_async(self, key: str) -> bool:
        """`hit` from an event loop, through its own client."""
        previous_key, current_key, elapsed = self._keys(key, self.clock())
        counts = _counts()
        counted, previous = await counts.count_async(current_key, 2 * self.window_s, previous_key)
        if self._over(counted, previous, elapsed):
            await counts.uncount_async(current_key, 2 * self.window_s)
            return False
        return True

    def refund(self, key: str) -> None:
        """Take back an event counted by `hit` that turned out not to be one (a resend)."""
        _, current_key, _ = self._keys(key, self.clock())
        _counts().uncount(current_key, 2 * self.window_s)

    async def refund_async(self, key: str) -> None:
        _, current_key, _ = self._keys(key, self.clock())
        await _counts().uncount_async(current_key, 2 * self.window_s)
