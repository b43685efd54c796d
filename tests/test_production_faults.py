"""Faults the production shape must survive, against real servers on loopback.

Each test runs its own server processes; tests that stop Redis or PostgreSQL
run private instances of them (tests/services.py), never the machine's own.
"""

import asyncio
import json
import secrets
import signal

import pytest
import websockets

from echo.closecodes import GOING_AWAY
from tests.conftest import require
from tests.servers import (
    MACHINE_REDIS,
    ServerProcess,
    get,
    machine_redis_is_up,
    prepare_database,
    server_env,
)
from tests.services import NGINX, Nginx


def room_url(base):
    return f"{base}/ws/room/fault-{secrets.token_hex(4)}/"


async def expect_message(ws, expected, timeout=5):
    assert await asyncio.wait_for(ws.recv(), timeout) == expected


async def settle(members):
    """Wait until every member has joined the room: each one's hello reaches another."""
    for attempt in range(50):
        token = f"ready-{attempt}"
        await members[0].send(token)
        try:
            for member in members[1:]:
                while await asyncio.wait_for(member.recv(), 0.2) != token:
                    pass
            return
        except TimeoutError:
            continue
    raise AssertionError("room members never saw each other")


def start_servers(count, env, logs, name):
    servers = [
        ServerProcess("serve", env, log_path=logs / f"{name}-{index}.log") for index in range(count)
    ]
    for server in servers:
        server.start()
    return servers


@pytest.fixture
def redis_cluster_env(live_database, static_root):
    require(machine_redis_is_up(), "the machine's Redis is not reachable at 127.0.0.1:6379")
    return server_env(live_database, REDIS_URL=MACHINE_REDIS, STATIC_ROOT=str(static_root))


@pytest.fixture
def two_servers(redis_cluster_env, live_server_logs):
    servers = start_servers(2, redis_cluster_env, live_server_logs, "pair")
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def nginx(two_servers, static_root, tmp_path):
    require(NGINX, "nginx is not installed (apt-get install nginx-light)")
    proxy = Nginx(tmp_path / "nginx", [s.port for s in two_servers], static_root).start()
    yield proxy
    proxy.stop()


async def test_room_messages_cross_between_two_server_processes(two_servers):
    name = room_url("")
    async with (
        websockets.connect(two_servers[0].ws_url + name) as alice,
        websockets.connect(two_servers[1].ws_url + name) as bob,
    ):
        await settle([alice, bob])
        await alice.send("from process one")
        await expect_message(bob, "from process one")
        await bob.send("from process two")
        await expect_message(alice, "from process two")


def test_nginx_proxies_pages_and_serves_static_files_itself(nginx):
    status, _, html = get(nginx.http_url + "/")
    assert status == 200
    stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
    status, headers, _ = get(nginx.http_url + stylesheet)
    assert status == 200
    assert headers["Server"] == "nginx"
    assert "immutable" in headers["Cache-Control"]


async def test_nginx_upgrades_websockets_and_echoes(nginx):
    async with websockets.connect(nginx.ws_url + "/ws/echo/") as ws:
        await ws.send("through nginx")
        await expect_message(ws, "through nginx")


async def test_clients_of_a_stopped_process_reconnect_through_nginx_and_the_room_goes_on(
    nginx, two_servers
):
    url = room_url(nginx.ws_url)
    # Direct connections pin one member to each process; the rest come through nginx.
    stays = await websockets.connect(two_servers[1].ws_url + url.removeprefix(nginx.ws_url))
    moves = await websockets.connect(two_servers[0].ws_url + url.removeprefix(nginx.ws_url))
    try:
        await settle([stays, moves])
        for index in range(20):
            await stays.send(f"before {index}")
        for index in range(20):
            await expect_message(moves, f"before {index}")

        two_servers[0].stop(signal.SIGTERM)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(moves.recv(), 5)
        assert closed.value.rcvd.code == GOING_AWAY

        async with websockets.connect(url) as moved:  # nginx now has one live upstream
            await settle([stays, moved])
            for index in range(20):
                await moved.send(f"after {index}")
            for index in range(20):
                await expect_message(stays, f"after {index}")
    finally:
        await stays.close()
        await moves.close()


async def test_rooms_resume_after_redis_restarts_and_echo_never_stops(
    private_redis, live_database, static_root, live_server_logs
):
    env = server_env(live_database, REDIS_URL=private_redis.url, STATIC_ROOT=str(static_root))
    (server,) = start_servers(1, env, live_server_logs, "redis-restart")
    try:
        async with websockets.connect(server.ws_url + "/ws/echo/") as echo:
            private_redis.stop()
            await echo.send("while redis is down")
            await expect_message(echo, "while redis is down")
            private_redis.start()
            await echo.send("after redis is back")
            await expect_message(echo, "after redis is back")

        name = room_url("")
        deadline = asyncio.get_running_loop().time() + 15
        while True:  # what the tester's auto-reconnect does
            try:
                async with (
                    websockets.connect(server.ws_url + name) as alice,
                    websockets.connect(server.ws_url + name) as bob,
                ):
                    await settle([alice, bob])
                    await alice.send("room is back")
                    await expect_message(bob, "room is back")
                    break
            except (OSError, websockets.InvalidStatus, websockets.ConnectionClosed):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)
    finally:
        server.stop()


@pytest.mark.timeout(400)  # migrating and loading a fresh PostgreSQL cluster
def test_a_postgres_outage_gives_a_friendly_503_and_the_site_recovers_by_itself(
    private_postgres, static_root, live_server_logs
):
    env = server_env("unused", DATABASE_URL=private_postgres.url, STATIC_ROOT=str(static_root))
    prepare_database(env)
    (server,) = start_servers(1, env, live_server_logs, "pg-outage")
    try:
        assert get(server.http_url + "/")[0] == 200  # now in the response cache
        assert get(server.http_url + "/no-such-page/")[0] == 404  # rendered in a worker thread

        private_postgres.stop()
        assert get(server.http_url + "/")[0] == 200, "a cached page needs no database"
        status, _, html = get(server.http_url + "/guides/?difficulty=advanced")
        assert status == 503
        assert "Back in a moment" in html
        assert "Traceback" not in html
        status, _, body = get(server.http_url + "/readyz")
        assert status == 503
        assert json.loads(body)["database"].startswith("down")
        assert asyncio.run(echo_once(server.ws_url)) == "still echoing"

        private_postgres.start()
        assert get(server.http_url + "/guides/?difficulty=advanced")[0] == 200
        assert get(server.http_url + "/readyz")[0] == 200
        for _ in range(3):
            assert get(server.http_url + "/still-no-such-page/")[0] == 404, (
                "a worker thread kept its connection from before the outage"
            )
    finally:
        server.stop()


async def echo_once(base):
    async with websockets.connect(base + "/ws/echo/") as ws:
        await ws.send("still echoing")
        return await asyncio.wait_for(ws.recv(), 5)
