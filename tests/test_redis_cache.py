"""The Redis cache (website/cache.py): requests share the process's connections to Redis."""

import asyncio
import contextvars

import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.cache import caches


def connections_received(server):
    import redis

    with redis.Redis.from_url(server.url) as client:
        return client.info("stats")["total_connections_received"]


async def as_a_request_does(operation, *args):
    """Runs a cache operation as a server runs a request's code: a task of its own (with a
    context of its own, where Django makes its cache objects), then Django's ASGI handler's
    thread for it."""

    async def request():
        async with ThreadSensitiveContext():
            return await sync_to_async(getattr(caches["default"], operation))(*args)

    return await asyncio.create_task(request(), context=contextvars.Context())


@pytest.fixture
def redis_cache(settings, private_redis):
    settings.CACHES = {
        "default": {"BACKEND": "website.cache.ProcessRedisCache", "LOCATION": private_redis.url}
    }
    return private_redis


async def test_requests_share_the_process_s_connection_to_redis(redis_cache):
    await as_a_request_does("set", "greeting", "hello")
    before = connections_received(redis_cache)
    for _ in range(20):
        assert await as_a_request_does("get", "greeting") == "hello"
    assert connections_received(redis_cache) - before <= 1
