"""The production server's WebSocket protocol (`manage.py serve`, uvicorn).

uvicorn's websockets-sansio implementation, the one `--ws websockets` is moving to: no
task per connection beyond the application's, and measured lighter and faster than the
legacy one (README, "Echo service"). One change: permessage-deflate is negotiated with
no context takeover in either direction, so a connection holds no zlib state between
messages. With context takeover, every connection that negotiated compression (every
browser does) keeps a compressor and a decompressor alive for its whole life, about 35
KiB even at uvicorn's reduced window; without it an idle connection costs the same with
or without compression, and a message pays for a small compressor while it is sent.

And a bound on what the server buffers: a message over 1 MiB (or over the echo limit, if
that is larger) is refused with 1009 as its header arrives. Below that, the consumers
enforce the echo limit themselves, with a reason that names it.
"""

from django.conf import settings
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.server import ServerProtocol

SERVER_MAX_MESSAGE_BYTES = 1024 * 1024


def permessage_deflate():
    return ServerPerMessageDeflateFactory(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=12,
        client_max_window_bits=12,
        compress_settings={"memLevel": 5},
    )


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.conn = ServerProtocol(
            extensions=[permessage_deflate()] if config.ws_per_message_deflate else [],
            max_size=max(settings.ECHO_MAX_MESSAGE_BYTES, SERVER_MAX_MESSAGE_BYTES),
            logger=self.conn.logger,
        )
