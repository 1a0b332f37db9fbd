"""A rate limit kept in the cache (Redis when configured), so every server process shares it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache


@dataclass
class SlidingWindow:
    """At most `limit` events per key in any `window_s` seconds, estimated from two fixed
    windows: the current one's count plus the previous one's, weighted by how much of it still
    lies inside the sliding window. Two cache round trips an event; no lock, no list per key.

    A burst is counted exactly (it lies in one or two windows, both read in full), and a steady
    rate at the limit is let through; the estimate errs only for uneven rates across a window
    boundary, by at most the previous window's unevenness."""

    name: str
    limit: int
    window_s: int
    clock: Callable[[], float] = field(default=time.time)

    def _keys(self, key: str, now: float) -> tuple[str, str, float]:
        window = int(now // self.window_s)
        base = f"rate:{self.name}:{key}:"
        return base + str(window - 1), base + str(window), (now % self.window_s) / self.window_s

    def hit(self, key: str) -> bool:
        """Count one event for `key` and say True, or say False (counting nothing) when the
        limit is reached."""
        previous_key, current_key, elapsed = self._keys(key, self.clock())
        counts = cache.get_many([previous_key, current_key])
        previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
        if current + previous * (1 - elapsed) >= self.limit:
            return False
        # The count just read says which of the two will work (one more round trip); the other
        # is the fallback for a key that appeared or expired since.
        if current:
            try:
                cache.incr(current_key)
            except ValueError:
                cache.add(current_key, 1, timeout=2 * self.window_s)
        elif not cache.add(current_key, 1, timeout=2 * self.window_s):
            cache.incr(current_key)
        return True

    def refund(self, key: str) -> None:
        """Take back an event counted by `hit` that turned out not to be one (a resend)."""
        _, current_key, _ = self._keys(key, self.clock())
        with contextlib.suppress(ValueError):  # the window has turned: nothing to take back
            cache.decr(current_key)
