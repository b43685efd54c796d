"""The production server's WebSocket protocol (`manage.py serve`, uvicorn).

uvicorn's websockets-sansio implementation, the one `--ws websockets` is moving to: no
task per connection beyond the application's, and measured lighter and faster than the
legacy one (docs/echo-performance.md). What it changes:

- permessage-deflate is negotiated with no context takeover in either direction, so a
  connection holds no zlib state between messages. With context takeover, every
  connection that negotiated compression (every browser does) keeps a compressor and a
  decompressor alive for its whole life, about 35 KiB even at uvicorn's reduced window;
  without it an idle connection costs the same with or without compression, and a message
  pays for a small compressor while it is sent.
- A bound on what the server buffers: a message over 1 MiB (or over the echo limit, if
  that is larger), plus deflate's overhead, is refused with 1009 as its header arrives
  (`buffer_bound`). Below that, the consumers enforce the echo limit themselves, with a
  reason that names it.
- Invalid UTF-8 in a text message closes with 1007 like uvicorn does, but without
  uvicorn's ERROR log and traceback, which any client could repeat to fill the log: the
  application hears the close (code and reason) and logs it as one line.
- One log line per connection, the consumers': uvicorn's and websockets' own notes on
  each connection go to the `uvicorn.websockets` logger, which LOGGING keeps at WARNING.
- The application can see the handshake's response: once it is sent, its status and
  headers (the Sec-WebSocket-Accept computed, the subprotocol and the extensions
  negotiated) are in the ASGI scope's `websocket.handshake.response` extension, for the
  handshake mirror (`/ws/inspect/`).
- A handshake the application refuses with an HTTP response (a 404 for an unknown path,
  a 400 for a bad room name) is complete once the response is sent, as uvicorn already
  counts a refusal with `websocket.close`: no "ASGI callable returned without completing
  handshake" ERROR for every refusal, which any client could repeat to fill the log.
- When the server stops, open connections are closed with 1001 ("going away") and the
  reason "Server shutting down", where uvicorn says 1012 and cuts the TCP connection: browsers
  and the echo tester take 1001 as the signal to reconnect elsewhere, and the closing
  handshake is completed within uvicorn's graceful shutdown.
- Less memory per open connection (docs/echo-performance.md): the queue of events for the
  application and the "writable" flag are `Mailbox` and `Gate` below, not an
  `asyncio.Queue` and an `asyncio.Event` (four deques, 4 KiB, on every connection), and the
  handshake response is let go once it is sent (what `/ws/inspect/` shows of it is kept).
"""

import asyncio
import contextlib
import logging

from django.conf import settings
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.server import ServerProtocol

from echo.closecodes import GOING_AWAY, INVALID_PAYLOAD
from echo.consumers import HANDSHAKE_RESPONSE

# uvicorn and websockets note every connection (accepted, open, closed, refused) at INFO;
# the consumers log each connection once, with fields. Errors still reach the log.
logger = logging.getLogger("uvicorn.websockets")

SERVER_MAX_MESSAGE_BYTES = 1024 * 1024
SHUTDOWN_REASON = "Server shutting down"


def buffer_bound():
    """The largest message either server reads, in bytes: 1 MiB or the echo limit, plus
    room for permessage-deflate. Both servers compare each frame's length *on the wire*
    with this bound, and deflate makes bytes that do not compress longer: 5 bytes per
    block, and a client with a small memLevel makes small blocks (websockets' own client:
    +0.24%). Without the room a message of exactly the limit was refused with 1009. The
    room is zlib's deflateBound for any settings (about +14%); the consumers still refuse
    anything over the echo limit, with their own reason."""
    largest = max(settings.ECHO_MAX_MESSAGE_BYTES, SERVER_MAX_MESSAGE_BYTES)
    return largest + ((largest + 7) >> 3) + ((largest + 63) >> 6) + 5


def permessage_deflate():
    return ServerPerMessageDeflateFactory(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=12,
        client_max_window_bits=12,
        compress_settings={"memLevel": 5},
    )


class Mailbox:
    """What uvicorn's protocol uses of `asyncio.Queue` (`put_nowait`, `get`, `empty`),
    for the events on their way to the application, in about 100 bytes: an asyncio queue
    holds three deques and an `asyncio.Event` with a fourth, over 3 KiB per connection
    whether or not an event ever waits. The same order and cancellation semantics: events
    come out in the order they went in, and a getter that is cancelled after it was woken
    passes the wake-up on. The application is the only reader, so at most one getter waits
    (`getters` is that future); should several, `getters` becomes a list of them."""

    __slots__ = ("getters", "items")

    def __init__(self):
        self.items = []
        self.getters = None

    def empty(self):
        return not self.items

    def put_nowait(self, item):
        self.items.append(item)
        self._wake_one()

    async def get(self):
        while not self.items:
            getter = asyncio.get_running_loop().create_future()
            self._add(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()  # in case it is not done
                self._remove(getter)
                if self.items and not getter.cancelled():
                    self._wake_one()  # it was woken, then cancelled: wake the next one
                raise
        return self.items.pop(0)

    def _add(self, getter):
        getters = self.getters
        if getters is None:
            self.getters = getter
        elif type(getters) is list:
            getters.append(getter)
        else:
            self.getters = [getters, getter]

    def _remove(self, getter):
        getters = self.getters
        if getters is getter:
            self.getters = None
        elif type(getters) is list and getter in getters:
            getters.remove(getter)

    def _wake_one(self):
        getters = self.getters
        if getters is None:
            return
        if type(getters) is not list:
            self.getters = None
            if not getters.done():
                getters.set_result(None)
            return
        while getters:
            getter = getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                break
        if not getters:
            self.getters = None


class Gate:
    """What uvicorn's protocol uses of `asyncio.Event` (`set`, `clear`, `wait`), for its
    "writable" flag: open unless the transport asked for a pause. An `asyncio.Event`
    keeps a deque of waiters, 850 bytes per connection; a list is made only for as long
    as a sender waits."""

    __slots__ = ("value", "waiters")

    def __init__(self):
        self.value = False
        self.waiters = None

    def is_set(self):
        return self.value

    def set(self):
        if not self.value:
            self.value = True
            waiters, self.waiters = self.waiters, None
            for waiter in waiters or ():
                if not waiter.done():
                    waiter.set_result(True)

    def clear(self):
        self.value = False

    async def wait(self):
        if self.value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self.waiters is None:
            self.waiters = []
        self.waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            if self.waiters is not None and waiter in self.waiters:
                self.waiters.remove(waiter)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.queue = Mailbox()
        self.writable = Gate()
        self.writable.set()
        self.logger = logger
        self.conn = ServerProtocol(
            extensions=[permessage_deflate()] if config.ws_per_message_deflate else [],
            max_size=buffer_bound(),
            logger=logger,
        )

    def handle_connect(self, event):
        super().handle_connect(event)
        if self.response.status_code == 101:  # The application runs: it may look.
            self.handshake_response = self.scope["extensions"][HANDSHAKE_RESPONSE] = {}

    async def send(self, message):
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            self.handshake_response.update(
                status=self.response.status_code, headers=list(self.response.headers.raw_items())
            )
            self.response = None  # sent: uvicorn would keep it (and its headers) open
        elif message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            self.handshake_complete = True  # answered: the response is sent, the socket closed

    def send_receive_event_to_app(self):
        if self.curr_msg_data_type != "text" or self.close_sent:
            return super().send_receive_event_to_app()
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        try:
            text = data.decode()
        except UnicodeDecodeError:
            self.conn.send_close(INVALID_PAYLOAD, "Invalid UTF-8 in a text message.")
            self.handle_parser_exception()  # tells the application, sends, hangs up
            return
        self.queue.put_nowait({"type": "websocket.receive", "text": text})
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def shutdown(self):
        if not self.handshake_complete or self.close_sent or self.transport.is_closing():
            return super().shutdown()
        self.stop_keepalive()
        self.goodbye = self.loop.create_task(self.say_going_away())

    async def say_going_away(self):
        """What the application's own `websocket.close` does: uvicorn's graceful shutdown
        then waits for the client's reply, and closes the transport after its timeout."""
        with contextlib.suppress(ClientDisconnected):
            await self.send(
                {"type": "websocket.close", "code": GOING_AWAY, "reason": SHUTDOWN_REASON}
            )
