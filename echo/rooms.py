"""The rooms of one server process: one channel-layer subscription per room, fanned out here.

A process that has members in a room joins the room's group once, with one channel of its
own, and hands each message it hears to its members itself. A member gets a message as a
plain call (`deliver`): no channel, no queue and no task of its own, where Channels' way
(a channel per member) costs each member a copy off the layer's queue, a deserialization
and a turn of `await_many_dispatch`, which makes two tasks' worth of work per delivery. At
7,600 deliveries a second that was most of a server's time (docs/rooms-performance.md).

Every member still gets every other member's messages once and in order: one reader per
process takes them off the channel in the order the layer delivers them.
"""

import asyncio
import itertools
import logging

logger = logging.getLogger("echo")

ROOM_MESSAGE = "room.message"


class RoomHub:
    """The rooms of one event loop, on one channel layer: who is in each, and one task
    that reads the process's channel and delivers each message to the room's members.

    A member is any object with `deliver(event)`, a plain function that must not block;
    `event` is {"text": ..., "bytes": ..., "sender": ...}, one of the two payloads None.
    """

    def __init__(self, layer, loop, on_empty=None):
        self.layer = layer
        self.loop = loop
        self.on_empty = on_empty
        self.rooms = {}  # group -> {member id: member}
        self.subscriptions = {}  # group -> the task adding this process's channel to it
        self.ids = itertools.count(1)
        self.channel = None
        self.reader = None
        self.opened = loop.create_task(self._open())

    async def _open(self):
        try:
            self.channel = await self.layer.new_channel()
        except BaseException:
            self.close()  # forgotten: the next member to join makes a new hub (Redis is back)
            raise
        self.reader = self.loop.create_task(self._read())

    async def join(self, group, member):
        """Adds `member` to the room; returns its id once this process hears the room, so
        that nothing sent after `join` returns is missed."""
        await asyncio.shield(self.opened)
        member_id = f"{self.channel}!{next(self.ids)}"  # unique across processes
        members = self.rooms.get(group)
        if members is None:
            members = self.rooms[group] = {}
            self.subscriptions[group] = self.loop.create_task(
                self.layer.group_add(group, self.channel)
            )
        members[member_id] = member
        try:
            await asyncio.shield(self.subscriptions[group])
        except BaseException:
            await self.leave(group, member_id)
            raise
        return member_id

    async def leave(self, group, member_id):
        """Removes a member; the last one out takes the process's subscription with it."""
        members = self.rooms.get(group)
        if members is None or members.pop(member_id, None) is None or members:
            return
        del self.rooms[group]
        subscription = self.subscriptions.pop(group)
        if not self.rooms:
            self.close()
        try:
            await asyncio.shield(subscription)
        except Exception:
            return  # it never joined
        await self.layer.group_discard(group, self.channel)

    async def send(self, group, sender, text=None, data=None):
        """Sends a message to every member of the room but `sender`, in every process."""
        await self.layer.group_send(
            group,
            # "type" names the handler of a per-member channel (Channels' way): a process
            # still running the previous release delivers it to its members too.
            {"type": ROOM_MESSAGE, "room": group, "text": text, "bytes": data, "sender": sender},
        )

    def close(self):
        """Stops reading: the hub has no room left. The next join makes a new one."""
        if self.on_empty is not None:
            self.on_empty(self)
        if self.reader is not None:  # always, once a member has joined
            self.reader.cancel()

    async def _read(self):
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except Exception:  # the reader must outlive a layer's hiccup, or rooms go quiet
                logger.exception("could not read the rooms' channel; trying again")
                await asyncio.sleep(1)
                continue
            members = self.rooms.get(event.get("room"))
            if not members:
                continue  # a room this process left, or a message from an older release
            sender = event.get("sender")
            for member_id, member in members.items():  # deliver() cannot join or leave
                if member_id == sender:
                    continue
                try:
                    member.deliver(event)
                except Exception:  # one member's fault must not silence the room
                    logger.exception("could not deliver a room message")


_by_loop = {}


def _forget(hub):
    if _by_loop.get(hub.loop) is hub:
        del _by_loop[hub.loop]


def room_hub(layer, loop):
    """The `RoomHub` of an event loop: made for its first member, dropped with its last,
    so that a closed loop (a test's) is not kept alive."""
    hub = _by_loop.get(loop)
    if hub is None:
        hub = _by_loop[loop] = RoomHub(layer, loop, on_empty=_forget)
    return hub
