"""The channel layer that carries rooms across server processes: channels-redis's pub/sub
layer (website/settings/base.py), with its publishes pipelined.

channels-redis sends each `group_send` as one PUBLISH under a lock held for the whole
round trip to Redis, so a process has one publish in flight at a time and every other
waits its turn, a loop iteration or more each. At 5,000 connections and 7,600 deliveries
per second on two processes that queue was most of a message's wait: lock waits of 67 ms
at the 90th percentile and 261 ms at the 99th, for a round trip of 1.2 ms
(docs/rooms-performance.md). Here the publishes waiting when the connection is free go
to Redis together, as one pipeline (one write, one round trip), in the order they were
made; each `group_send` still returns once Redis has its message, as before. Everything
else (subscriptions, the receive task, serialization) is channels-redis's.
"""

import asyncio

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts


class PipelinedShardConnection(RedisSingleShardConnection):
    """One Redis host: publishes queue here and go out in batches, first come first sent,
    from one task at a time; a batch takes the shard's lock as a single publish did, so it
    never overlaps `flush()` (or a subscription change)."""

    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self._outgoing = []
        self._publisher = None

    async def publish(self, channel, message):
        loop = asyncio.get_running_loop()
        published = loop.create_future()
        self._outgoing.append((channel, message, published))
        if self._publisher is None:
            self._publisher = loop.create_task(self._publish_outgoing())
        await published

    async def _publish_outgoing(self):
        try:
            while self._outgoing:
                batch, self._outgoing = self._outgoing, []
                try:
                    async with self._lock:
                        self._ensure_redis()
                        pipe = self._redis.pipeline(transaction=False)
                        for channel, message, _ in batch:
                            pipe.publish(channel, message)
                        await pipe.execute()
                except asyncio.CancelledError:
                    for *_, published in batch:
                        published.cancel()
                    raise
                except Exception as error:  # the publishers raise it, as a publish would
                    for *_, published in batch:
                        if not published.done():
                            published.set_exception(error)
                else:
                    for *_, published in batch:
                        if not published.done():  # its publisher may have been cancelled
                            published.set_result(None)
        finally:
            self._publisher = None
            for *_, published in self._outgoing:  # only if this task was cancelled
                published.cancel()
            self._outgoing = []


class PipelinedLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, *args, **kwargs):
        super().__init__(hosts, *args, **kwargs)
        self._shards = [PipelinedShardConnection(host, self) for host in decode_hosts(hosts)]


class RedisPubSubPipelinedChannelLayer(RedisPubSubChannelLayer):
    """`channels_redis.pubsub.RedisPubSubChannelLayer` (same configuration, same wire
    format), with pipelined publishes."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            layer = self._layers[loop]
        except KeyError:
            layer = PipelinedLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
