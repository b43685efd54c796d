"""The response cache in front of Django's HTTP application (used by website/asgi.py)."""

import logging

from django.conf import settings

from pagecache import runtime
from pagecache.invalidation import finalize_tags
from pagecache.middleware import ResponseCache
from pagecache.mode import decide
from pagecache.policy import BYPASS_COOKIES, CachePolicy

logger = logging.getLogger("pagecache")


def cache_responses(app):
    """`app` behind the response cache where this process may cache (pagecache/mode.py),
    else `app` itself; either way the log says which and why."""
    mode = decide(
        debug=settings.DEBUG,
        enabled=settings.RESPONSE_CACHE,
        redis_url=settings.REDIS_URL,
        server_processes=runtime.declared_server_processes(),
        max_age=settings.RESPONSE_CACHE_MAX_AGE,
        channel=settings.RESPONSE_CACHE_CHANNEL,
    )
    logger.log(mode.level, mode.reason, extra={"event": mode.event})
    if not mode.on:
        return app
    policy = CachePolicy(bypass_cookies=BYPASS_COOKIES | {settings.SESSION_COOKIE_NAME})
    bus = runtime.bus()
    return ResponseCache(
        app, runtime.store(), policy, on_start=bus.start, finalize_tags=finalize_tags
    )
