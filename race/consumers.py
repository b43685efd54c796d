"""The race's WebSocket lane: `/ws/race/<id>/?after=<seq>` sends every event after
`after` as a text message, then closes with 1000 when the race is over."""

import asyncio
import contextlib
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

from echo import closecodes

from . import readers, rules, store
from .views import TOO_MANY_READERS

KEEP_ALIVE = 15.0


class RaceConsumer(AsyncWebsocketConsumer):
    # No channel of its own: `readers.follow` subscribes to the race's group.
    channel_layer_alias = None
    forwarding = None
    race = None  # set once the race counts this socket as a reader

    async def connect(self):
        race = await store.get(self.scope["url_route"]["kwargs"]["race_id"])
        await self.accept()
        if race is None:
            await self.close(
                code=closecodes.POLICY_VIOLATION,
                reason="No such race: it never existed or ended long ago.",
            )
            return
        if not await store.take_reader(race):
            await self.close(code=closecodes.TRY_AGAIN_LATER, reason=TOO_MANY_READERS)
            return
        self.race = race
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = rules.parse_last_event_id(query.get("after", ["0"])[0])
        self.forwarding = asyncio.get_running_loop().create_task(self.forward(race, after))

    async def forward(self, race, after):
        async for item in readers.follow(race, after, KEEP_ALIVE):
            if item is not None:
                await self.send(text_data=item[1])
        await self.close(code=closecodes.NORMAL, reason="The race is over.")

    async def receive(self, text_data=None, bytes_data=None):
        await self.close(
            code=closecodes.POLICY_VIOLATION,
            reason="This socket only sends: the race's events come from the server.",
        )

    async def disconnect(self, code):
        if self.forwarding is not None:
            self.forwarding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.forwarding
        if self.race is not None:
            await store.release_reader(self.race)
