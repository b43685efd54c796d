"""Daphne, as `manage.py runserver` uses it, with WebSockets that follow RFC 6455.

Daphne 4.2.3's WebSocket protocol, measured:

- it drops an application's empty text or binary message (its reply handler tests the
  payload for truthiness), so an empty message is never echoed;
- it closes with autobahn's `sendClose`, which raises for any code other than 1000 and
  3000-4999, so a server-side close with 1001, 1008 or 1009 fails, and it drops the reason;
- it never negotiates permessage-deflate;
- on a protocol error (invalid UTF-8, an unmasked frame...) it drops the TCP connection
  without a close frame, so the client never learns the code (1002, 1007);
- it ends connections with a TCP reset, which can destroy its own last close frame in
  flight, and it answers a client's close with 1000 whatever code the client sent.

Like the production server's protocol, it shows the application the handshake's response
once sent (the scope's `websocket.handshake.response` extension, for `/ws/inspect/`).

`ConformingServer` keeps everything else of Daphne and builds every WebSocket connection
(not only the echo service's) from `ConformingWebSocketProtocol`, which sends what the
application asked for.
"""

from autobahn.util import encode_truncate
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

from echo.consumers import HANDSHAKE_RESPONSE
from echo.handshake import parse_response_head

MAX_REASON_BYTES = 123  # RFC 6455 5.5: a control frame carries at most 125 bytes.


class ConformingWebSocketProtocol(WebSocketProtocol):
    def onConnect(self, request):
        self.handshake_response = {}
        return super().onConnect(request)

    def onOpen(self):
        # autobahn keeps the response it sent (for its test suite): exactly what went out.
        self.handshake_response.update(parse_response_head(self.http_response_data))
        super().onOpen()

    def handle_reply(self, message):
        kind = message.get("type")
        if kind == "websocket.send" and self.state != self.STATE_CONNECTING:
            data, text = message.get("bytes"), message.get("text")
            if data is not None and text is not None:
                raise ValueError("A websocket.send message has both bytes and text")
            if data is not None:
                self.sendMessage(data, isBinary=True)
            elif text is not None:
                self.sendMessage(text.encode("utf-8"), isBinary=False)
        elif kind == "websocket.close" and self.state != self.STATE_CONNECTING:
            reason = message.get("reason") or ""
            self.sendCloseFrame(
                code=message.get("code") or 1000,
                reasonUtf8=encode_truncate(reason, MAX_REASON_BYTES) if reason else None,
                isReply=False,
            )
        else:
            super().handle_reply(message)

    def dropConnection(self, abort=False):
        # Close after the last frame is flushed (FIN), never with a reset.
        super().dropConnection(abort=False)


def accept_permessage_deflate(offers):
    """Accepts the client's first permessage-deflate offer, as the production server does."""
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


class ConformingServer(Server):
    """Daphne's server; its WebSocket factory (made in `run()`) builds our protocol."""

    def create_application(self, protocol, scope):
        if scope.get("type") == "websocket":
            scope["extensions"] = {HANDSHAKE_RESPONSE: protocol.handshake_response}
        return super().create_application(protocol, scope)

    @property
    def ws_factory(self):
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, factory):
        factory.protocol = ConformingWebSocketProtocol
        factory.setProtocolOptions(
            perMessageCompressionAccept=accept_permessage_deflate,
            failByDrop=False,  # Fail with a close frame that names the error, then hang up.
            echoCloseCodeReason=True,
        )
        self._ws_factory = factory
