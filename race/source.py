"""The race's event source: a task in the process that created the race, which logs
each event (store.py) and publishes it to the race's channel-layer group."""

import asyncio
import contextlib
import contextvars
import logging
import time

from channels.layers import get_channel_layer

from . import store
from .rules import event_json

logger = logging.getLogger("race")

# Strong references: the event loop keeps only weak ones to its tasks.
running = set()


def start(race):
    """Runs the race in the background, outliving the request that created it: in a
    context of its own, not the request's (whose thread executor ends with it)."""
    task = asyncio.get_running_loop().create_task(
        run(race), name=f"race {race.id}", context=contextvars.Context()
    )
    running.add(task)
    task.add_done_callback(running.discard)
    return task


async def run(race):
    """Sends `race.total` events, `1/race.rate` seconds apart from `race.starts_at`,
    unless every reader left; then marks the race over, whatever stopped it."""
    layer = get_channel_layer()
    loop = asyncio.get_running_loop()
    start_at = loop.time() + (race.starts_at - time.time())
    last = 0
    try:
        for seq in range(1, race.total + 1):
            await asyncio.sleep(max(0.0, start_at + (seq - 1) / race.rate - loop.time()))
            if await store.idle_for(race) > store.IDLE_SECONDS:
                logger.info("race %s stopped after %d events: nobody reads it", race.id, last)
                break
            data = event_json(seq, time.time() * 1000, race.size)
            await store.append(race, seq, data)
            last = seq
            await layer.group_send(race.group, {"type": "race.event", "seq": seq, "data": data})
    finally:
        # Shielded: a server shutting down still tells the readers the race is over.
        with contextlib.suppress(Exception):
            await asyncio.shield(_finish(race, layer, last))


async def _finish(race, layer, last):
    await store.finish(race, last)
    await layer.group_send(race.group, {"type": "race.end", "last": last})
