"""The channel layer: channels_redis's pub/sub layer, delivering to this process's own channels
at once.

channels_redis publishes every group event to Redis and hands it to the group's channels when
Redis streams it back, even to a channel in the process that published it: a round trip and a
wake-up on the path of every chat message. Here a group event goes straight into the queues of
the group's channels in this process, then is published once for the other processes. Redis
streams the publisher its own copy as well (this process is subscribed to the group too): every
payload starts with the origin of the layer that published it, and a layer drops its own. So a
channel gets each event once, wherever it was published, and this process's sockets get it
sooner and with less work; an event still reaches them while Redis is away. A payload without an
origin (from a process still running plain channels_redis, during a rolling deploy) is delivered
as it is: the origin comes after a byte that never starts a msgpack value.

It keeps channels_redis's wire format behind the origin, its subscriptions and its reconnection;
it subclasses its loop layer and shard connection, so it follows the pinned channels-redis
release (pyproject.toml), and `tests/common/test_channel_layer.py` checks it against it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close

ORIGIN_MARK = b"\xc1"  # "never used" in msgpack
ORIGIN_BYTES = len(ORIGIN_MARK) + 16  # the mark, then a uuid4: which loop layer published it


class _Shard(RedisSingleShardConnection):
    def _receive_message(self, message):
        if message is None:
            return
        data = message["data"]
        if data.startswith(ORIGIN_MARK):
            if data[:ORIGIN_BYTES] == self.channel_layer.origin:
                return  # delivered here when it was published
            message = {**message, "data": data[ORIGIN_BYTES:]}
        super()._receive_message(message)


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.origin = ORIGIN_MARK + uuid.uuid4().bytes
        self._shards = [_Shard(shard.host, self) for shard in self._shards]

    def _deliver_here(self, channels: Iterable[str], data: bytes) -> None:
        for channel in channels:
            queue = self.channels.get(channel)
            if queue is not None:
                queue.put_nowait(data)

    async def send(self, channel, message):
        data = self.channel_layer.serialize(message)
        if channel in self.channels:  # channel names are unique to the process that made them
            self._deliver_here([channel], data)
            return
        await self._get_shard(channel).publish(channel, self.origin + data)

    async def group_send(self, group, message):
        group_channel = self._get_group_channel_name(group)
        data = self.channel_layer.serialize(message)
        self._deliver_here(self.groups.get(group_channel, ()), data)
        await self._get_shard(group_channel).publish(group_channel, self.origin + data)


class LocalFirstPubSubChannelLayer(RedisPubSubChannelLayer):
    """`RedisPubSubChannelLayer`, whose events reach this process's channels without Redis."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer
