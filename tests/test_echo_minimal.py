from channels.testing import WebsocketCommunicator

from website.asgi import application


async def test_echo_returns_text_and_binary_unchanged():
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == "hello"
    await communicator.send_to(bytes_data=b"\x00\xff")
    assert (await communicator.receive_output())["bytes"] == b"\x00\xff"
    await communicator.disconnect()
