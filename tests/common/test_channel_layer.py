"""The local-first pub/sub channel layer, on the real Redis. Two layers in one test stand for two
processes: each has its own channels and subscriptions, and only Redis joins them."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from channels_redis.pubsub import RedisPubSubChannelLayer

from backend.common.channel_layer import LocalFirstPubSubChannelLayer

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL); .ci/run's second pass runs it"
)

RECEIVE_S = 2.0


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def processes(prefix) -> AsyncIterator[list[RedisPubSubChannelLayer]]:
    """Two processes on this layer, and one still on plain channels_redis (a rolling deploy)."""
    kinds = (LocalFirstPubSubChannelLayer, LocalFirstPubSubChannelLayer, RedisPubSubChannelLayer)
    layers = [kind(hosts=[os.environ["REDIS_URL"]], prefix=prefix) for kind in kinds]
    yield layers
    for layer in layers:
        await layer.flush()


async def member(layer: LocalFirstPubSubChannelLayer, group: str) -> str:
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def received(layer: LocalFirstPubSubChannelLayer, channel: str) -> dict:
    return await asyncio.wait_for(layer.receive(channel), RECEIVE_S)


async def test_a_group_event_reaches_each_member_once_in_this_process_and_in_another(processes):
    here, there, _ = processes
    mine, theirs = await member(here, "room"), await member(there, "room")
    await here.group_send("room", {"type": "chat.message", "n": 1})
    assert await received(here, mine) == {"type": "chat.message", "n": 1}
    assert await received(there, theirs) == {"type": "chat.message", "n": 1}
    # Redis streams `here` its own copy of the first event before the other process's second:
    # had it not been dropped, it would come now.
    await there.group_send("room", {"type": "chat.message", "n": 2})
    assert await received(here, mine) == {"type": "chat.message", "n": 2}
    assert await received(there, theirs) == {"type": "chat.message", "n": 2}


async def test_this_process_has_a_group_event_while_its_publish_still_waits_on_redis(processes):
    here, there, _ = processes
    mine, theirs = await member(here, "room"), await member(there, "room")
    admin = redis.asyncio.Redis.from_url(os.environ["REDIS_URL"])
    await admin.execute_command("CLIENT", "PAUSE", 10_000, "WRITE")  # PUBLISH waits
    try:
        publishing = asyncio.ensure_future(here.group_send("room", {"type": "chat.message"}))
        assert await received(here, mine) == {"type": "chat.message"}
        assert not publishing.done()
    finally:
        await admin.execute_command("CLIENT", "UNPAUSE")
        await admin.aclose()
    await publishing
    assert await received(there, theirs) == {"type": "chat.message"}


async def test_a_send_to_one_channel_reaches_it_once_in_this_process_or_another(processes):
    here, there, _ = processes
    mine, theirs = await here.new_channel(), await there.new_channel()
    await here.send(mine, {"type": "one", "n": 1})
    await here.send(theirs, {"type": "one", "n": 2})
    assert await received(here, mine) == {"type": "one", "n": 1}
    assert await received(there, theirs) == {"type": "one", "n": 2}
    await there.send(mine, {"type": "one", "n": 3})
    assert await received(here, mine) == {"type": "one", "n": 3}


async def test_an_event_from_a_process_on_plain_channels_redis_is_delivered(processes):
    here, _, older = processes
    mine = await member(here, "room")
    await older.group_send("room", {"type": "chat.message", "n": 1})
    await older.send(mine, {"type": "one", "n": 2})
    assert await received(here, mine) == {"type": "chat.message", "n": 1}
    assert await received(here, mine) == {"type": "one", "n": 2}
