"""The echo and room consumers, driven through the whole ASGI application in-process."""

import asyncio
import logging

import pytest

from echo.consumers import connections
from tests.echo_sockets import (
    a_room,
    an_address,
    closed_with,
    connected,
    open_socket,
    send_bytes,
    send_text,
)
from website.asgi import application
from website.logging import JsonFormatter, fields

# /ws/echo/


async def test_text_comes_back_as_the_same_text():
    socket = await connected()
    await socket.send_to(text_data="héllo 👋")
    assert await socket.receive_output() == {"type": "websocket.send", "text": "héllo 👋"}
    await socket.disconnect()


async def test_binary_comes_back_as_the_same_bytes():
    socket = await connected()
    payload = bytes(range(256))
    await socket.send_to(bytes_data=payload)
    assert await socket.receive_output() == {"type": "websocket.send", "bytes": payload}
    await socket.disconnect()


async def test_an_empty_text_message_comes_back_as_empty_text():
    socket = await connected()
    await send_text(socket, "")
    assert await socket.receive_output() == {"type": "websocket.send", "text": ""}
    await socket.disconnect()


async def test_an_empty_binary_message_comes_back_as_empty_bytes():
    socket = await connected()
    await send_bytes(socket, b"")
    assert await socket.receive_output() == {"type": "websocket.send", "bytes": b""}
    await socket.disconnect()


async def test_messages_come_back_in_the_order_sent():
    socket = await connected()
    for i in range(20):
        await send_text(socket, str(i))
    assert [await socket.receive_from() for _ in range(20)] == [str(i) for i in range(20)]
    await socket.disconnect()


async def test_the_echo_sends_nothing_it_was_not_sent():
    socket = await connected()
    await send_text(socket, "first")
    # The first thing to arrive is the echo: nothing (no greeting) came before it.
    assert await socket.receive_output() == {"type": "websocket.send", "text": "first"}
    await socket.disconnect()


async def test_the_first_offered_subprotocol_is_accepted():
    socket = open_socket(subprotocols=["mqtt", "graphql-ws"])
    assert await socket.connect() == (True, "mqtt")
    await socket.disconnect()


async def test_without_offered_subprotocols_none_is_chosen():
    socket = open_socket()
    assert await socket.connect() == (True, None)
    await socket.disconnect()


@pytest.mark.parametrize(
    "headers", [[], [(b"origin", b"https://elsewhere.example")], [(b"origin", b"null")]]
)
async def test_any_origin_or_none_is_accepted(headers):
    socket = open_socket(headers=headers)
    accepted, _ = await socket.connect()
    assert accepted
    await socket.disconnect()


# Limits


@pytest.mark.parametrize("path", ["/ws/echo/", "/ws/room/size-limit/"])
async def test_a_message_over_the_size_limit_closes_with_1009(limits, path):
    socket = await connected(path)
    await send_bytes(socket, b"x" * 17)
    code, reason = await closed_with(socket)
    assert code == 1009
    assert "16 B" in reason
    await socket.disconnect()


async def test_a_message_at_the_size_limit_is_echoed(limits):
    socket = await connected()
    await send_text(socket, "x" * 16)
    assert await socket.receive_from() == "x" * 16
    await socket.disconnect()


async def test_text_size_counts_utf8_bytes_not_characters(limits):
    socket = await connected()
    await send_text(socket, "é" * 9)  # 9 characters, 18 bytes
    assert (await closed_with(socket))[0] == 1009
    await socket.disconnect()


async def test_nothing_is_echoed_after_a_limit_closed_the_connection(limits):
    socket = await connected()
    await send_bytes(socket, b"x" * 17)
    await closed_with(socket)
    await send_text(socket, "still there?")
    assert await socket.receive_nothing(timeout=0.1)
    await socket.disconnect()


@pytest.mark.parametrize("path", ["/ws/echo/", "/ws/room/rate-limit/"])
async def test_a_burst_beyond_the_rate_limit_closes_with_1008_and_a_reason(limits, path):
    socket = await connected(path)
    for _ in range(4):
        await send_text(socket, "hi")
    if path == "/ws/echo/":
        assert [await socket.receive_from() for _ in range(3)] == ["hi"] * 3
    code, reason = await closed_with(socket)
    assert code == 1008
    assert reason == "Rate limit: at most 5 messages/s (bursts of 3)."
    await socket.disconnect()


async def test_a_client_within_the_rate_keeps_its_connection(limits, loop_clock):
    socket = await connected()
    for _ in range(6):  # twice the burst, at 4.8 messages/s
        await send_text(socket, "tick")
        assert await socket.receive_from() == "tick"
        await loop_clock.advance(0.21)
    await socket.disconnect()


async def test_an_idle_connection_closes_with_1001(limits, loop_clock):
    limits.ECHO_IDLE_TIMEOUT = 300
    socket = await connected()
    await loop_clock.advance(300)
    message = await socket.receive_output()
    assert message == {"type": "websocket.close", "code": 1001, "reason": "Idle for 300 seconds."}
    await socket.disconnect()


async def test_messages_keep_a_connection_from_idling_out(limits, loop_clock):
    limits.ECHO_IDLE_TIMEOUT = 300
    socket = await connected()
    for _ in range(6):  # 1,500 s in all, never more than 250 s idle
        await loop_clock.advance(250)
        await send_text(socket, "still here")
        assert await socket.receive_from() == "still here"
    await socket.disconnect()


async def test_a_connection_over_the_per_address_limit_is_refused(limits):
    address = an_address()
    first, second = await connected(client=address), await connected(client=address)
    third = open_socket(client=address)
    accepted, _ = await third.connect()
    assert not accepted
    for socket in (first, second, third):
        await socket.disconnect()


async def test_the_per_address_limit_spans_echo_and_rooms(limits):
    address = an_address()
    first = await connected(client=address)
    second = await connected(f"/ws/room/{a_room()}/", client=address)
    third = open_socket(f"/ws/room/{a_room()}/", client=address)
    assert not (await third.connect())[0]
    for socket in (first, second, third):
        await socket.disconnect()


async def test_a_closed_connection_frees_its_place(limits):
    address = an_address()
    first, second = await connected(client=address), await connected(client=address)
    await first.disconnect()
    third = await connected(client=address)
    for socket in (second, third):
        await socket.disconnect()
    assert connections[address] == 0


async def test_a_refused_handshake_explains_itself_where_the_server_can(limits):
    address = an_address()
    sockets = [await connected(client=address) for _ in range(2)]
    refused = open_socket(client=address, extensions={"websocket.http.response": {}})
    await refused.send_input({"type": "websocket.connect"})
    start, body = await refused.receive_output(), await refused.receive_output()
    assert start["type"] == "websocket.http.response.start"
    assert start["status"] == 429
    assert body["body"] == b"Too many connections from your address: at most 2 at a time."
    for socket in [*sockets, refused]:
        await socket.disconnect()


async def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_limit(limits):
    peer = "203.0.113.50"
    sockets = [
        open_socket(client=peer, headers=[(b"x-forwarded-for", f"198.51.100.{i}".encode())])
        for i in range(3)
    ]
    results = [(await socket.connect())[0] for socket in sockets]
    assert results == [True, True, False]
    for socket in sockets:
        await socket.disconnect()


async def test_clients_behind_a_trusted_proxy_are_counted_separately(limits):
    sockets = [
        open_socket(client="10.0.0.9", headers=[(b"x-forwarded-for", f"198.51.100.{i}".encode())])
        for i in range(3)
    ]
    results = [(await socket.connect())[0] for socket in sockets]
    assert results == [True, True, True]
    for socket in sockets:
        await socket.disconnect()


async def test_one_client_behind_a_trusted_proxy_is_held_to_the_limit(limits):
    header = [(b"x-forwarded-for", b"198.51.100.77")]
    sockets = [open_socket(client="10.0.0.9", headers=header) for _ in range(3)]
    results = [(await socket.connect())[0] for socket in sockets]
    assert results == [True, True, False]
    for socket in sockets:
        await socket.disconnect()


async def test_an_abusive_connection_does_not_disturb_another(limits):
    abuser, neighbour = await connected(), await connected()
    for _ in range(10):
        await send_text(abuser, "flood")
    await send_text(neighbour, "calm")
    assert await neighbour.receive_from() == "calm"
    for socket in (abuser, neighbour):
        await socket.disconnect()


def logged(caplog, message):
    """The fields of each record of the echo logger with that message."""
    return [fields(r) for r in caplog.records if r.name == "echo" and r.getMessage() == message]


async def test_logs_never_contain_message_contents(limits, caplog):
    caplog.set_level(logging.DEBUG)
    socket = await connected()
    await send_text(socket, "secret-1")
    await socket.receive_from()
    await send_text(socket, "secret-too-long-for-the-limit")
    await closed_with(socket)
    await socket.disconnect()
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"code": 1009' in line for line in lines)
    assert not any("secret" in line for line in lines)


async def test_a_closed_connection_is_logged_once_with_its_fields(limits, caplog):
    caplog.set_level(logging.INFO, logger="echo")
    address = an_address()
    socket = await connected(client=address)
    await send_bytes(socket, b"x" * 17)
    await closed_with(socket)
    await socket.disconnect()
    [closed] = [entry for entry in logged(caplog, "websocket closed") if entry["client"] == address]
    assert closed["path"] == "/ws/echo/"
    assert closed["code"] == 1009
    assert closed["reason"] == "Message too big: the limit is 16 B."
    assert 0 <= closed["duration"] < 5


async def test_a_client_close_is_logged_with_its_code_and_without_its_reason(caplog):
    caplog.set_level(logging.INFO, logger="echo")
    address = an_address()
    socket = await connected(client=address)
    await socket.send_input({"type": "websocket.disconnect", "code": 4000, "reason": "mine"})
    await socket.wait()
    [closed] = [entry for entry in logged(caplog, "websocket closed") if entry["client"] == address]
    assert closed["code"] == 4000
    assert "reason" not in closed


async def test_a_refused_connection_is_logged_with_its_address_and_status(limits, caplog):
    caplog.set_level(logging.INFO, logger="echo")
    address = an_address()
    sockets = [await connected(client=address) for _ in range(2)]
    refused = open_socket(client=address)
    assert not (await refused.connect())[0]
    [entry] = [entry for entry in logged(caplog, "websocket refused") if entry["client"] == address]
    assert entry["status"] == 429
    assert entry["path"] == "/ws/echo/"
    for socket in [*sockets, refused]:
        await socket.disconnect()


# /ws/room/<name>/


async def test_a_room_message_reaches_the_other_members_only():
    room = f"/ws/room/{a_room()}/"
    alice, bob, carol = await connected(room), await connected(room), await connected(room)
    await send_text(alice, "hello room")
    assert await bob.receive_from() == "hello room"
    assert await carol.receive_from() == "hello room"
    await send_text(bob, "from bob")
    assert await alice.receive_from() == "from bob", "alice heard her own message"
    for socket in (alice, bob, carol):
        await socket.disconnect()


@pytest.mark.parametrize("payload", ["", "text ✓", b"", b"\x00\x01\xfe"])
async def test_a_room_relays_text_and_binary_unchanged(payload):
    room = f"/ws/room/{a_room()}/"
    alice, bob = await connected(room), await connected(room)
    key = "text" if isinstance(payload, str) else "bytes"
    await alice.send_input({"type": "websocket.receive", key: payload})
    assert await bob.receive_output() == {"type": "websocket.send", key: payload}
    for socket in (alice, bob):
        await socket.disconnect()


async def test_rooms_do_not_hear_each_other():
    room, other_room = f"/ws/room/{a_room()}/", f"/ws/room/{a_room()}/"
    first, listener = await connected(room), await connected(room)
    second, neighbour = await connected(other_room), await connected(other_room)
    await send_text(first, "private")
    assert await listener.receive_from() == "private"  # sent to all it was going to reach
    await send_text(neighbour, "in the other room")
    assert await second.receive_from() == "in the other room"
    for socket in (first, listener, second, neighbour):
        await socket.disconnect()


async def test_a_member_who_left_hears_nothing_more():
    room = f"/ws/room/{a_room()}/"
    alice, bob = await connected(room), await connected(room)
    await bob.disconnect()
    carol = await connected(room)
    await send_text(alice, "anyone?")
    assert await carol.receive_from() == "anyone?"  # sent to all it was going to reach
    await send_text(carol, "hello")
    assert await alice.receive_from() == "hello"
    for socket in (alice, carol):
        await socket.disconnect()


async def test_a_member_who_stops_reading_neither_holds_up_the_room_nor_piles_up_messages(
    settings, caplog
):
    settings.ECHO_RATE_PER_SECOND = 0  # Let Alice flood.
    caplog.set_level(logging.INFO, logger="echo")
    room = f"/ws/room/{a_room()}/"
    accepted, stuck_inbox = asyncio.Event(), asyncio.Queue()

    async def stuck_send(message):
        # Like a client whose TCP window is full: the first message never finishes sending.
        if message["type"] == "websocket.accept":
            accepted.set()
        else:
            await asyncio.Event().wait()

    scope = {"type": "websocket", "path": room, "headers": [], "client": [an_address(), 1]}
    stuck = asyncio.create_task(application(scope, stuck_inbox.get, stuck_send))
    await stuck_inbox.put({"type": "websocket.connect"})
    await asyncio.wait_for(accepted.wait(), 1)
    alice, bob = await connected(room), await connected(room)
    payload = b"x" * 64 * 1024
    for _ in range(40):  # 2.5 MiB, against a backlog of 1 MiB per member
        await send_bytes(alice, payload)
    for _ in range(40):
        assert await bob.receive_from() == payload
    await stuck_inbox.put({"type": "websocket.disconnect", "code": 1006})
    await asyncio.wait_for(stuck, 1)
    [missed] = [
        entry["missed"] for entry in logged(caplog, "websocket closed") if "missed" in entry
    ]
    assert missed >= 40 - 16
    for socket in (alice, bob):
        await socket.disconnect()


async def test_a_room_name_of_64_characters_is_accepted():
    socket = await connected("/ws/room/" + "r" * 64 + "/")
    await socket.disconnect()


@pytest.mark.parametrize("name", ["", "r" * 65, "two%20words", "caf%C3%A9", "a.b", "%3Cscript%3E"])
async def test_an_invalid_room_name_is_refused_at_the_handshake(name):
    socket = open_socket(f"/ws/room/{name}/")
    accepted, _ = await socket.connect()
    assert not accepted
    await socket.disconnect()


async def test_an_invalid_room_name_is_explained_where_the_server_can():
    socket = open_socket("/ws/room/a.b/", extensions={"websocket.http.response": {}})
    await socket.send_input({"type": "websocket.connect"})
    start, body = await socket.receive_output(), await socket.receive_output()
    assert start["status"] == 400
    assert b"1 to 64 letters, digits, hyphens and underscores" in body["body"]
    await socket.disconnect()


# Anything else


@pytest.mark.parametrize("path", ["/ws/", "/ws/echo/extra/", "/elsewhere/", "/ws/room/a/b/"])
async def test_an_unknown_path_is_refused(path):
    socket = open_socket(path)
    accepted, _ = await socket.connect()
    assert not accepted
    await socket.disconnect()


async def test_an_unknown_path_is_a_404_where_the_server_can_say_so():
    socket = open_socket("/ws/nowhere/", extensions={"websocket.http.response": {}})
    await socket.send_input({"type": "websocket.connect"})
    start = await socket.receive_output()
    assert start["status"] == 404
    await socket.disconnect()
