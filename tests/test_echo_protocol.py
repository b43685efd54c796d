"""RFC 6455 on the wire: crafted frames against live servers, runserver and `make serve`.

Well-behaved clients never send a fragmented message with a ping in the middle, an
unmasked frame or invalid UTF-8, so these tests build the bytes themselves.
"""

import asyncio
import base64
import hashlib
import json
import os
import struct
from socket import create_connection
from urllib.parse import urlsplit

import pytest
import websockets

from tests.conftest import require

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ServerClosed(Exception):
    """The server closed the TCP connection."""


def frame(opcode, payload=b"", *, fin=True, rsv=0, masked=True):
    """One WebSocket frame as a client sends it (masked unless told otherwise)."""
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    length = len(payload)
    mask_bit = 0x80 if masked else 0
    if length < 126:
        head += bytes([mask_bit | length])
    elif length < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


class RawSocket:
    """A WebSocket client that sends whatever bytes it is told to."""

    def __init__(self, reader, writer, status, headers, body):
        self.reader, self.writer = reader, writer
        self.status, self.headers, self.body = status, headers, body

    @classmethod
    async def open(cls, base_url, path="/ws/echo/", headers=()):
        url = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        response_headers = {}
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            response_headers[name.strip().lower()] = value.strip()
        body = b""
        if status != 101:
            length = int(response_headers.get("content-length", "0") or 0)
            body = await asyncio.wait_for(reader.readexactly(length), 10) if length else b""
        else:
            digest = hashlib.sha1((key + GUID).encode(), usedforsecurity=False).digest()
            expected = base64.b64encode(digest).decode()
            assert response_headers["sec-websocket-accept"] == expected
        return cls(reader, writer, status, response_headers, body)

    def send(self, *frames):
        self.writer.write(b"".join(frames))

    async def read_frame(self, timeout=10):
        """(fin, opcode, payload) of the server's next frame; servers never mask."""
        try:
            async with asyncio.timeout(timeout):
                first, second = await self.reader.readexactly(2)
                length = second & 0x7F
                assert not second & 0x80, "a server frame must not be masked"
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise ServerClosed() from None
        return bool(first & 0x80), first & 0x0F, payload

    async def read_message(self, timeout=10):
        """(opcode, payload) of the next data message, failing on anything else."""
        fin, opcode, payload = await self.read_frame(timeout)
        assert opcode in (TEXT, BINARY), f"expected a data frame, got opcode {opcode}"
        while not fin:
            fin, continuation, more = await self.read_frame()
            assert continuation == CONT
            payload += more
        return opcode, payload

    async def read_close(self, timeout=10):
        """The code and reason of the server's close frame, skipping data and pings."""
        while True:
            _, opcode, payload = await self.read_frame(timeout)
            if opcode == CLOSE:
                if not payload:
                    return 1005, ""
                return struct.unpack("!H", payload[:2])[0], payload[2:].decode()

    async def server_hung_up(self, timeout=10):
        """Whether the server closes the TCP connection (reading nothing more) in time."""
        try:
            async with asyncio.timeout(timeout):
                return await self.reader.read() == b""
        except (TimeoutError, ConnectionResetError):
            return False

    def abort(self):
        self.writer.transport.abort()


@pytest.fixture(params=["runserver", "served"])
def server(request, live_database):
    """Each test runs against both: `make run`'s Daphne and `make serve`'s uvicorn.
    (`live_database` names the server tier, which `getfixturevalue` hides from pytest.)"""
    return request.getfixturevalue(request.param)


@pytest.fixture
async def ws(server):
    socket = await RawSocket.open(server.http_url)
    assert socket.status == 101
    yield socket
    socket.abort()


# The opening handshake


async def test_the_handshake_answers_101_with_the_computed_accept_key(ws):
    assert ws.headers["upgrade"].lower() == "websocket"


async def test_the_handshake_accepts_the_first_offered_subprotocol(server):
    ws = await RawSocket.open(server.http_url, headers=[("Sec-WebSocket-Protocol", "chat, mqtt")])
    assert ws.headers["sec-websocket-protocol"] == "chat"
    ws.abort()


async def test_a_client_without_an_origin_header_is_accepted(server):
    ws = await RawSocket.open(server.http_url)
    assert ws.status == 101
    ws.abort()


async def test_a_page_on_another_origin_may_connect(server):
    ws = await RawSocket.open(server.http_url, headers=[("Origin", "https://elsewhere.example")])
    assert ws.status == 101
    ws.abort()


async def test_permessage_deflate_is_negotiated_when_offered(server):
    offer = [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]
    ws = await RawSocket.open(server.http_url, headers=offer)
    assert ws.headers["sec-websocket-extensions"].startswith("permessage-deflate")
    ws.abort()


async def test_a_compressing_client_gets_its_messages_back(server):
    async with websockets.connect(server.ws_url + "/ws/echo/", compression="deflate") as client:
        assert "permessage-deflate" in client.response.headers["Sec-WebSocket-Extensions"]
        message = "compressible " * 1000
        await client.send(message)
        assert await client.recv() == message


async def test_an_unknown_path_is_refused_at_the_handshake(server):
    ws = await RawSocket.open(server.http_url, path="/ws/nowhere/")
    assert ws.status == (404 if server.kind == "serve" else 403)
    ws.abort()


async def test_an_invalid_room_name_is_refused_at_the_handshake(server):
    ws = await RawSocket.open(server.http_url, path="/ws/room/no%20spaces/")
    assert ws.status in (400, 403)
    if ws.status == 400:
        assert b"letters, digits, hyphens and underscores" in ws.body
    ws.abort()


# The handshake mirror (/ws/inspect/)

PROXY_HEADERS = [
    ("X-Forwarded-For", "198.51.100.31"),
    ("X-Forwarded-Proto", "https"),
    ("X-Real-IP", "198.51.100.31"),
    ("Forwarded", "for=198.51.100.31;proto=https"),
    ("Via", "1.1 proxy.example"),
]


async def mirrored(base_url, **options):
    """A `websockets` client on /ws/inspect/ and the handshake description it received."""
    client = await websockets.connect(base_url + "/ws/inspect/", **options)
    return client, json.loads(await client.recv())


async def test_the_mirror_computes_the_accept_value_the_server_sent(server):
    client, handshake = await mirrored(server.ws_url)
    accept = handshake["response"]["accept"]
    assert accept["key"] == client.request.headers["Sec-WebSocket-Key"]
    assert accept["accept"] == client.response.headers["Sec-WebSocket-Accept"]
    assert accept["sent"] == client.response.headers["Sec-WebSocket-Accept"]
    await client.close()


async def test_the_mirror_reports_the_extensions_the_server_negotiated(server):
    client, handshake = await mirrored(server.ws_url, compression="deflate")
    negotiated = client.response.headers["Sec-WebSocket-Extensions"]
    assert negotiated.startswith("permessage-deflate")
    assert ", ".join(handshake["response"]["extensions"]) == negotiated
    await client.close()


async def test_the_mirror_reports_no_extensions_when_none_were_offered(server):
    client, handshake = await mirrored(server.ws_url, compression=None)
    assert "Sec-WebSocket-Extensions" not in client.response.headers
    assert handshake["response"]["extensions"] == []
    await client.close()


async def test_the_mirror_reports_the_subprotocol_the_server_sent(server):
    client, handshake = await mirrored(server.ws_url, subprotocols=["chat", "mqtt"])
    assert client.subprotocol == "chat"
    assert handshake["response"]["subprotocol"] == "chat"
    await client.close()


async def test_the_mirror_lists_the_request_headers_in_the_order_sent(server):
    client, handshake = await mirrored(server.ws_url)
    sent = [name.lower() for name, _ in client.request.headers.raw_items()]
    assert [name.lower() for name, _ in handshake["request"]["headers"]] == sent
    await client.close()


async def test_the_mirror_then_echoes(server):
    client, _ = await mirrored(server.ws_url)
    await client.send("after the handshake")
    assert await client.recv() == "after the handshake"
    await client.close()


async def test_proxy_headers_are_not_marked_when_the_peer_is_no_trusted_proxy(server):
    client, handshake = await mirrored(server.ws_url, additional_headers=PROXY_HEADERS)
    assert handshake["request"]["from_proxy"] == []
    await client.close()


# Data frames


@pytest.mark.parametrize("opcode", [TEXT, BINARY])
@pytest.mark.parametrize("length", [0, 1, 125, 126, 65535, 65536])
async def test_every_payload_length_encoding_is_echoed_byte_for_byte(ws, opcode, length):
    payload = b"a" * length if opcode == TEXT else os.urandom(length)
    ws.send(frame(opcode, payload))
    assert await ws.read_message() == (opcode, payload)


async def test_a_fragmented_message_is_echoed_whole(ws):
    ws.send(frame(TEXT, b"frag", fin=False), frame(CONT, b"men", fin=False), frame(CONT, b"ted"))
    assert await ws.read_message() == (TEXT, b"fragmented")


async def test_a_character_split_between_fragments_is_valid_utf8(ws):
    snowman = "☃".encode()
    ws.send(frame(TEXT, snowman[:1], fin=False), frame(CONT, snowman[1:]))
    assert await ws.read_message() == (TEXT, snowman)


async def test_a_ping_between_fragments_is_answered_first(ws):
    ws.send(
        frame(BINARY, b"\x01\x02", fin=False),
        frame(PING, b"are you there"),
        frame(CONT, b"\x03"),
    )
    assert await ws.read_frame() == (True, PONG, b"are you there")
    assert await ws.read_message() == (BINARY, b"\x01\x02\x03")


async def test_a_ping_is_answered_with_its_payload(ws):
    ws.send(frame(PING, b"1234"))
    assert await ws.read_frame() == (True, PONG, b"1234")


async def test_an_unsolicited_pong_is_ignored(ws):
    ws.send(frame(PONG, b"heartbeat"), frame(TEXT, b"after"))
    assert await ws.read_message() == (TEXT, b"after")


async def test_messages_are_echoed_in_order(ws):
    ws.send(*(frame(TEXT, str(i).encode()) for i in range(50)))
    assert [await ws.read_message() for _ in range(50)] == [
        (TEXT, str(i).encode()) for i in range(50)
    ]


# Failures: the server closes with the RFC's code


@pytest.mark.parametrize(
    "frames",
    [
        [frame(TEXT, b"\xff\xfe")],
        [frame(TEXT, b"\xed\xa0\x80")],  # a UTF-16 surrogate
        [frame(TEXT, b"ok ", fin=False), frame(CONT, b"\xc3")],  # truncated at the end
    ],
    ids=["invalid-byte", "surrogate", "truncated"],
)
async def test_invalid_utf8_in_a_text_message_closes_with_1007(ws, frames):
    ws.send(*frames)
    assert (await ws.read_close())[0] == 1007


@pytest.mark.parametrize(
    "frames",
    [
        [frame(TEXT, b"not masked", masked=False)],
        [frame(TEXT, b"reserved bit", rsv=0b100)],
        [frame(0x3, b"unknown opcode")],
        [frame(CONT, b"nothing to continue")],
        [frame(TEXT, b"first", fin=False), frame(TEXT, b"second")],
        [frame(PING, b"fragmented control", fin=False)],
        [frame(PING, b"x" * 126)],
        [frame(CLOSE, b"\x03")],
    ],
    ids=[
        "unmasked",
        "reserved-bit",
        "unknown-opcode",
        "orphan-continuation",
        "new-message-mid-fragments",
        "fragmented-ping",
        "long-ping",
        "one-byte-close",
    ],
)
async def test_a_protocol_violation_closes_with_1002(ws, frames):
    ws.send(*frames)
    assert (await ws.read_close())[0] == 1002


async def test_a_close_reason_that_is_not_utf8_closes_with_1007(ws):
    ws.send(frame(CLOSE, close_payload(1000, b"\xff")))
    assert (await ws.read_close())[0] == 1007


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2000, 5000])
async def test_a_close_with_a_code_no_endpoint_may_send_is_a_protocol_error(ws, code):
    ws.send(frame(CLOSE, close_payload(code)))
    assert (await ws.read_close())[0] == 1002


# The closing handshake


async def test_a_client_close_is_answered_with_the_same_code_then_the_server_hangs_up(ws):
    ws.send(frame(CLOSE, close_payload(1000, b"bye")))
    assert (await ws.read_close())[0] == 1000
    assert await ws.server_hung_up()


async def test_a_custom_close_code_is_echoed_in_the_reply(ws):
    ws.send(frame(CLOSE, close_payload(4321, b"custom")))
    assert (await ws.read_close())[0] == 4321


async def test_a_close_without_a_code_is_answered(ws):
    ws.send(frame(CLOSE))
    assert (await ws.read_close())[0] in (1000, 1005)
    assert await ws.server_hung_up()


# Limits on the wire


async def test_a_message_over_64_kib_closes_with_1009_and_the_limit(ws):
    ws.send(frame(BINARY, b"x" * (64 * 1024 + 1)))
    assert await ws.read_close() == (1009, "Message too big: the limit is 64 KiB.")


async def test_a_message_over_1_mib_is_refused_from_its_header_before_it_is_buffered(ws):
    header = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 2 * 1024 * 1024) + os.urandom(4)
    ws.send(header)  # ...and not one byte of the 2 MiB it announces
    assert (await ws.read_close(timeout=5))[0] == 1009


async def test_a_flood_closes_with_1008_and_the_rate(ws):
    ws.send(*(frame(TEXT, b"flood") for _ in range(300)))  # the burst, and then some
    assert await ws.read_close() == (1008, "Rate limit: at most 50 messages/s (bursts of 100).")


# Rooms on the wire


async def test_a_room_relays_between_two_connections(server):
    alice = await RawSocket.open(server.http_url, path="/ws/room/wire-test/")
    bob = await RawSocket.open(server.http_url, path="/ws/room/wire-test/")
    # No wait: a member joins the room before the server answers his handshake.
    alice.send(frame(TEXT, b""), frame(BINARY, b"\x00\xff"))
    assert await bob.read_message() == (TEXT, b"")
    assert await bob.read_message() == (BINARY, b"\x00\xff")
    alice.abort()
    bob.abort()


# Servers whose echo limit is the servers' own 1 MiB ceiling


@pytest.fixture(scope="module", params=["runserver", "serve"])
def roomy_server(request, start_server):
    return start_server(request.param, ECHO_MAX_MESSAGE_BYTES=str(1024 * 1024))


async def test_a_compressed_message_of_exactly_1_mib_that_does_not_compress_is_echoed(roomy_server):
    """Deflate makes random bytes a little longer on the wire than the message itself."""
    message = os.urandom(1024 * 1024)
    url = roomy_server.ws_url + "/ws/echo/"
    async with websockets.connect(url, compression="deflate", max_size=None) as client:
        await client.send(message)
        assert await client.recv() == message


# Servers with small limits


@pytest.fixture(scope="module", params=["runserver", "serve"])
def strict_server(request, start_server):
    return start_server(
        request.param,
        ECHO_IDLE_TIMEOUT="1",
        ECHO_MAX_CONNECTIONS_PER_ADDRESS="3",
        TRUSTED_PROXIES="127.0.0.1",
    )


async def test_an_idle_connection_is_closed_with_1001(strict_server):
    ws = await RawSocket.open(strict_server.http_url)
    assert await ws.read_close(timeout=5) == (1001, "Idle for 1 seconds.")
    ws.abort()


async def test_the_connection_over_the_per_address_limit_is_refused(strict_server):
    # One client address of its own (through the trusted proxy 127.0.0.1), so connections
    # other tests are still closing do not count.
    client = [("X-Forwarded-For", "198.51.100.200")]
    sockets = [await RawSocket.open(strict_server.http_url, headers=client) for _ in range(4)]
    assert [socket.status for socket in sockets[:3]] == [101] * 3
    refused = sockets[3]
    if strict_server.kind == "serve":
        assert refused.status == 429
        assert refused.body == b"Too many connections from your address: at most 3 at a time."
    else:
        assert refused.status == 403
    for socket in sockets:
        socket.abort()


async def test_clients_behind_a_trusted_proxy_have_their_own_limits(strict_server):
    sockets = [
        await RawSocket.open(
            strict_server.http_url, headers=[("X-Forwarded-For", f"198.51.100.{i}")]
        )
        for i in range(5)
    ]
    assert [socket.status for socket in sockets] == [101] * 5
    for socket in sockets:
        socket.abort()


async def test_the_mirror_marks_the_headers_a_trusted_proxy_added(strict_server):
    client, handshake = await mirrored(strict_server.ws_url, additional_headers=PROXY_HEADERS)
    marked = [name.lower() for name in handshake["request"]["from_proxy"]]
    assert marked == [name.lower() for name, _ in PROXY_HEADERS]
    await client.close()


# Rooms across server processes (the Redis channel layer)


def redis_url():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_is_up():
    url = urlsplit(redis_url())
    try:
        create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


async def settle(sender, receiver):
    """Waits until `receiver` hears `sender` in their room: across processes, a member's
    subscription reaches Redis a moment after the server answered his handshake."""
    for attempt in range(50):
        token = f"ready-{attempt}".encode()
        sender.send(frame(TEXT, token))
        try:
            while await receiver.read_message(timeout=0.2) != (TEXT, token):
                pass
            return
        except TimeoutError:
            continue
    raise AssertionError("the room's members never heard each other")


@pytest.mark.redis
async def test_a_room_spans_server_processes_through_redis(start_server):
    require(redis_is_up(), f"Redis is not reachable at {redis_url()}")
    first = start_server("serve", REDIS_URL=redis_url())
    second = start_server("serve", REDIS_URL=redis_url())
    room = f"/ws/room/across-{os.getpid()}-{os.urandom(4).hex()}/"
    alice = await RawSocket.open(first.http_url, path=room)
    bob = await RawSocket.open(second.http_url, path=room)
    await settle(alice, bob)
    alice.send(frame(TEXT, b"from the first process"))
    assert await bob.read_message() == (TEXT, b"from the first process")
    alice.abort()
    bob.abort()
