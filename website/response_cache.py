"""A store of whole HTTP responses, consulted in ASGI middleware before Django.

A cached page is answered here in a few microseconds, without crossing Django's
middleware stack or its sync-to-async thread hops. Everything in this module is
plain Python (no Django imports): the rules for what may be cached, the bounded
store, content negotiation and the middleware itself. website/invalidation.py
connects it to Django and Wagtail: it records what each response was built from
and drops the entries a change affects.

The rules, in short:

- Requests: GET and HEAD only; never for the bypassed paths (the admin, previews,
  documents, static files, health checks), never with a session cookie or an
  Authorization header, never for a search with a query string.
- Responses: stored only when they are a 200 with no Set-Cookie, no
  `Cache-Control: private/no-store/no-cache`, no `Vary: *`, no Content-Encoding
  and a body under the size limit. A response that varies on Cookie is stored
  only for a request without cookies and served only to requests without cookies.
- Stored responses keep every header Django set. Brotli and gzip variants are made
  once, when a response is stored, and chosen by Accept-Encoding.
"""

import asyncio
import gzip
import logging
import threading
import time
from collections import OrderedDict, deque
from contextvars import ContextVar
from dataclasses import dataclass

import brotli

logger = logging.getLogger("website.response_cache")

CACHE_NAME = "wsref"
HIT = f"{CACHE_NAME}; hit".encode()
MISS = f"{CACHE_NAME}; fwd=miss".encode()

# What the response being rendered was built from. The middleware sets a fresh set
# for each cacheable request; website/invalidation.py adds tags to it while Django
# renders ("page:12", "guides.author:3", ...). Django's sync-to-async threads copy
# the context, so they add to the same set.
dependencies: ContextVar[set | None] = ContextVar("response_cache_dependencies", default=None)

COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/manifest+json",
    "image/svg+xml",
)
MIN_COMPRESS_BYTES = 256
BROTLI_QUALITY = 11  # Once per stored response, off the event loop: the smallest output.
GZIP_LEVEL = 9


# Content negotiation -----------------------------------------------------------------


def parse_accept_encoding(value):
    """{coding: q} from an Accept-Encoding header; malformed entries are ignored."""
    preferences = {}
    for part in value.split(","):
        coding, _, params = part.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = -1.0
        if 0.0 <= quality <= 1.0:
            preferences[coding] = quality
    return preferences


def choose_encoding(accept_encoding, available=("br", "gzip")):
    """The coding to send: the client's most preferred of `available` (ties go to the
    order of `available`), or None for the identity body."""
    if not accept_encoding:
        return None
    preferences = parse_accept_encoding(accept_encoding)
    wildcard = preferences.get("*", 0.0)
    best, best_quality = None, 0.0
    for coding in available:
        quality = preferences.get(coding, wildcard)
        if quality > best_quality:
            best, best_quality = coding, quality
    return best


_chosen = {}


def encoding_for(accept_encoding):
    """choose_encoding() for a raw header value, remembered: browsers send a handful of
    distinct values, and parsing one costs more than the rest of a cache hit."""
    try:
        return _chosen[accept_encoding]
    except KeyError:
        pass
    if len(_chosen) >= 512:
        _chosen.clear()
    coding = _chosen[accept_encoding] = choose_encoding(
        accept_encoding.decode("latin-1") if accept_encoding else ""
    )
    return coding


# Rules ----------------------------------------------------------------------------------


def cookie_names(header):
    """The names in a Cookie header."""
    return {part.split("=", 1)[0].strip() for part in header.split(";") if part.strip()}


def header_tokens(value):
    """Lower-cased comma-separated tokens of a header such as Vary or Cache-Control."""
    return {token.strip().lower() for token in value.split(",") if token.strip()}


@dataclass(frozen=True)
class CachePolicy:
    """Which requests may be answered from the store and which responses may enter it."""

    # Never cached: the admin, previews (under /admin/), documents (may be private),
    # static files (WhiteNoise answers them) and health checks.
    bypass_prefixes: tuple = (
        "/admin/",
        "/django-admin/",
        "/documents/",
        "/static/",
        "/media/",
        "/healthz",
        "/readyz",
    )
    # Cached only without a query string: a search is one person's question.
    query_bypass_prefixes: tuple = ("/search/",)
    # Cookies that mean "this visitor may see something personal": a session (an
    # editor) or a pending flash message. A csrftoken alone does not.
    bypass_cookies: frozenset = frozenset({"sessionid", "messages"})
    max_entry_bytes: int = 1024 * 1024

    def request_is_cacheable(self, method, path, query_string, headers):
        """`headers` maps lower-case header names (bytes) to values (bytes)."""
        if method not in ("GET", "HEAD"):
            return False
        if path.startswith(self.bypass_prefixes):
            return False
        if query_string and path.startswith(self.query_bypass_prefixes):
            return False
        if b"authorization" in headers:
            return False
        cookie = headers.get(b"cookie")
        return not (cookie and cookie_names(cookie.decode("latin-1")) & self.bypass_cookies)

    def response_is_storable(self, status, headers, request_has_cookies):
        """`headers` maps lower-case header names (str) to values (str)."""
        if status != 200:
            return False
        if "set-cookie" in headers or "content-encoding" in headers:
            return False
        cache_control = header_tokens(headers.get("cache-control", ""))
        if cache_control & {"private", "no-store", "no-cache", "max-age=0", "s-maxage=0"}:
            return False
        vary = header_tokens(headers.get("vary", ""))
        if "*" in vary:
            return False
        # Django says Vary: Cookie when the session or CSRF token was read: the page is
        # right for these cookies only. Keep it for the common case, no cookies at all.
        return not ("cookie" in vary and request_has_cookies)


# Stored responses -----------------------------------------------------------------------


def _is_compressible(content_type, body):
    return len(body) >= MIN_COMPRESS_BYTES and content_type.split(";")[
        0
    ].strip().lower().startswith(COMPRESSIBLE_TYPES)


class Variant:
    """One encoding of a stored response: the headers to send and the body."""

    __slots__ = ("body", "headers")

    def __init__(self, headers, body):
        self.headers = headers
        self.body = body


class Entry:
    """A stored response: its variants by coding (None = identity), what it was
    built from (tags) and where it lives (key, vary values)."""

    __slots__ = ("expires", "key", "path", "size", "status", "tags", "variants", "vary_values")

    def __init__(self, key, vary_values, status, variants, tags, expires):
        self.key = key
        self.path = key[2]
        self.vary_values = vary_values
        self.status = status
        self.variants = variants
        self.tags = tags
        self.expires = expires
        self.size = 512 + sum(
            len(variant.body) + sum(len(n) + len(v) for n, v in variant.headers)
            for variant in variants.values()
        )

    def variant_for(self, accept_encoding):
        if len(self.variants) == 1:
            return self.variants[None]
        return self.variants.get(encoding_for(accept_encoding)) or self.variants[None]


def build_variants(headers, body, compress=True):
    """{coding: Variant} for a response: identity, plus Brotli and gzip when the type
    is compressible and compression makes it smaller. `headers` is the ASGI list of
    (name, value) byte pairs as Django sent them; every one is kept except
    Content-Length (recomputed per variant) and Vary (merged with Accept-Encoding)."""
    kept, vary, content_type = [], [], ""
    for name, value in headers:
        name = name.lower()
        if name == b"content-length":
            continue
        if name == b"vary":
            vary.extend(token.strip() for token in value.split(b",") if token.strip())
            continue
        if name == b"content-type":
            content_type = value.decode("latin-1")
        kept.append((name, value))

    bodies = {None: body}
    if compress and _is_compressible(content_type, body):
        for coding, compressed in (
            ("br", brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)),
            ("gzip", gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)),
        ):
            if len(compressed) < len(body):
                bodies[coding] = compressed
        if len(bodies) > 1 and not any(token.lower() == b"accept-encoding" for token in vary):
            vary.append(b"Accept-Encoding")
    if vary:
        kept.append((b"vary", b", ".join(vary)))

    variants = {}
    for coding, data in bodies.items():
        variant_headers = [*kept, (b"content-length", str(len(data)).encode())]
        if coding:
            variant_headers.append((b"content-encoding", coding.encode()))
        variant_headers.append((b"cache-status", HIT))
        variants[coding] = Variant(variant_headers, data)
    return variants


@dataclass(frozen=True)
class Invalidation:
    """What a change affects: entries carrying any of `tags`, entries whose path starts
    with any of `prefixes`, or everything."""

    tags: frozenset = frozenset()
    prefixes: tuple = ()
    everything: bool = False

    @classmethod
    def from_message(cls, message):
        return cls(
            tags=frozenset(message.get("tags", ())),
            prefixes=tuple(message.get("prefixes", ())),
            everything=bool(message.get("everything", False)),
        )

    def as_message(self):
        return {
            "tags": sorted(self.tags),
            "prefixes": sorted(self.prefixes),
            "everything": self.everything,
        }

    def __bool__(self):
        return bool(self.tags or self.prefixes or self.everything)

    def __or__(self, other):
        return Invalidation(
            tags=self.tags | other.tags,
            prefixes=tuple(sorted(set(self.prefixes) | set(other.prefixes))),
            everything=self.everything or other.everything,
        )

    def matches(self, path, tags):
        return self.everything or bool(self.tags & tags) or path.startswith(self.prefixes)


class ResponseStore:
    """Whole responses by URL, least recently used first out, bounded in bytes.

    Safe to use from several threads: the event loop reads it, the Redis listener and
    Django's sync threads (signal handlers) invalidate it.

    A render that started before an invalidation it is affected by must not be stored
    after it: `generation` is read when the render starts and `put` refuses the entry
    if a matching invalidation happened since (or if too many did to tell).
    """

    RECENT = 512

    def __init__(self, max_bytes=64 * 1024 * 1024, max_age=600.0, clock=time.monotonic):
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.clock = clock
        self.accepting = True  # False while invalidations could be missed (Redis down)
        self.generation = 0
        self.bytes = 0
        self._entries = OrderedDict()  # (key, vary_values) -> Entry
        self._vary = {}  # key -> [vary header names, entry count]
        self._by_tag = {}  # tag -> {(key, vary_values)}
        self._recent = deque(maxlen=self.RECENT)  # (generation, Invalidation)
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    @staticmethod
    def vary_values(names, headers):
        if not names:
            return ()
        return tuple([headers.get(name) for name in names])

    def get(self, key, headers):
        """The live entry for a request (`headers`: lower-case bytes names to values)."""
        vary = self._vary.get(key)
        if vary is None:
            return None
        slot = (key, self.vary_values(vary[0], headers))
        with self._lock:
            entry = self._entries.get(slot)
            if entry is None:
                return None
            if entry.expires <= self.clock():
                self._remove(slot)
                return None
            self._entries.move_to_end(slot)
            return entry

    def put(self, key, request_headers, status, headers, variants, tags, since_generation):
        """Store a response rendered since `since_generation`; False when refused.
        `headers` is the response's ASGI header list (for its Vary names)."""
        vary_names = tuple(
            sorted(
                {
                    token.strip().lower()
                    for name, value in headers
                    if name.lower() == b"vary"
                    for token in value.split(b",")
                    if token.strip() and token.strip().lower() != b"accept-encoding"
                }
            )
        )
        slot = (key, self.vary_values(vary_names, request_headers))
        entry = Entry(key, slot[1], status, variants, frozenset(tags), self.clock() + self.max_age)
        if entry.size > self.max_bytes:
            return False
        with self._lock:
            if not self.accepting or self._invalidated_since(since_generation, entry):
                return False
            current = self._vary.get(key)
            if current is not None and current[0] != vary_names:
                # The page now varies on other headers: forget the old variants.
                for old in [s for s in self._entries if s[0] == key]:
                    self._remove(old)
            if slot in self._entries:
                self._remove(slot)
            self._entries[slot] = entry
            self.bytes += entry.size
            record = self._vary.setdefault(key, [vary_names, 0])
            record[1] += 1
            for tag in entry.tags:
                self._by_tag.setdefault(tag, set()).add(slot)
            while self.bytes > self.max_bytes:
                self._remove(next(iter(self._entries)))
        return True

    def _invalidated_since(self, generation, entry):
        if generation == self.generation:
            return False
        if not self._recent or self._recent[0][0] > generation + 1:
            return True  # Older than what is remembered: assume the worst.
        return any(
            number > generation and invalidation.matches(entry.path, entry.tags)
            for number, invalidation in self._recent
        )

    def invalidate(self, invalidation):
        """Drop what `invalidation` affects; returns how many entries went."""
        with self._lock:
            self.generation += 1
            self._recent.append((self.generation, invalidation))
            if invalidation.everything:
                dropped = len(self._entries)
                self._clear()
                return dropped
            slots = set()
            for tag in invalidation.tags:
                slots.update(self._by_tag.get(tag, ()))
            if invalidation.prefixes:
                slots.update(
                    s for s, e in self._entries.items() if e.path.startswith(invalidation.prefixes)
                )
            for slot in slots:
                self._remove(slot)
            return len(slots)

    def clear(self):
        self.invalidate(Invalidation(everything=True))

    def _clear(self):
        self._entries.clear()
        self._vary.clear()
        self._by_tag.clear()
        self.bytes = 0

    def _remove(self, slot):
        entry = self._entries.pop(slot, None)
        if entry is None:
            return
        self.bytes -= entry.size
        record = self._vary.get(entry.key)
        if record is not None:
            record[1] -= 1
            if record[1] <= 0:
                del self._vary[entry.key]
        for tag in entry.tags:
            slots = self._by_tag.get(tag)
            if slots is not None:
                slots.discard(slot)
                if not slots:
                    del self._by_tag[tag]

    def stats(self):
        return {"entries": len(self._entries), "bytes": self.bytes, "generation": self.generation}


# The middleware ---------------------------------------------------------------------------


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
    there, in the server process rather than at import). `finalize_tags` turns the
    dependency set recorded during a render into the entry's tags.
    """

    def __init__(self, app, store, policy=None, on_start=None, finalize_tags=frozenset):
        self.app = app
        self.store = store
        self.policy = policy or CachePolicy()
        self.on_start = on_start
        self.finalize_tags = finalize_tags

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.on_start is not None:
            on_start, self.on_start = self.on_start, None
            on_start()
        method, path, query = scope["method"], scope["path"], scope["query_string"]
        headers = request_headers(scope)
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
            variant = entry.variant_for(headers.get(b"accept-encoding"))
            await send(
                {"type": "http.response.start", "status": entry.status, "headers": variant.headers}
            )
            await send(
                {"type": "http.response.body", "body": b"" if method == "HEAD" else variant.body}
            )
            return None
        if method == "HEAD":
            return await self.app(scope, receive, send)
        return await self._render_and_store(scope, receive, send, key, headers)

    async def _render_and_store(self, scope, receive, send, key, headers):
        """Pass the request to Django, forwarding its response as it comes while keeping
        a copy; store the copy (with its compressed variants) if the rules allow."""
        generation = self.store.generation
        recorded = set()
        token = dependencies.set(recorded)
        response = {"storable": False, "status": 0, "headers": [], "body": [], "size": 0}
        limit = self.policy.max_entry_bytes

        async def send_and_keep(message):
            kind = message["type"]
            if kind == "http.response.start":
                response_headers = list(message.get("headers", ()))
                by_name = {
                    name.decode("latin-1").lower(): value.decode("latin-1")
                    for name, value in response_headers
                }
                response["status"] = message["status"]
                response["headers"] = response_headers
                response["storable"] = self.policy.response_is_storable(
                    message["status"], by_name, b"cookie" in headers
                )
                message = {**message, "headers": [*response_headers, (b"cache-status", MISS)]}
            elif kind == "http.response.body":
                if response["storable"]:
                    body = message.get("body", b"")
                    response["body"].append(body)
                    response["size"] += len(body)
                    if response["size"] > limit:
                        response["storable"] = False
                        response["body"] = []
                    if not message.get("more_body", False):
                        response["complete"] = True
            else:
                response["storable"] = False  # trailers, pathsend...: not ours to copy
            await send(message)

        try:
            await self.app(scope, receive, send_and_keep)
        finally:
            dependencies.reset(token)
        if not (response["storable"] and response.get("complete")):
            return None
        body = b"".join(response["body"])
        tags = self.finalize_tags(recorded)
        try:
            variants = await asyncio.to_thread(build_variants, response["headers"], body)
        except Exception:  # A cache must never break the response it copied.
            logger.exception("could not prepare a response for the cache")
            return None
        self.store.put(
            key, headers, response["status"], response["headers"], variants, tags, generation
        )
        return None
