"""Closing every open WebSocket with 1001 when a server process is asked to stop.

uvicorn's own shutdown closes sockets with 1012 and gives the application no
say; browsers and the echo tester treat 1001 ("going away") as the signal to
reconnect elsewhere, so the server closes them itself first.
"""

import asyncio
import logging

logger = logging.getLogger("website.lifecycle")

GOING_AWAY = 1001


class WebSocketRegistry:
    """The `send` callables of this process's open WebSocket connections."""

    def __init__(self):
        self._sends = set()

    def __len__(self):
        return len(self._sends)

    def add(self, send):
        self._sends.add(send)

    def discard(self, send):
        self._sends.discard(send)

    async def close_all(self, code=GOING_AWAY, reason="Server shutting down", timeout=3.0):
        """Send a close frame on every connection, then wait for their closing handshakes."""
        sends = list(self._sends)
        if not sends:
            return 0
        logger.info("closing websockets", extra={"event": "shutdown", "connections": len(sends)})
        message = {"type": "websocket.close", "code": code, "reason": reason}
        results = await asyncio.gather(*(send(message) for send in sends), return_exceptions=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._sends and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return sum(1 for result in results if not isinstance(result, Exception))


open_websockets = WebSocketRegistry()


class TrackWebSockets:
    """ASGI middleware: registers each WebSocket connection for the shutdown above.

    It wraps nothing per message: the connection's own `send` is stored while the
    application runs, so the echo path pays no extra call.
    """

    def __init__(self, app, registry=open_websockets):
        self.app = app
        self.registry = registry

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        self.registry.add(send)
        try:
            return await self.app(scope, receive, send)
        finally:
            self.registry.discard(send)
