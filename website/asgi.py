"""ASGI entry point: HTTP goes to Django, WebSockets to the Channels routes."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.dev")

# Build Django's application first: it sets up the app registry that the
# consumers' imports rely on.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

import echo.routing  # noqa: E402
import race.routing  # noqa: E402
from pagecache.asgi import cache_responses  # noqa: E402
from race.asgi import serve_waiting_requests  # noqa: E402
from website.executor import UseRequestLifecycleExecutor  # noqa: E402
from website.request_threads import KeepRequestThreads  # noqa: E402

# Anonymous pages are answered from the response cache first, before any routing: a
# cached page costs the cache's lookup and nothing else (docs/page-performance.md). The
# cache passes WebSockets and every other request on.
application = cache_responses(
    ProtocolTypeRouter(
        {
            # The race's long polls and event streams wait without a thread each; other
            # requests run their sync code on kept threads, which keep their database
            # connection (website/request_threads.py).
            "http": UseRequestLifecycleExecutor(
                serve_waiting_requests(
                    KeepRequestThreads(django_asgi_app, size=settings.REQUEST_THREADS)
                )
            ),
            "websocket": URLRouter(
                # Echo's routes end with a catch-all that refuses unknown paths: last.
                race.routing.websocket_urlpatterns + echo.routing.websocket_urlpatterns
            ),
        }
    )
)
