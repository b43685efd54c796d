"""The race's waiting endpoints (long poll, event stream) served without a thread each.

Under Django's own ASGI handler a request that meets synchronous code gets a thread of
its own (asgiref's ThreadSensitiveContext) for as long as the request lasts, and three
of the site's middlewares are synchronous (WhiteNoise's among them). For pages that is
a moment; for a long poll it is a thread per waiting visitor: 40 waiting long polls
held 41 threads in one server process. So these two URLs go to Django's handler
without the site's middleware (nothing in it concerns them: no static files, no
session, no HTML to secure) and without the per-request thread context: the views are
the same async views, resolved by the same URLconf, and the little synchronous work
they cause (cache calls, the request signals) shares asgiref's one thread.
"""

import re

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response

WAITING = re.compile(r"^/tools/race/[^/]+/(?:events|long-poll)$")


class WaitingHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response_async)

    async def __call__(self, scope, receive, send):
        await self.handle(scope, receive, send)


def serve_waiting_requests(app):
    """ASGI middleware: the race's waiting endpoints to WaitingHandler, the rest to `app`."""
    waiting = WaitingHandler()

    async def route(scope, receive, send):
        if scope["type"] == "http" and WAITING.match(scope["path"]):
            return await waiting(scope, receive, send)
        return await app(scope, receive, send)

    return route
