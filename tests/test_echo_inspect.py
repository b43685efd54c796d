"""The handshake mirror (/ws/inspect/), driven through the whole ASGI application in-process."""

import json
import logging

from tests.echo_sockets import an_address, closed_with, connected, open_socket, send_bytes
from website.logging import JsonFormatter

RFC_KEY, RFC_ACCEPT = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
BROWSER_HEADERS = [
    (b"host", b"example.test"),
    (b"connection", b"Upgrade"),
    (b"upgrade", b"websocket"),
    (b"origin", b"https://example.test"),
    (b"cookie", b"sessionid=s3cr3t-session; csrftoken=s3cr3t-token"),
    (b"sec-websocket-key", RFC_KEY.encode()),
    (b"sec-websocket-version", b"13"),
    (b"sec-websocket-extensions", b"permessage-deflate; client_max_window_bits"),
]
PROXY_HEADERS = [
    (b"x-forwarded-for", b"198.51.100.7"),
    (b"x-forwarded-proto", b"https"),
    (b"x-real-ip", b"198.51.100.7"),
    (b"forwarded", b"for=198.51.100.7;proto=https"),
    (b"via", b"1.1 proxy"),
]


async def inspected(path="/ws/inspect/", headers=BROWSER_HEADERS, **kwargs):
    """An open mirror connection and the handshake description it sent first."""
    socket = await connected(path, headers=headers, **kwargs)
    return socket, json.loads(await socket.receive_from())


async def test_the_mirror_lists_every_request_header_in_the_order_received():
    socket, handshake = await inspected()
    assert [name for name, _ in handshake["request"]["headers"]] == [
        name.decode() for name, _ in BROWSER_HEADERS
    ]
    await socket.disconnect()


async def test_the_mirror_shows_cookies_by_name_only():
    socket, handshake = await inspected()
    headers = dict(handshake["request"]["headers"])
    assert headers["cookie"] == "sessionid=[redacted]; csrftoken=[redacted]"
    assert "s3cr3t" not in json.dumps(handshake)
    await socket.disconnect()


async def test_the_mirror_shows_the_request_line_with_its_query():
    socket, handshake = await inspected("/ws/inspect/?x=1")
    assert handshake["request"]["line"] == "GET /ws/inspect/?x=1 HTTP/1.1"
    await socket.disconnect()


async def test_the_mirror_computes_the_rfc_example_accept_value():
    socket, handshake = await inspected()
    accept = handshake["response"]["accept"]
    assert accept["concatenated"] == RFC_KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    assert accept["sha1_hex"] == "b37a4f2cc0624f1690f64606cf385945b2bec4ea"
    assert accept["accept"] == RFC_ACCEPT
    assert accept["key_valid"] is True
    await socket.disconnect()


async def test_the_mirror_says_when_the_key_is_not_16_bytes():
    headers = [(b"sec-websocket-key", b"c2hvcnQ=")]
    socket, handshake = await inspected(headers=headers)
    accept = handshake["response"]["accept"]
    assert accept["key_valid"] is False
    assert accept["key_problem"] == "Decodes to 5 bytes: RFC 6455 4.2.1 asks for 16."
    await socket.disconnect()


async def test_the_mirror_names_the_subprotocol_it_chose():
    socket, handshake = await inspected(subprotocols=["mqtt", "graphql-ws"])
    assert handshake["request"]["offered"]["subprotocols"] == ["mqtt", "graphql-ws"]
    assert handshake["response"]["subprotocol"] == "mqtt"
    await socket.disconnect()


async def test_the_mirror_reports_what_the_server_sent_when_the_server_shows_it():
    sent = {
        "status": 101,
        "headers": [
            ("Sec-WebSocket-Accept", RFC_ACCEPT),
            ("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover"),
        ],
    }
    extensions = {"websocket.handshake.response": sent}
    socket, handshake = await inspected(extensions=extensions)
    response = handshake["response"]
    assert response["accept"]["sent"] == RFC_ACCEPT
    assert response["extensions"] == ["permessage-deflate; server_no_context_takeover"]
    await socket.disconnect()


async def test_the_mirror_says_when_the_server_hides_the_extensions_it_chose():
    socket, handshake = await inspected()
    assert handshake["response"]["extensions"] is None
    assert handshake["response"]["extensions_note"] == (
        "negotiated by the server: not visible to the application"
    )
    await socket.disconnect()


async def test_headers_from_a_trusted_proxy_are_marked_as_the_proxys(limits):
    headers = BROWSER_HEADERS + PROXY_HEADERS
    socket, handshake = await inspected(headers=headers, client="10.0.0.9")
    assert handshake["request"]["from_proxy"] == [name.decode() for name, _ in PROXY_HEADERS]
    await socket.disconnect()


async def test_proxy_headers_from_an_untrusted_peer_are_not_marked(limits):
    headers = BROWSER_HEADERS + PROXY_HEADERS
    socket, handshake = await inspected(headers=headers, client="203.0.113.9")
    assert handshake["request"]["from_proxy"] == []
    await socket.disconnect()


async def test_after_the_description_the_mirror_echoes():
    socket, _ = await inspected()
    await socket.send_to(text_data="héllo")
    await socket.send_to(bytes_data=b"\x00\xff")
    assert await socket.receive_from() == "héllo"
    assert await socket.receive_output() == {"type": "websocket.send", "bytes": b"\x00\xff"}
    await socket.disconnect()


async def test_the_mirror_closes_an_oversized_message_with_1009(limits):
    socket, _ = await inspected()
    await send_bytes(socket, b"x" * 17)
    assert (await closed_with(socket))[0] == 1009
    await socket.disconnect()


async def test_the_mirror_counts_towards_the_per_address_limit(limits):
    address = an_address()
    first, _ = await inspected(client=address)
    second = await connected(client=address)
    refused = open_socket("/ws/inspect/", client=address)
    assert not (await refused.connect())[0]
    for socket in (first, second, refused):
        await socket.disconnect()


async def test_the_mirror_logs_no_header_values(limits, caplog):
    caplog.set_level(logging.DEBUG)
    socket, _ = await inspected()
    await socket.disconnect()
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("/ws/inspect/" in line for line in lines)
    assert not any("s3cr3t" in line or "example.test" in line for line in lines)
