"""Reading a race: what every transport shares.

A reader subscribes to the race's channel-layer group first and reads the log second,
so no event falls between the two; the log fills any gap (a reader that connected
late, resumed with Last-Event-ID, or missed a message the layer dropped), and events
that arrive in order through the group are passed on without a cache read.
"""

import asyncio
import contextlib
import time

from channels.layers import get_channel_layer

from . import store

# A reader whose race's source died (its process stopped) gives up this long after
# the race's last event was due.
GRACE_SECONDS = 5
# How often a streaming reader tells the source it is still there.
TOUCH_EVERY = 2.0


class Subscription:
    """A channel of this process in the race's group, for as long as the `async with`."""

    def __init__(self, race):
        self.race = race
        self.layer = get_channel_layer()

    async def __aenter__(self):
        self.channel = await self.layer.new_channel("race.")
        await self.layer.group_add(self.race.group, self.channel)
        return self

    async def __aexit__(self, *exc):
        with contextlib.suppress(Exception):
            await self.layer.group_discard(self.race.group, self.channel)

    async def receive(self, timeout):
        """The next message for the race, or None after `timeout` seconds."""
        try:
            return await asyncio.wait_for(self.layer.receive(self.channel), timeout)
        except TimeoutError:
            return None


def overdue(race):
    return time.time() > race.ends_at + GRACE_SECONDS


async def follow(race, after, quiet_after):
    """Yields (seq, data) for every event after `after`, in order, until the race is
    over; yields None after `quiet_after` seconds without an event (a keep-alive)."""
    touched = 0.0
    async with Subscription(race) as subscription:
        while True:
            events, done = await store.events_after(race.id, after)
            for seq, data in events:
                yield seq, data
                after = seq
            if (done is not None and after >= done) or overdue(race):
                return
            while True:
                now = time.monotonic()
                if now - touched > TOUCH_EVERY:
                    touched = now
                    await store.touch(race)
                message = await subscription.receive(quiet_after)
                if message is None:
                    yield None
                    break  # Re-read the log: the race may have ended meanwhile.
                if message["type"] == "race.event" and message["seq"] <= after:
                    continue  # Already read from the log.
                if message["type"] == "race.event" and message["seq"] == after + 1:
                    yield message["seq"], message["data"]
                    after = message["seq"]
                    continue
                break  # A gap, a repeat or the end: the log says what is what.


async def wait_for_events(race, after, hold):
    """The logged events after `after` as soon as there is at least one, or none after
    `hold` seconds; and whether the race is over after them."""
    await store.touch(race)
    deadline = time.monotonic() + hold
    async with Subscription(race) as subscription:
        while True:
            events, done = await store.events_after(race.id, after)
            finished = done is not None and (events[-1][0] if events else after) >= done
            remaining = deadline - time.monotonic()
            if events or finished or remaining <= 0 or overdue(race):
                return events, finished or overdue(race)
            await subscription.receive(remaining)
