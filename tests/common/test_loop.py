"""The event loop's own clients: opened once per loop, closed when its last socket lets go."""

from __future__ import annotations

import asyncio

import pytest

from backend.common import loop


class Opened:
    """A resource that counts its openings and closings, and can be told to fail or stall."""

    def __init__(self) -> None:
        self.opened = self.closed = 0
        self.fail = False
        self.gate: asyncio.Event | None = None
        self.resource = loop.LoopResource(self.open, self.close)

    async def open(self) -> int:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise ConnectionError("refused")
        self.opened += 1
        return self.opened

    async def close(self, value: int) -> None:
        self.closed += 1


async def test_sockets_arriving_together_share_one_opening():
    counted = Opened()
    await loop.hold()
    assert await asyncio.gather(*(counted.resource.get() for _ in range(5))) == [1] * 5
    assert counted.opened == 1
    await loop.release()


async def test_the_last_socket_to_go_closes_it_and_the_next_opens_it_again():
    counted = Opened()
    await loop.hold()
    await loop.hold()
    await counted.resource.get()
    await loop.release()
    assert counted.closed == 0  # one socket still holds the loop
    await loop.release()
    assert counted.closed == 1
    await loop.hold()
    assert await counted.resource.get() == 2
    await loop.release()
    assert counted.closed == 2


async def test_a_failed_opening_is_tried_again_by_the_next_use():
    counted = Opened()
    counted.fail = True
    await loop.hold()
    with pytest.raises(ConnectionError):
        await counted.resource.get()
    counted.fail = False
    assert await counted.resource.get() == 1
    await loop.release()


async def test_a_socket_that_goes_while_it_opens_does_not_cancel_it_for_the_others():
    counted = Opened()
    counted.gate = asyncio.Event()
    await loop.hold()
    first = asyncio.ensure_future(counted.resource.get())
    second = asyncio.ensure_future(counted.resource.get())
    await asyncio.sleep(0)
    first.cancel()
    counted.gate.set()
    assert await second == 1
    with pytest.raises(asyncio.CancelledError):
        await first
    await loop.release()


async def test_each_loop_has_its_own():
    counted = Opened()

    def in_another_loop() -> int:
        async def use() -> int:
            await loop.hold()
            value = await counted.resource.get()
            await loop.release()
            return value

        return asyncio.run(use())

    await loop.hold()
    assert await counted.resource.get() == 1
    assert await asyncio.to_thread(in_another_loop) == 2
    assert await counted.resource.get() == 1  # this loop's is still open
    await loop.release()
    assert counted.closed == 2
