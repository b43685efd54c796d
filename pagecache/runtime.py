"""This process's response store and invalidation bus, built on first use.

Importing the app builds nothing: a management command that never publishes a change
never opens a Redis connection, and a server builds both when website/asgi.py puts the
cache in front of Django (pagecache/asgi.py).
"""

import functools
import os

from django.conf import settings

from pagecache.bus import LocalBus, RedisBus
from pagecache.store import ResponseStore

# Not a setting: `manage.py serve` tells the server processes it starts how many there
# are (pagecache/mode.py decides from it whether they may cache without Redis).
SERVER_PROCESSES = "PAGECACHE_SERVER_PROCESSES"


def declare_server_processes(count):
    """Called by `manage.py serve` before its workers load the application; a worker it
    starts keeps its parent's count."""
    os.environ.setdefault(SERVER_PROCESSES, str(count))


def declared_server_processes():
    """How many server processes `manage.py serve` started; None if it did not start this one."""
    value = os.environ.get(SERVER_PROCESSES, "")
    return int(value) if value.isdigit() else None


@functools.cache
def store():
    return ResponseStore(
        max_bytes=settings.RESPONSE_CACHE_MAX_BYTES, max_age=settings.RESPONSE_CACHE_MAX_AGE
    )


@functools.cache
def bus():
    """RedisBus with REDIS_URL (every process hears every change), else LocalBus."""
    if settings.REDIS_URL:
        return RedisBus(store(), settings.REDIS_URL, settings.RESPONSE_CACHE_CHANNEL)
    return LocalBus(store())


def change_generation():
    """A number that moves whenever this process hears of a change that invalidates
    pages (any page, setting, snippet or Site saved or deleted, in any process), or None
    while it cannot be sure to hear of every one: without REDIS_URL (a change made by
    another process goes unheard), or while the Redis subscription is not confirmed.
    What is kept across requests stays valid while it has not moved (website/process_cache.py).
    Starts the bus's listener on first use, as the response cache does at start-up."""
    if not settings.REDIS_URL:
        return None
    listener = bus()
    listener.start()
    responses = store()
    if not listener.subscribed.is_set() or not responses.accepting:
        return None
    return responses.generation
