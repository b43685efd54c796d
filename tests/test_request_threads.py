"""Requests run their sync code on kept threads, which keep their database connection."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.core.signals import request_finished
from django.db import connection, connections

from tests.asgi import get_scope
from website.request_threads import KeepRequestThreads


async def get(app, path):
    messages = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        messages.append(message)

    await app(get_scope(path), receive, send)
    return messages[0]["status"]


@pytest.fixture
def finished_requests():
    """(thread, database connection) as each request finishes, after Django's own cleanup."""
    seen = []

    def record(**kwargs):
        seen.append((threading.get_ident(), connection.connection))

    request_finished.connect(record)
    yield seen
    request_finished.disconnect(record)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_consecutive_requests_reuse_one_thread_and_its_open_database_connection(
    finished_requests, monkeypatch
):
    # A server's setting (the test process's own is 0: website/settings/test.py).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    app = KeepRequestThreads(get_asgi_application(), size=2)

    async def two_requests():
        return [await get(app, "/readyz"), await get(app, "/readyz")]

    try:
        assert asyncio.run(two_requests()) == [200, 200]
    finally:
        app.close()
    (first_thread, first_connection), (second_thread, second_connection) = finished_requests
    assert first_thread == second_thread
    assert first_connection is not None
    assert second_connection is first_connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_beyond_the_kept_threads_is_served_and_closes_its_connection():
    release_the_first = threading.Event()
    threads = {}

    def work(path):
        connection.ensure_connection()
        threads[path] = (threading.get_ident(), connections["default"])
        if path == "/first":
            release_the_first.wait(timeout=10)
            connection.close()

    async def app(scope, receive, send):
        await sync_to_async(work)(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    kept = KeepRequestThreads(app, size=1)

    async def one_while_the_other_waits():
        first = asyncio.create_task(get(kept, "/first"))
        while "/first" not in threads:
            await asyncio.sleep(0.01)
        second = await get(kept, "/second")
        release_the_first.set()
        return [await first, second]

    assert asyncio.run(one_while_the_other_waits()) == [200, 200]
    first_thread, _ = threads["/first"]
    second_thread, second_connection = threads["/second"]
    assert second_thread != first_thread
    assert second_connection.connection is None
