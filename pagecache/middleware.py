"""The response cache as ASGI middleware, in front of Django's HTTP application.

A cached page is answered here in a few microseconds, without crossing Django's
middleware stack or its sync-to-async thread hops. Plain Python, no Django imports:
pagecache/policy.py says what may be cached, pagecache/store.py keeps it, and
pagecache/invalidation.py records what each response was built from and drops the
entries a change affects.
"""

import asyncio
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from pagecache.policy import CACHEABLE_METHODS, CachePolicy
from pagecache.refresh import Refresher, refreshes_started
from pagecache.store import MISS, build_variants

logger = logging.getLogger("pagecache")

# What the response being rendered was built from. The middleware sets a fresh set
# for each cacheable request; pagecache/invalidation.py adds tags to it while Django
# renders ("page:12", "guides.author:3", ...). Django's sync-to-async threads copy
# the context, so they add to the same set.
dependencies: ContextVar[set | None] = ContextVar("response_cache_dependencies", default=None)


@contextmanager
def not_recorded():
    """What loads inside is not recorded as a dependency of the response being rendered:
    for values kept across requests, whose users record what they show of them."""
    token = dependencies.set(None)
    try:
        yield
    finally:
        dependencies.reset(token)


NO_BODY = {"type": "http.response.body", "body": b""}  # a HEAD request's answer from the store


def request_headers(scope):
    """Lower-case header names to values (bytes); repeated headers are joined."""
    raw = scope["headers"]
    headers = dict(raw)
    if len(headers) == len(raw):
        return headers
    headers = {}
    for name, value in raw:
        if name in headers:
            headers[name] += (b"; " if name == b"cookie" else b", ") + value
        else:
            headers[name] = value
    return headers


class ResponseCache:
    """ASGI middleware for the HTTP path: answers cacheable requests from `store` and
    stores what Django answers when the rules allow.

    `on_start` runs once, on the first request (the invalidation listener starts
    there, in the server process rather than at import), and so does the refresher
    that renders stale pages again (pagecache/refresh.py). `finalize_tags` turns the
    dependency set recorded during a render into the entry's tags.

    A request that may change content (any method but GET and HEAD: an editor's publish)
    gets its response's last message only once the pages its change made stale have been
    rendered again (at most `refresh_wait` seconds, for a change that affects many pages
    on a loaded machine): the editor's next look at the site,
    like every reader's, is answered from the store with the new text.
    """

    def __init__(
        self, app, store, policy=None, on_start=None, finalize_tags=frozenset, refresh_wait=20.0
    ):
        self.app = app
        self.store = store
        self.policy = policy or CachePolicy()
        self.on_start = on_start
        self.finalize_tags = finalize_tags
        self.refresh_wait = refresh_wait
        self.refresher = Refresher(store, self.refresh)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.refresher.loop is None:
            self.refresher.start(asyncio.get_running_loop())
            if self.on_start is not None:
                self.on_start()
        method, path, query = scope["method"], scope["path"], scope["query_string"]
        headers = request_headers(scope)
        if method not in CACHEABLE_METHODS:
            return await self._change(scope, receive, send)
        if not self.policy.request_is_cacheable(method, path, query, headers):
            return await self.app(scope, receive, send)
        key = (
            headers.get(b"x-forwarded-proto") or scope.get("scheme", "http"),
            headers.get(b"host", b"").lower(),
            path,
            query,
        )
        entry = self.store.get(key, headers)
        if entry is not None:
            start, body = entry.messages_for(headers.get(b"accept-encoding"))
            await send(start)
            await send(NO_BODY if method == "HEAD" else body)
            return None
        if method == "HEAD":
            return await self.app(scope, receive, send)
        await self._render_and_store(scope, receive, send, key, headers)
        return None

    async def _change(self, scope, receive, send):
        """A request that may change content: see the class docstring."""
        started = []
        token = refreshes_started.set(started)
        holder = LastMessageHeld(send)
        try:
            await self.app(scope, receive, holder)
        finally:
            refreshes_started.reset(token)
            if started:
                await asyncio.wait(map(asyncio.wrap_future, started), timeout=self.refresh_wait)
            await holder.release()

    async def refresh(self, slot, entry):
        """Render a stale entry's URL again, as the anonymous request it was stored
        from; True when the new response replaced it."""
        key, vary_values = slot
        scheme, host, path, query = key
        headers = [(b"host", host)]
        if isinstance(scheme, bytes):  # the key took it from X-Forwarded-Proto
            headers.append((b"x-forwarded-proto", scheme))
            scheme = scheme.decode("latin-1")
        for name, value in zip(self.store.vary_names(key), vary_values, strict=False):
            if value is not None:
                headers.append((name, value))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": scheme,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }

        requests = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if requests:
                return requests.pop()
            await asyncio.Event().wait()  # no disconnect: Django cancels this when done

        async def discard(message):
            pass

        return await self._render_and_store(scope, receive, discard, key, dict(headers))

    async def _render_and_store(self, scope, receive, send, key, headers):
        """Pass the request to Django, forwarding its response as it comes while keeping
        a copy; store the copy (with its compressed variants) if the rules allow.
        Returns whether it was stored."""
        generation = self.store.generation
        recorded = set()
        token = dependencies.set(recorded)
        responder = Responder(send, self.policy, request_has_cookies=b"cookie" in headers)
        try:
            await self.app(scope, receive, responder)
        finally:
            dependencies.reset(token)
        if not (responder.storable and responder.complete):
            return False
        body = b"".join(responder.body)
        tags = self.finalize_tags(recorded)
        try:
            variants = await asyncio.to_thread(build_variants, responder.headers, body)
        except Exception:  # A cache must never break the response it copied.
            logger.exception("could not prepare a response for the cache")
            return False
        return self.store.put(
            key, headers, responder.status, responder.headers, variants, tags, generation
        )


class LastMessageHeld:
    """The `send` of a request that may change content: forwards every message but the
    one that ends the response, which `release()` sends."""

    def __init__(self, send):
        self.send = send
        self.held = None

    async def __call__(self, message):
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            self.held = message
            return
        await self.send(message)

    async def release(self):
        if self.held is not None:
            held, self.held = self.held, None
            await self.send(held)


class Responder:
    """The `send` of one request passed to Django: forwards each message at once, marks
    the response as a miss, and keeps a copy of it while it may still be stored."""

    def __init__(self, send, policy, request_has_cookies):
        self.send = send
        self.policy = policy
        self.request_has_cookies = request_has_cookies
        self.storable = False
        self.complete = False  # the whole body has been copied
        self.status = 0
        self.headers = []
        self.body = []
        self.size = 0

    async def __call__(self, message):
        kind = message["type"]
        if kind == "http.response.start":
            message = self.start(message)
        elif kind == "http.response.body":
            self.keep(message)
        else:
            self.storable = False  # trailers, pathsend...: not ours to copy
        await self.send(message)

    def start(self, message):
        self.status = message["status"]
        self.headers = list(message.get("headers", ()))
        by_name = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.headers
        }
        self.storable = self.policy.response_is_storable(
            self.status, by_name, self.request_has_cookies
        )
        return {**message, "headers": [*self.headers, (b"cache-status", MISS)]}

    def keep(self, message):
        if not self.storable:
            return
        body = message.get("body", b"")
        self.body.append(body)
        self.size += len(body)
        if self.size > self.policy.max_entry_bytes:
            self.storable = False
            self.body = []
        elif not message.get("more_body", False):
            self.complete = True
