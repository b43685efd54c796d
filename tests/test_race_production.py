"""The transport race in the production shape: two `manage.py serve` processes sharing
Redis (cache and channel layer) behind Debian's nginx with deploy/'s configuration."""

import asyncio
import itertools
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require
from tests.servers import MACHINE_REDIS, machine_redis_is_up
from tests.services import NGINX, Nginx

# A database of the machine's Redis that the other tests leave alone.
REDIS = MACHINE_REDIS.rsplit("/", 1)[0] + "/11"
RACE = {"rate": 5, "size": 200, "duration": 4}  # 20 events over four seconds


@pytest.fixture(scope="module")
def app_servers(start_server):
    require(machine_redis_is_up(), "the machine's Redis is not reachable at 127.0.0.1:6379")
    env = {"REDIS_URL": REDIS, "TRUSTED_PROXIES": "127.0.0.1"}
    return [start_server("serve", **env), start_server("serve", **env)]


@pytest.fixture(scope="module")
def nginx(app_servers, static_root, tmp_path_factory):
    require(NGINX, "nginx is not installed (apt-get install nginx-light)")
    proxy = Nginx(
        tmp_path_factory.mktemp("nginx"), [s.port for s in app_servers], static_root
    ).start()
    yield proxy
    proxy.stop()


def create(base, client_address):
    """A race created through `base`, for `client_address` (as nginx would say)."""
    request = urllib.request.Request(
        f"{base}/tools/race/new",
        data=json.dumps(RACE).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": client_address},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def fetch_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def read_events(url, headers=None):
    """Reads a Server-Sent Events stream to its end: [(id, when it arrived)]."""
    request = urllib.request.Request(url, headers=headers or {})
    frames = []
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        for line in response:
            if line.startswith(b"id: "):
                frames.append((int(line[4:]), time.time()))
            if line.startswith(b"event: end"):
                return frames
    raise AssertionError("the stream ended without its end event")


def long_poll_to_the_end(base, race):
    """Long-polls the race through `base` until it is over: the sequence numbers seen."""
    seen, done = [], False
    while not done:
        after = seen[-1] if seen else 0
        answer = fetch_json(f"{base}{race['endpoints']['long_poll']}?after={after}")
        seen += [event["seq"] for event in answer["events"]]
        done = answer["done"]
    return seen


def test_a_race_made_on_one_process_is_polled_on_the_other(app_servers):
    first, second = app_servers
    race = create(first.http_url, "198.51.100.1")
    assert long_poll_to_the_end(second.http_url, race) == list(range(1, 21))


def test_server_sent_events_pass_through_nginx_as_they_are_sent(nginx):
    race = create(nginx.http_url, "198.51.100.2")
    frames = read_events(nginx.http_url + race["endpoints"]["sse"])
    assert [seq for seq, _ in frames] == list(range(1, 21))
    # Unbuffered: the first event arrived about when it left, seconds before the last.
    assert frames[0][1] < race["starts_at"] / 1000 + 1.5
    assert frames[-1][1] - frames[0][1] > 3


def test_an_event_stream_resumes_through_nginx_with_last_event_id(nginx):
    race = create(nginx.http_url, "198.51.100.3")
    frames = read_events(nginx.http_url + race["endpoints"]["sse"], {"Last-Event-ID": "12"})
    assert [seq for seq, _ in frames] == list(range(13, 21))


def test_long_polls_through_nginx_get_every_event_once(nginx):
    race = create(nginx.http_url, "198.51.100.4")
    seen, requests, done = [], 0, False
    while not done:
        url = f"{nginx.http_url}{race['endpoints']['long_poll']}?after={len(seen)}"
        answer = fetch_json(url)
        requests += 1
        seen += [event["seq"] for event in answer["events"]]
        done = answer["done"]
    assert seen == list(range(1, 21))
    assert requests <= 21  # held until there was news, not answered empty


def test_nginx_counts_races_against_the_visitor_not_itself(nginx):
    create(nginx.http_url, "ignored")
    create(nginx.http_url, "ignored")
    request = urllib.request.Request(
        f"{nginx.http_url}/tools/race/new",
        data=json.dumps(RACE).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 429


async def test_waiting_long_polls_hold_no_thread_each(served):
    """Sixteen visitors waiting on long polls (two races, as many readers as each may
    have) cost the server process no thread each."""
    races = [create(served.http_url, "ignored") for _ in range(2)]
    tasks = Path(f"/proc/{served.process.pid}/task")
    threads_before = len(list(tasks.iterdir()))
    connections = []
    for race, _ in itertools.product(races, range(8)):
        path = f"{race['endpoints']['long_poll']}?after=1000"
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        connections.append((reader, writer))
    for reader, _ in connections:  # The headers came: each request is in the view, waiting.
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 200")
    waiting_threads = len(list(tasks.iterdir()))
    for _, writer in connections:
        writer.close()
    for race in races:  # Over, so the address may race again in the tests that follow.
        long_poll_to_the_end(served.http_url, race)
    assert waiting_threads - threads_before < 4
