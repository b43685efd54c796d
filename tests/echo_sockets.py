"""Helpers for driving the echo app's consumers through the whole ASGI application."""

import itertools

from channels.testing import WebsocketCommunicator

from website.asgi import application

_rooms = itertools.count()
_addresses = itertools.count(1)


def a_room():
    return f"test-room-{next(_rooms)}"


def an_address():
    """A fresh client address per test: the connection counter lives as long as the process."""
    return f"192.0.2.{next(_addresses) % 250 + 1}"


def open_socket(path="/ws/echo/", *, client=None, headers=(), subprotocols=(), extensions=None):
    """A WebSocket client for the application, from `client` (default: a fresh address)."""
    communicator = WebsocketCommunicator(
        application, path, headers=list(headers), subprotocols=list(subprotocols)
    )
    communicator.scope["client"] = [client or an_address(), 50000]
    if extensions is not None:
        communicator.scope["extensions"] = extensions
    return communicator


async def connected(path="/ws/echo/", **kwargs):
    communicator = open_socket(path, **kwargs)
    accepted, _ = await communicator.connect()
    assert accepted
    return communicator


async def send_text(communicator, text):
    await communicator.send_input({"type": "websocket.receive", "text": text})


async def send_bytes(communicator, data):
    await communicator.send_input({"type": "websocket.receive", "bytes": data})


async def closed_with(communicator):
    message = await communicator.receive_output()
    assert message["type"] == "websocket.close", message
    return message["code"], message.get("reason", "")
