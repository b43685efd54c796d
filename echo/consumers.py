"""The echo service: `/ws/echo/` echoes, `/ws/inspect/` describes the handshake then
echoes, `/ws/room/<name>/` relays, anything else is refused.

Both consumers enforce the limits from settings (docs/echo.md): message size
(1009), message rate (1008), idle time (1001) and connections per client address (the
handshake is refused). Nothing here touches the database, so no consumer pays
Channels' per-message database-connection cleanup (a thread hop per message), and none
has a channel of its own: each reads its connection directly, and rooms hear the channel
layer through their process's hub (echo/rooms.py).

Logs say what happened to a connection (one line when it closes, one when it is refused,
with fields: client address, path, code, duration), never what it carried.
"""

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections import deque
from typing import NamedTuple

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from . import closecodes, handshake
from .idle import idle_timers
from .limits import (
    ConnectionCounter,
    TokenBucket,
    client_address,
    format_size,
    is_trusted_proxy,
    is_valid_room_name,
    parse_networks,
    utf8_length_exceeds,
)
from .rooms import room_hub

logger = logging.getLogger("echo")

# Open connections per client address in this server process.
connections = ConnectionCounter()
# When this server process started serving (the limits page shows its uptime).
started = time.monotonic()

HTTP_RESPONSE = "websocket.http.response"
# What the server answered at the handshake, filled in by our protocol classes
# (echo/wsprotocol.py, echo/devserver.py) once it is sent: {"status", "headers"}.
HANDSHAKE_RESPONSE = "websocket.handshake.response"


@functools.lru_cache(maxsize=4)
def trusted_networks(entries):
    return parse_networks(entries)


class Limits(NamedTuple):
    """The limits a connection is held to, as the settings were at its handshake."""

    max_bytes: int
    idle_timeout: float
    rate: float
    burst: int


@functools.lru_cache(maxsize=8, typed=True)  # 300 and 300.0 read differently
def _shared_limits(*values):
    return Limits(*values)


def current_limits():
    """The limits from settings: one object shared by every connection while the settings
    stay the same, rather than four attributes on each."""
    return _shared_limits(
        settings.ECHO_MAX_MESSAGE_BYTES,
        settings.ECHO_IDLE_TIMEOUT,
        settings.ECHO_RATE_PER_SECOND,
        max(1, settings.ECHO_RATE_BURST),
    )


async def refuse(scope, send, status, explanation):
    """Refuses a handshake: with an HTTP status and a plain-text explanation where the
    server supports it (uvicorn), otherwise with the server's own 403."""
    if HTTP_RESPONSE in scope.get("extensions", ()):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": explanation.encode()})
    else:
        await send({"type": "websocket.close"})


def forwarded_for(headers):
    return [value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"]


class LimitedConsumer(AsyncWebsocketConsumer):
    """A WebSocket consumer that enforces the echo service's limits on every connection.

    Subclasses use Channels' hooks: `connect()` (accept or refuse; it runs only once the
    limits allowed the connection), `receive()` (only ever sees messages within the
    limits) and `disconnect(code)`. Each connection is logged once, when it closes.

    What an idle connection holds is kept small (docs/echo-performance.md): the limits are
    one object shared by all connections, the rate limit's bucket is made by the first
    message (a bucket starts full, so it is the same bucket either way), and the idle
    timeout is an entry in the event loop's `IdleTimers`, not a timer of its own.
    """

    groups = ()  # Channels makes a list for each connection when this is None.
    counted = False
    closing = False
    close_code = close_reason = None
    opened_at = None
    bucket = None
    idle_entry = None
    idle_close = None

    @classmethod
    def as_asgi(cls, **initkwargs):
        """Channels' `as_asgi`, without a coroutine of its own around the consumer's: the
        application returns the consumer's `__call__` coroutine for the router to await,
        so a connection holds one coroutine (about 250 bytes) less while it is open."""

        def app(scope, receive, send):
            return cls(**initkwargs)(scope, receive, send)

        app.consumer_class = cls
        app.consumer_initkwargs = initkwargs
        app._asgi_single_callable = True  # a function returning a coroutine, not ASGI 2
        functools.update_wrapper(app, cls, updated=())
        return app

    async def __call__(self, scope, receive, send):
        """Channels' `AsyncConsumer.__call__` without a channel of its own: the echo needs
        none, and rooms hear the channel layer through their process's `RoomHub`. It awaits
        `receive()` itself, where Channels' `await_many_dispatch` wraps every message in a
        task of its own (docs/echo-performance.md)."""
        self.scope = scope
        self.base_send = send
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    await self.websocket_receive(message)
                else:
                    await self.dispatch(message)
                del message  # not kept while the connection waits for the next one
        except StopConsumer:
            pass

    # Dispatch: these consumers never touch the database, so unlike Channels' own
    # `dispatch` they do not close stale database connections before every message.
    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message):
        self.limits = current_limits()
        self.loop = asyncio.get_running_loop()
        client = self.scope.get("client")
        self.address = client_address(
            client[0] if client else None,
            forwarded_for(self.scope.get("headers", ())),
            trusted_networks(tuple(settings.TRUSTED_PROXIES)),
        )
        limit = settings.ECHO_MAX_CONNECTIONS_PER_ADDRESS
        if not connections.acquire(self.address, limit):
            await self.refuse_handshake(
                429,
                f"Too many connections from your address: at most {limit} at a time.",
                open_connections=connections[self.address],
            )
            return
        self.counted = True
        try:
            await super().websocket_connect(message)  # calls connect()
        except BaseException:
            # No websocket.disconnect follows a handshake that raised (Redis down as a
            # room is joined): give the address its place back now.
            connections.release(self.address)
            self.counted = False
            raise

    async def connect(self):
        subprotocols = self.scope.get("subprotocols") or ()
        await self.accept(subprotocols[0] if subprotocols else None)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.opened_at = self.last_activity = self.loop.time()
        if self.limits.idle_timeout > 0:
            self.idle_entry = idle_timers(self.loop).add(self, self.idle_deadline())

    async def refuse_handshake(self, status, explanation, **fields):
        logger.info("websocket refused", extra=self.log_fields(status=status, **fields))
        await refuse(self.scope, self.base_send, status, explanation)

    async def websocket_receive(self, message):
        if self.closing:
            return
        breach = self.limit_breached(message)
        if breach is not None:
            await self.close_for(*breach)
            return
        text = message.get("text")
        if text is not None:
            await self.receive(text_data=text)
        else:
            await self.receive(bytes_data=message.get("bytes") or b"")

    def limit_breached(self, message):
        """The close code and reason for a message over the size or rate limit, else None.
        A plain function, not a coroutine: it runs for every message, and the echo loop
        calls it without a coroutine of its own."""
        limits = self.limits
        text = message.get("text")
        if text is not None:
            too_big = utf8_length_exceeds(text, limits.max_bytes)
        else:
            too_big = len(message.get("bytes") or b"") > limits.max_bytes
        if too_big:
            return (
                closecodes.MESSAGE_TOO_BIG,
                f"Message too big: the limit is {format_size(limits.max_bytes)}.",
            )
        now = self.last_activity = self.loop.time()
        bucket = self.bucket
        if bucket is None and limits.rate > 0:
            # Full, as it would be had it been made at the handshake.
            bucket = self.bucket = TokenBucket(limits.rate, limits.burst, now)
        if bucket is not None and not bucket.take(now):
            return (
                closecodes.POLICY_VIOLATION,
                f"Rate limit: at most {bucket.rate} messages/s (bursts of {bucket.burst}).",
            )
        return None

    # For IdleTimers: when the connection will have been idle for its timeout, and what
    # happens then.
    def idle_deadline(self):
        return self.last_activity + self.limits.idle_timeout

    def idle_expired(self):
        self.idle_entry = None
        self.idle_close = self.loop.create_task(
            self.close_for(closecodes.GOING_AWAY, f"Idle for {self.limits.idle_timeout} seconds.")
        )

    async def close_for(self, code, reason):
        """Closes the connection because a limit was reached, saying which."""
        if self.closing:
            return
        self.closing = True
        self.close_code, self.close_reason = code, reason
        with contextlib.suppress(OSError):  # The client left first (ClientDisconnected).
            await self.close(code=code, reason=reason)

    # Like Channels' own, without closing database connections: none was opened.
    async def websocket_disconnect(self, message):
        if self.idle_entry is not None:
            self.idle_entry.cancel()
            self.idle_entry = None
        if self.counted:
            connections.release(self.address)
            self.counted = False
        await self.disconnect(message["code"])
        if self.opened_at is not None:
            self.log_close(message["code"])
        raise StopConsumer()

    def log_close(self, code):
        """One line per connection: who, where, how it ended and how long it lasted. The
        reason is logged only when a limit closed it: a client's own reason is its text."""
        fields = self.log_fields(
            code=self.close_code if self.closing else code,
            duration=round(self.loop.time() - self.opened_at, 3),
        )
        if self.close_reason:
            fields["reason"] = self.close_reason
        logger.info("websocket closed", extra=fields)

    def log_fields(self, **fields):
        return {"client": self.address, "path": self.scope["path"], **fields}


def echo_of(message):
    """The `websocket.send` message that echoes a `websocket.receive` one, empty included."""
    text = message.get("text")
    if text is not None:
        return {"type": "websocket.send", "text": text}
    return {"type": "websocket.send", "bytes": message.get("bytes") or b""}


class EchoConsumer(LimitedConsumer):
    """Sends every message back unchanged: text as text, bytes as bytes, empty included.
    It sends nothing else, so any client or conformance suite can use it."""

    async def __call__(self, scope, receive, send):
        """LimitedConsumer's receive loop with the echo in it: a message within the limits
        goes straight back, without the coroutine call of `websocket_receive` (a quarter of
        the consumer's cost per message), and without a coroutine more per connection
        (docs/echo-performance.md)."""
        self.scope = scope
        self.base_send = send
        try:
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    await self.dispatch(message)
                elif not self.closing:
                    breach = self.limit_breached(message)
                    if breach is None:
                        await send(echo_of(message))
                    else:
                        await self.close_for(*breach)
                del message  # not kept while the connection waits for the next one
        except StopConsumer:
            pass


class InspectConsumer(EchoConsumer):
    """Once open, sends one JSON message describing the opening handshake as this server
    received and answered it (docs/protocol-lab.md), then echoes like `/ws/echo/`.

    Header values go to the client that sent them, never to the log."""

    chosen_subprotocol = None

    async def accept(self, subprotocol=None, headers=None):
        self.chosen_subprotocol = subprotocol
        await super().accept(subprotocol, headers)

    async def connect(self):
        await super().connect()
        await self.send(text_data=json.dumps(self.describe_handshake()))

    def describe_handshake(self):
        scope = self.scope
        response = scope.get("extensions", {}).get(HANDSHAKE_RESPONSE)
        client = scope.get("client")
        peer = client[0] if client else None
        trusted = trusted_networks(tuple(settings.TRUSTED_PROXIES))
        return handshake.describe(
            raw_path=scope.get("raw_path") or scope["path"].encode(),
            query_string=scope.get("query_string", b""),
            http_version=scope.get("http_version", "1.1"),
            headers=scope.get("headers", ()),
            client=peer,
            peer_is_trusted_proxy=is_trusted_proxy(peer, trusted),
            offered_subprotocols=scope.get("subprotocols") or (),
            subprotocol=self.chosen_subprotocol,
            response=response or None,
        )


class RoomConsumer(LimitedConsumer):
    """Relays each message unchanged to every other member of the room, in any server
    process, through the channel layer and the process's `RoomHub` (echo/rooms.py).

    Messages for this member wait in a small outbox, written to the client by a task of
    its own, so that a member who stops reading never holds up the others (the hub
    delivers to every member in turn, and the Redis pub/sub layer's queues are
    unbounded). Past `backlog_limit` bytes waiting, the member misses messages rather than
    the process growing.
    """

    room = member_id = None
    writer = None
    missed = 0
    backlog_limit = 1024 * 1024

    async def connect(self):
        name = self.scope["url_route"]["kwargs"]["name"]
        if not is_valid_room_name(name):
            await self.refuse_handshake(
                400, "Room names are 1 to 64 letters, digits, hyphens and underscores."
            )
            return
        self.outbox = deque()
        self.backlog = 0
        self.outbox_ready = asyncio.Event()
        self.hub = room_hub(get_channel_layer(), self.loop)
        self.room = f"echo-room.{name}"
        self.member_id = await self.hub.join(self.room, self)
        await super().connect()
        # Once accepted: what arrived meanwhile waits in the outbox.
        self.writer = self.loop.create_task(self.write_outbox())

    async def receive(self, text_data=None, bytes_data=None):
        await self.hub.send(self.room, self.member_id, text_data, bytes_data)

    def deliver(self, event):
        """Called by the hub with another member's message."""
        if self.closing:
            return
        text = event["text"]
        if text is not None:
            message, size = {"type": "websocket.send", "text": text}, len(text)
        else:
            message, size = {"type": "websocket.send", "bytes": event["bytes"]}, len(event["bytes"])
        if self.backlog + size > self.backlog_limit:
            self.missed += 1
            return
        self.outbox.append((message, size))
        self.backlog += size
        self.outbox_ready.set()

    async def write_outbox(self):
        try:
            while True:
                await self.outbox_ready.wait()
                self.outbox_ready.clear()
                while self.outbox and not self.closing:
                    message, size = self.outbox[0]
                    await self.base_send(message)
                    self.outbox.popleft()
                    self.backlog -= size
        except (OSError, RuntimeError):
            # The client went away, or the connection closed, while a send waited.
            return

    async def disconnect(self, code):
        if self.writer is not None:
            self.writer.cancel()
        if self.member_id is not None:
            await self.hub.leave(self.room, self.member_id)

    def log_fields(self, **fields):
        fields = super().log_fields(**fields)
        if self.missed:  # messages it never got because it fell behind
            fields["missed"] = self.missed
        return fields


async def no_route(scope, receive, send):
    """Any other WebSocket path: a 404 (or the server's 403) instead of an error log."""
    message = await receive()
    if message["type"] == "websocket.connect":
        explanation = "No WebSocket endpoint here: try /ws/echo/, /ws/inspect/ or /ws/room/NAME/."
        await refuse(scope, send, 404, explanation)
