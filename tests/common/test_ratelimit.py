"""The sliding-window rate limit, on the configured cache (Redis in the real-services pass)."""

from __future__ import annotations

import pytest

from backend.common import loop
from backend.common.ratelimit import SlidingWindow

WINDOW_START = 1_000_000.0  # a multiple of the window: the clock starts a window


@pytest.fixture
def clock():
    return [WINDOW_START]


@pytest.fixture
def limit(clock):
    return SlidingWindow("test", limit=5, window_s=10, clock=lambda: clock[0])


def hits(limit: SlidingWindow, key: str, count: int) -> list[bool]:
    return [limit.hit(key) for _ in range(count)]


def test_a_burst_is_cut_at_the_limit_and_keys_are_apart(limit):
    assert hits(limit, "a", 7) == [True] * 5 + [False] * 2
    assert hits(limit, "b", 1) == [True]


def test_a_burst_across_a_window_boundary_is_still_counted_whole(limit, clock):
    clock[0] += 9.5
    assert hits(limit, "a", 3) == [True] * 3
    clock[0] += 1  # the next window: the three just sent still weigh almost fully
    assert hits(limit, "a", 4) == [True, True, True, False]  # 3 x 0.95 + 2 < 5


def test_room_comes_back_as_the_window_slides(limit, clock):
    assert hits(limit, "a", 6) == [True] * 5 + [False]
    clock[0] += 15  # half of the previous window is still inside the last 10 seconds
    assert hits(limit, "a", 4) == [True, True, True, False]  # 5 x 0.5 + 3 >= 5
    clock[0] += 20
    assert hits(limit, "a", 5) == [True] * 5


def test_a_refund_gives_the_slot_back(limit):
    assert hits(limit, "a", 5) == [True] * 5
    limit.refund("a")
    assert hits(limit, "a", 2) == [True, False]


def test_a_refused_event_is_not_counted(limit, clock):
    assert hits(limit, "a", 8) == [True] * 5 + [False] * 3
    clock[0] += 15  # counted, the refusals would leave room for one
    assert hits(limit, "a", 3) == [True] * 3


async def test_the_loops_count_is_the_same_count(limit):
    """A socket counts through its loop's client; the window is the one `hit` counts in."""
    await loop.hold()
    assert hits(limit, "a", 3) == [True] * 3
    assert [await limit.hit_async("a") for _ in range(3)] == [True, True, False]
    assert hits(limit, "a", 1) == [False]
    await limit.refund_async("a")
    assert hits(limit, "a", 2) == [True, False]
    await loop.release()
