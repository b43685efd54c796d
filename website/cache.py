"""Django's Redis cache with one client, and so one connection pool, per server process.

Django keeps a cache object per asyncio context, and its ASGI handler runs each request in
a context of its own (`ThreadSensitiveContext`): with Django's own backend every request
made a new client, a new pool and a new connection to Redis, used for one `get` (Wagtail
reads its site root paths from the cache on every page it serves) and left for the
garbage collector to close. That was about a millisecond of every uncached render
(docs/page-performance.md). redis-py's pools are thread-safe, so the process shares them.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients = {}
_lock = threading.Lock()


class ProcessRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, same settings, with its client kept
    for the process: cache objects made for the same servers and options share it."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._client_key = (tuple(self._servers), repr(sorted(self._options.items())))

    @property
    def _cache(self):
        client = _clients.get(self._client_key)
        if client is None:
            with _lock:
                client = _clients.get(self._client_key)
                if client is None:
                    client = RedisCacheClient(self._servers, **self._options)
                    _clients[self._client_key] = client
        return client
