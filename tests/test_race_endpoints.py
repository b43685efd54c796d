"""The race's HTTP endpoints and WebSocket lane, in-process: Django's async client for
polling, long polling and Server-Sent Events, Channels' communicator for the socket."""

import asyncio
import json
import time

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from race import store
from tests.asgi import get_scope
from website.asgi import application

pytestmark = pytest.mark.usefixtures("races")

SHORT = {"rate": 20, "size": 100, "duration": 1}  # 20 events over a second (the races fixture)


async def create(headers=None, **overrides):
    return await AsyncClient().post(
        "/tools/race/new", {**SHORT, **overrides}, content_type="application/json", headers=headers
    )


async def a_race(**overrides):
    response = await create(**overrides)
    assert response.status_code == 201, response.content
    return response.json()


async def until(condition, timeout=10):
    """Polls `condition` (a coroutine function) until it returns something true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := await condition():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


async def sse_lines(response):
    """Reads a Server-Sent Events response to its end event: [(id, data)]."""
    text = ""
    async for chunk in response.streaming_content:
        text += chunk.decode()
        if "event: end" in text:
            break
    frames = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields and "id" in fields:
            frames.append((int(fields["id"]), json.loads(fields["data"])))
    return frames


# Creating a race ------------------------------------------------------------------------


async def test_creating_a_race_answers_its_id_total_and_endpoints():
    race = await a_race()
    assert race["total"] == 20
    assert race["endpoints"]["poll"] == f"/tools/race/{race['id']}/poll"
    assert race["endpoints"]["sse"] == f"/tools/race/{race['id']}/events"
    assert race["endpoints"]["websocket"] == f"ws://testserver/ws/race/{race['id']}/"


async def test_a_race_beyond_the_limits_is_refused_naming_the_fields():
    response = await create(rate=1000, duration=3600)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"rate", "duration"}


async def test_a_race_sent_as_a_form_is_refused_as_not_json():
    response = await AsyncClient().post("/tools/race/new", SHORT)
    assert response.status_code == 415


async def test_a_third_race_at_once_from_one_address_is_refused():
    await a_race()
    await a_race()
    response = await create()
    assert response.status_code == 429
    assert "At most 2 races at a time" in response.json()["error"]


async def test_other_addresses_behind_a_trusted_proxy_have_their_own_races(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(2):
        await a_race()
    assert (await create({"X-Forwarded-For": "203.0.113.7"})).status_code == 201


async def test_a_race_nobody_reads_stops_early_and_frees_its_place(monkeypatch):
    monkeypatch.setattr(store, "IDLE_SECONDS", 0.3)
    first = await a_race(duration=60)
    await a_race(duration=60)
    race = await store.get(first["id"])

    async def finished():
        return (await store.events_after(race.id, 0))[1] is not None

    await until(finished)
    _, done = await store.events_after(race.id, 0)
    assert done < first["total"]
    assert (await create()).status_code == 201


async def test_a_race_refuses_waiting_readers_past_its_limit(monkeypatch):
    monkeypatch.setattr(store, "MAX_READERS", 1)
    race = await a_race(duration=10, rate=0.5)
    await AsyncClient().get(race["endpoints"]["sse"])  # counted until its stream ends
    response = await AsyncClient().get(race["endpoints"]["long_poll"])
    assert response.status_code == 429
    assert "as many readers as it may have" in response.json()["error"]
    _, close = await socket_messages(f"/ws/race/{race['id']}/")
    assert close["code"] == 1013


async def test_a_reader_that_finished_frees_its_place(monkeypatch):
    monkeypatch.setattr(store, "MAX_READERS", 1)
    race = await a_race()
    assert (await long_poll(race["endpoints"]["long_poll"], 20))["done"]
    assert (await long_poll(race["endpoints"]["long_poll"], 20))["done"]


# Polling and long polling ----------------------------------------------------------------


async def test_polling_answers_the_events_after_the_last_one_seen_until_done():
    race = await a_race()
    client, after, seen = AsyncClient(), 0, []

    async def poll_once():
        nonlocal after
        answer = (await client.get(race["endpoints"]["poll"], {"after": after})).json()
        seen.extend(event["seq"] for event in answer["events"])
        after = seen[-1] if seen else after
        return answer["done"]

    await until(poll_once)
    assert seen == list(range(1, 21))


async def test_a_poll_answers_at_once_even_with_nothing_new():
    race = await a_race()
    started = time.monotonic()
    answer = (await AsyncClient().get(race["endpoints"]["poll"])).json()
    assert answer == {"events": [], "done": False}
    assert time.monotonic() - started < 0.5


async def long_poll(path, after):
    response = await AsyncClient().get(path, {"after": after})
    body = b"".join([chunk async for chunk in response.streaming_content])
    return json.loads(body)


async def test_a_long_poll_is_held_until_the_first_event_then_answered():
    race = await a_race()
    answer = await long_poll(race["endpoints"]["long_poll"], 0)
    assert [event["seq"] for event in answer["events"]][:1] == [1]
    assert time.time() * 1000 >= race["starts_at"]


async def test_long_polling_from_the_last_event_seen_gets_every_event_once():
    race = await a_race()
    seen, done = [], False
    while not done:
        answer = await long_poll(race["endpoints"]["long_poll"], seen[-1] if seen else 0)
        seen += [event["seq"] for event in answer["events"]]
        done = answer["done"]
    assert seen == list(range(1, 21))


async def test_a_long_poll_after_the_end_answers_done_at_once():
    race = await a_race()
    await long_poll(race["endpoints"]["long_poll"], 19)
    started = time.monotonic()
    answer = await long_poll(race["endpoints"]["long_poll"], 20)
    assert answer == {"events": [], "done": True}
    assert time.monotonic() - started < 1


# Server-Sent Events ----------------------------------------------------------------------


async def test_server_sent_events_stream_every_event_with_its_id_then_end():
    race = await a_race()
    response = await AsyncClient().get(race["endpoints"]["sse"])
    assert response["Content-Type"] == "text/event-stream"
    frames = await sse_lines(response)
    assert [id_ for id_, _ in frames] == list(range(1, 21))
    assert all(event["seq"] == id_ for id_, event in frames)


async def test_server_sent_events_resume_after_last_event_id():
    race = await a_race()
    response = await AsyncClient().get(race["endpoints"]["sse"], headers={"Last-Event-ID": "15"})
    frames = await sse_lines(response)
    assert [id_ for id_, _ in frames] == [16, 17, 18, 19, 20]


async def test_an_event_source_reconnecting_after_the_end_is_told_to_stop():
    race = await a_race()
    await sse_lines(await AsyncClient().get(race["endpoints"]["sse"]))
    response = await AsyncClient().get(race["endpoints"]["sse"], headers={"Last-Event-ID": "20"})
    assert response.status_code == 204


@pytest.mark.parametrize("endpoint", ["poll", "long_poll", "sse"])
async def test_race_answers_are_never_cached(endpoint):
    race = await a_race(duration=2, rate=0.5)
    response = await AsyncClient().get(race["endpoints"][endpoint], {"after": 1})
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("endpoint", ["poll", "long-poll", "events"])
async def test_an_unknown_race_is_not_found_in_plain_words(endpoint):
    response = await AsyncClient().get(f"/tools/race/0123456789abcdef/{endpoint}")
    assert response.status_code == 404
    assert "No such race" in response.json()["error"]


# WebSocket -------------------------------------------------------------------------------


async def socket_messages(path):
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    messages = []
    while True:
        message = await communicator.receive_output(timeout=10)
        if message["type"] == "websocket.close":
            await communicator.disconnect(code=message["code"])  # the client's close reply
            return messages, message
        messages.append(json.loads(message["text"]))


async def test_the_websocket_lane_sends_every_event_then_closes_normally():
    race = await a_race()
    messages, close = await socket_messages(f"/ws/race/{race['id']}/")
    assert [event["seq"] for event in messages] == list(range(1, 21))
    assert (close["code"], close["reason"]) == (1000, "The race is over.")


async def test_the_websocket_lane_starts_after_the_event_asked():
    race = await a_race()
    messages, _ = await socket_messages(f"/ws/race/{race['id']}/?after=17")
    assert [event["seq"] for event in messages] == [18, 19, 20]


async def test_a_socket_for_an_unknown_race_closes_with_1008_and_a_reason():
    messages, close = await socket_messages("/ws/race/0123456789abcdef/")
    assert messages == []
    assert close["code"] == 1008
    assert "No such race" in close["reason"]


# Leaving ---------------------------------------------------------------------------------


# Django's request signals close stale database connections, wherever the request goes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("endpoint", ["long_poll", "sse"])
async def test_a_visitor_who_leaves_a_waiting_request_leaves_the_race(endpoint):
    """The server stops waiting at once: the request's channel leaves the race's group."""
    race = await a_race(duration=10, rate=0.5)
    layer = get_channel_layer()
    group = f"race.{race['id']}"
    received = asyncio.Queue()
    await received.put({"type": "http.request", "body": b"", "more_body": False})
    scope = get_scope(race["endpoints"][endpoint], query_string=b"after=5")
    sent = []

    async def send(message):
        sent.append(message)

    request = asyncio.create_task(application(scope, received.get, send))
    await until(lambda: asyncio.sleep(0, result=bool(layer.groups.get(group))))
    await received.put({"type": "http.disconnect"})
    await asyncio.wait_for(request, 5)
    assert not layer.groups.get(group)
