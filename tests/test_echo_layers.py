"""The rooms' channel layer (echo/layers.py) against a real Redis: publishes that queue
up go out together, and nothing about what members receive changes."""

import asyncio

import pytest
import redis

from echo.layers import RedisPubSubPipelinedChannelLayer


def layer_for(redis):
    return RedisPubSubPipelinedChannelLayer(hosts=[{"address": redis.url}])


async def receive_all(layer, channel, count):
    return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]


async def test_concurrent_sends_reach_a_member_of_another_process_all_in_order(private_redis):
    sender, receiver = layer_for(private_redis), layer_for(private_redis)
    try:
        member = await receiver.new_channel()
        await receiver.group_add("room", member)
        # Sent at once from one process: they queue behind one another and are pipelined.
        await asyncio.gather(
            *(sender.group_send("room", {"type": "room.message", "n": n}) for n in range(200))
        )
        received = await receive_all(receiver, member, 200)
    finally:
        await sender.flush()
        await receiver.flush()
    assert [message["n"] for message in received] == list(range(200))


async def test_a_send_while_redis_is_down_fails_instead_of_waiting(private_redis):
    sender = layer_for(private_redis)
    private_redis.stop()
    try:
        with pytest.raises(redis.exceptions.ConnectionError):
            await asyncio.wait_for(sender.group_send("room", {"type": "room.message"}), 15)
    finally:
        await sender.flush()
