"""Django's synchronous work for each request, on one of a few long-lived threads.

Django's ASGI handler gives every request a thread of its own (a `ThreadSensitiveContext`
per request), and with the thread goes the request's database connection: each request
connects afresh, so on SQLite its first query reads the schema again and on PostgreSQL it
pays the connect (2.7 ms here; docs/page-performance.md). `CONN_MAX_AGE` cannot help while
the thread dies with the request.

Here a request borrows one of a few single-thread executors and enters a
`ThreadSensitiveContext` that uses it. Django's handler finds that context already set
and keeps it, so the request's sync code, and its connection, live on a thread that
outlasts it, as under a WSGI server; `CONN_MAX_AGE` and `CONN_HEALTH_CHECKS` then decide
when the connection is replaced. When every kept thread is busy, the request gets a
thread of its own, as Django would have given it, and its connections are closed when it
ends.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.db import connections


class KeepRequestThreads:
    """ASGI middleware: HTTP requests to `app` run their sync code on `size` kept threads."""

    def __init__(self, app, size):
        self.app = app
        self.size = size
        self._idle = []
        self._started = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        executor = self._borrow()
        if executor is None:
            return await self._on_a_thread_of_its_own(scope, receive, send)
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            # Last in, first out: the busiest threads stay warm, the others idle.
            self._idle.append(executor)

    def close(self):
        """Closes the idle kept threads' database connections and lets the threads end."""
        while self._idle:
            executor = self._idle.pop()
            executor.submit(connections.close_all).result()
            executor.shutdown()
            self._started -= 1

    def _borrow(self):
        if self._idle:
            return self._idle.pop()
        if self._started < self.size:
            self._started += 1
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-request")
        return None

    async def _on_a_thread_of_its_own(self, scope, receive, send):
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-overflow")
        try:
            async with ThreadSensitiveContext(executor=executor):
                try:
                    await self.app(scope, receive, send)
                finally:
                    await sync_to_async(connections.close_all)()
        finally:
            executor.shutdown(wait=False)
