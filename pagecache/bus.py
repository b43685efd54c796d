"""How an invalidation reaches every server process's response store.

LocalBus applies it in this process only (one process, no Redis). RedisBus applies
it here at once and publishes it on a Redis channel every process subscribes to.
While a process's subscription is down it could miss a message, so its store
refuses new entries and is emptied when the subscription comes back.
"""

import json
import logging
import threading
import time
import uuid

import redis

from pagecache.store import Invalidation

logger = logging.getLogger("pagecache")


class LocalBus:
    def __init__(self, store):
        self.store = store

    def start(self):
        pass

    def publish(self, invalidation):
        self.store.invalidate(invalidation)


class RedisBus:
    def __init__(self, store, url, channel, ping_interval=5.0):
        self.store = store
        self.url = url
        self.channel = channel
        self.ping_interval = ping_interval
        self.origin = uuid.uuid4().hex
        self.subscribed = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._publisher = None
        store.accepting = False  # until the subscription is confirmed

    def publish(self, invalidation):
        self.store.invalidate(invalidation)
        message = json.dumps({**invalidation.as_message(), "origin": self.origin})
        try:
            if self._publisher is None:
                self._publisher = redis.Redis.from_url(
                    self.url, socket_timeout=2, socket_connect_timeout=2
                )
            self._publisher.publish(self.channel, message)
        except redis.RedisError as error:
            # Other processes' listeners are most likely cut off too, and empty their
            # stores when they reconnect.
            logger.error(
                "could not publish a cache invalidation",
                extra={"event": "cache_invalidation_lost", "error": str(error)},
            )

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._listen, name="response-cache-invalidations", daemon=True
            )
            self._thread.start()

    def stop(self, timeout=5.0):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _listen(self):
        delay = 0.1
        while not self._stopping.is_set():
            try:
                self._subscribe_and_apply()
            except Exception as error:
                logger.warning(
                    "cache invalidation channel lost; the response cache is paused",
                    extra={"event": "cache_channel_lost", "error": str(error)},
                )
            else:
                delay = 0.1
            self.subscribed.clear()
            self.store.accepting = False
            self.store.clear()
            self._stopping.wait(delay)
            delay = min(delay * 2, 5.0)

    def _subscribe_and_apply(self):
        client = redis.Redis.from_url(
            self.url, socket_timeout=10, socket_connect_timeout=2, socket_keepalive=True
        )
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            heard, pinged = time.monotonic(), None
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=0.5)
                now = time.monotonic()
                if message is None:
                    if pinged is not None and now - pinged > self.ping_interval:
                        raise ConnectionError("Redis did not answer a ping")
                    if pinged is None and now - heard > self.ping_interval:
                        pubsub.ping()
                        pinged = now
                    continue
                heard, pinged = now, None
                if message["type"] == "subscribe":
                    self.store.clear()
                    self.store.accepting = True
                    self.subscribed.set()
                elif message["type"] == "message":
                    self._apply(message["data"])
        finally:
            pubsub.close()
            client.close()

    def _apply(self, data):
        try:
            message = json.loads(data)
            invalidation = Invalidation.from_message(message)
        except (ValueError, TypeError, AttributeError):
            logger.error("unreadable cache invalidation; dropping every entry")
            self.store.clear()
            return
        if message.get("origin") != self.origin:
            self.store.invalidate(invalidation)
