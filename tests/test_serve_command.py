"""`manage.py serve` (`make serve`): its log, its static files and its worker processes."""

import asyncio
import itertools
import os
import re
import secrets
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import get
from tests.test_echo_protocol import CLOSE, TEXT, RawSocket, close_payload, frame


@pytest.fixture(scope="module")
def behind_proxy(start_server):
    """A server that believes X-Forwarded-For from loopback, so each test can be a client
    address of its own and find its own lines in the log."""
    return start_server("serve", TRUSTED_PROXIES="127.0.0.1")


_clients = itertools.count(secrets.randbelow(200) + 1)


def a_client():
    """A client address no other test of this module's server has used."""
    return f"198.51.100.{next(_clients)}"


def lines_about(log, client):
    field = re.compile(rf"client={re.escape(client)}(?![\d.])")
    return [line for line in log.splitlines() if field.search(line)]


def log_marker(server):
    """The log once a refused handshake (logged with its path) is in it: what the server
    printed for earlier requests is in it too."""
    path = f"/ws/room/log.marker.{secrets.token_hex(4)}/"

    async def refused():
        socket = await RawSocket.open(server.http_url, path=path)
        socket.abort()
        return socket.status

    assert asyncio.run(refused()) == 400
    return server.wait_for_log(path)


def test_static_files_are_served_without_a_warning(behind_proxy):
    _, _, html = get(behind_proxy.http_url + "/")
    stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
    with urllib.request.urlopen(behind_proxy.http_url + stylesheet, timeout=10) as response:
        assert response.status == 200
        body = response.read()
        assert len(body) == int(response.headers["Content-Length"]) > 0
    log = log_marker(behind_proxy)
    assert "StreamingHttpResponse" not in log
    assert "Warning" not in log


async def test_invalid_utf8_from_a_client_is_one_log_line_with_its_address_and_code(
    behind_proxy,
):
    client = a_client()
    ws = await RawSocket.open(behind_proxy.http_url, headers=[("X-Forwarded-For", client)])
    ws.send(frame(TEXT, b"\xff\xfe"))
    assert (await ws.read_close())[0] == 1007
    ws.abort()
    log = await asyncio.to_thread(behind_proxy.wait_for_log, f"client={client}")
    [line] = lines_about(log, client)
    assert line.split()[0] in ("INFO", "WARNING")
    assert "code=1007" in line
    assert "Traceback" not in log
    assert "Invalid UTF-8 sequence" not in log


async def test_a_websocket_connection_is_one_log_line(behind_proxy):
    client = a_client()
    ws = await RawSocket.open(behind_proxy.http_url, headers=[("X-Forwarded-For", client)])
    ws.send(frame(TEXT, b"hello"))
    assert await ws.read_message() == (TEXT, b"hello")
    ws.send(frame(CLOSE, close_payload(1000)))
    assert (await ws.read_close())[0] == 1000
    ws.abort()
    log = await asyncio.to_thread(behind_proxy.wait_for_log, f"client={client}")
    [line] = lines_about(log, client)
    assert "websocket closed" in line
    assert "code=1000" in line
    assert "connection open" not in log
    assert '"WebSocket /ws/echo/" [accepted]' not in log


async def test_a_refused_handshake_is_an_http_answer_and_no_error_in_the_log(behind_proxy):
    socket = await RawSocket.open(behind_proxy.http_url, path="/ws/nowhere/")
    socket.abort()
    assert socket.status == 404
    log = await asyncio.to_thread(log_marker, behind_proxy)
    assert "ERROR" not in log
    assert "ASGI callable returned" not in log


# Workers


def children(pid):
    """The worker processes of a supervisor: its children, less multiprocessing's helper."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"resource_tracker" not in cmdline:
                found.append(int(child))
    return set(found)


def wait_for_workers(server, ready, timeout=60):
    """The supervisor's workers once `ready(workers)` holds."""
    deadline = time.monotonic() + timeout
    while not ready(workers := children(server.process.pid)):
        if time.monotonic() > deadline:
            raise AssertionError(f"the workers are still {workers}")
        time.sleep(0.1)
    return workers


def test_a_killed_worker_is_replaced_while_the_other_keeps_serving(start_server):
    server = start_server("serve", WORKERS="2")
    first, second = wait_for_workers(server, lambda workers: len(workers) == 2)
    os.kill(first, signal.SIGKILL)
    for _ in range(10):
        assert get(server.http_url + "/healthz")[0] == 200
    workers = wait_for_workers(server, lambda workers: len(workers - {first, second}) == 1)
    assert first not in workers
    assert second in workers


async def test_sigterm_closes_every_websocket_of_every_worker_with_1001(start_server):
    server = start_server("serve", WORKERS="2")
    sockets = [await RawSocket.open(server.http_url) for _ in range(6)]
    stopping = asyncio.create_task(asyncio.to_thread(server.stop))
    closes = [await socket.read_close() for socket in sockets]
    for socket in sockets:
        socket.abort()
    await stopping
    assert closes == [(1001, "Server shutting down")] * 6
    assert server.process.returncode == 0
