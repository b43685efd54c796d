"""The event loop's default executor, given Django's request lifecycle for connections.

Django's ASGI handler runs code that is not thread-sensitive (rendering a 404 or 500
page, for one) in the loop's default executor. Nothing closes the database
connections those threads open: they stay open for the life of the process, and
after the database restarts they stay broken, so every error page rendered on them
fails with a 500. Each job here starts and ends the way a request does, with
`close_old_connections()`.
"""

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections


def _run_like_a_request(fn, args, kwargs):
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


class RequestLifecycleExecutor(ThreadPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):
        return super().submit(_run_like_a_request, fn, args, kwargs)


class UseRequestLifecycleExecutor:
    """ASGI middleware: makes the executor above the default of each loop serving `app`."""

    def __init__(self, app):
        self.app = app
        self._loops = weakref.WeakSet()

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        if loop not in self._loops:
            loop.set_default_executor(RequestLifecycleExecutor(thread_name_prefix="django"))
            self._loops.add(loop)
        return await self.app(scope, receive, send)
