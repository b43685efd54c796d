"""A process's rooms (echo/rooms.py): one subscription per room, messages handed to its
members in order, and the subscription gone with the last member."""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer

from echo.consumers import connections
from echo.layers import RedisPubSubPipelinedChannelLayer
from echo.rooms import RoomHub, room_hub
from tests.echo_sockets import a_room, an_address, open_socket


class Member:
    def __init__(self):
        self.heard = []

    def deliver(self, event):
        self.heard.append(event["text"] if event["text"] is not None else event["bytes"])


class BrokenMember:
    def deliver(self, event):
        raise RuntimeError("a bug in one member")


async def settle(until, timeout=5):
    """Waits until `until()` holds: delivery happens in the hub's reader task."""
    async with asyncio.timeout(timeout):
        while not until():
            await asyncio.sleep(0.005)


def a_hub(layer=None):
    return RoomHub(layer or InMemoryChannelLayer(), asyncio.get_running_loop())


async def test_a_message_reaches_every_member_of_the_room_but_its_sender():
    hub = a_hub()
    alice, bob, carol = Member(), Member(), Member()
    alice_id = await hub.join("room", alice)
    await hub.join("room", bob)
    await hub.join("room", carol)
    await hub.send("room", alice_id, text="hello")
    await settle(lambda: bob.heard and carol.heard)
    assert (alice.heard, bob.heard, carol.heard) == ([], ["hello"], ["hello"])


async def test_members_of_other_rooms_hear_nothing():
    hub = a_hub()
    alice, neighbour, listener = Member(), Member(), Member()
    alice_id = await hub.join("room", alice)
    await hub.join("other-room", neighbour)
    await hub.join("room", listener)
    await hub.send("room", alice_id, text="private")
    await settle(lambda: listener.heard)
    assert neighbour.heard == []


async def test_the_process_joins_each_room_once_however_many_members_it_has():
    layer = InMemoryChannelLayer()
    hub = a_hub(layer)
    ids = [await hub.join("room", Member()) for _ in range(20)]
    assert list(layer.groups["room"]) == [hub.channel]
    for member_id in ids[:-1]:
        await hub.leave("room", member_id)
    assert "room" in layer.groups, "left while a member was still in the room"
    await hub.leave("room", ids[-1])
    assert "room" not in layer.groups


async def test_messages_arrive_in_the_order_they_were_sent():
    hub = a_hub()
    sender, listener = Member(), Member()
    sender_id = await hub.join("room", sender)
    await hub.join("room", listener)
    for n in range(300):
        await hub.send("room", sender_id, text=str(n))
    await settle(lambda: len(listener.heard) == 300)
    assert listener.heard == [str(n) for n in range(300)]


async def test_a_member_that_fails_does_not_keep_the_message_from_the_others():
    hub = a_hub()
    sender, listener = Member(), Member()
    sender_id = await hub.join("room", sender)
    await hub.join("room", BrokenMember())
    await hub.join("room", listener)
    await hub.send("room", sender_id, text="still here")
    await hub.send("room", sender_id, text="and again")
    await settle(lambda: len(listener.heard) == 2)
    assert listener.heard == ["still here", "and again"]


async def test_a_join_that_fails_leaves_no_member_behind():
    class Unreachable(InMemoryChannelLayer):
        async def group_add(self, group, channel):
            raise OSError("Redis is down")

    hub = a_hub(Unreachable())
    with pytest.raises(OSError):
        await hub.join("room", Member())
    assert hub.rooms == {}


async def test_a_process_that_could_not_reach_the_layer_joins_once_it_can():
    class DownAtFirst(InMemoryChannelLayer):
        down = True

        async def new_channel(self, prefix="specific."):
            if self.down:
                raise OSError("Redis is down")
            return await super().new_channel(prefix)

    layer, loop = DownAtFirst(), asyncio.get_running_loop()
    with pytest.raises(OSError):
        await room_hub(layer, loop).join("room", Member())
    layer.down = False
    sender, listener = Member(), Member()
    hub = room_hub(layer, loop)
    sender_id = await hub.join("room", sender)
    await hub.join("room", listener)
    await hub.send("room", sender_id, text="back")
    await settle(lambda: listener.heard)
    assert listener.heard == ["back"]


async def test_the_last_member_out_of_the_last_room_lets_the_hub_go():
    layer, loop = InMemoryChannelLayer(), asyncio.get_running_loop()
    hub = room_hub(layer, loop)
    member_id = await hub.join("room", Member())
    assert room_hub(layer, loop) is hub
    await hub.leave("room", member_id)
    assert room_hub(layer, loop) is not hub
    await asyncio.sleep(0)
    assert hub.reader.cancelled()


def redis_layer(server):
    return RedisPubSubPipelinedChannelLayer(hosts=[{"address": server.url}])


async def test_members_in_two_processes_hear_each_other_through_redis(private_redis):
    layers = [redis_layer(private_redis), redis_layer(private_redis)]
    hubs = [a_hub(layer) for layer in layers]
    try:
        members = [[Member() for _ in range(10)] for _ in hubs]
        sender_id = await hubs[0].join("room", members[0][0])
        for hub, group in zip(hubs, members, strict=True):
            for member in group[1:] if hub is hubs[0] else group:
                await hub.join("room", member)
        await hubs[0].send("room", sender_id, text="from the first process")
        everyone_else = members[0][1:] + members[1]
        await settle(lambda: all(m.heard for m in everyone_else))
        assert members[0][0].heard == []
        assert {tuple(m.heard) for m in everyone_else} == {("from the first process",)}
    finally:
        for layer in layers:
            await layer.flush()


async def test_a_room_that_cannot_be_joined_gives_the_address_its_connection_back(monkeypatch):
    async def unreachable(self, group, member):
        raise OSError("Redis is down")

    monkeypatch.setattr(RoomHub, "join", unreachable)
    address = an_address()
    socket = open_socket(f"/ws/room/{a_room()}/", client=address)
    with pytest.raises(OSError):
        await socket.connect()
    assert connections[address] == 0
