"""The store of whole responses: bounded in bytes, expiring, invalidated by tag or path.

Plain Python, no Django imports. A stored response keeps every header Django set;
its Brotli and gzip variants are made once, when it is stored, and chosen per
request by Accept-Encoding.
"""

import gzip
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

import brotli

CACHE_NAME = "wsref"
HIT = f"{CACHE_NAME}; hit".encode()  # Cache-Status (RFC 9211) of an answer from the store
MISS = f"{CACHE_NAME}; fwd=miss".encode()

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

    __slots__ = (
        "key",
        "messages",
        "path",
        "read",
        "read_at",
        "serve_until",
        "size",
        "stale_since",
        "tags",
        "variants",
        "vary_values",
    )

    def __init__(self, key, vary_values, status, variants, tags, stored_at, expires):
        self.key = key
        self.path = key[2]
        self.vary_values = vary_values
        self.variants = variants
        self.tags = tags
        self.serve_until = expires  # sooner once stale: see ResponseStore.invalidate
        self.stale_since = None  # when a change made it stale; served until replaced
        self.read = False  # since it was stored or last spared from eviction
        self.read_at = stored_at
        # The two ASGI messages of each variant, built once and sent as they are on every
        # hit: a server reads the messages an application sends, it does not change them.
        self.messages = {
            coding: (
                {"type": "http.response.start", "status": status, "headers": variant.headers},
                {"type": "http.response.body", "body": variant.body},
            )
            for coding, variant in variants.items()
        }
        self.size = 512 + sum(
            len(variant.body) + sum(len(n) + len(v) for n, v in variant.headers)
            for variant in variants.values()
        )

    def messages_for(self, accept_encoding):
        """(start, body) messages of the variant for a request's Accept-Encoding."""
        messages = self.messages
        if len(messages) == 1:
            return messages[None]
        return messages.get(encoding_for(accept_encoding)) or messages[None]


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
    with any of `prefixes`, or everything.

    `refresh`: the affected entries may be served until a new render replaces them (an
    edit, a publish, a move). Without it they go at once (a page made private, a Site
    changed): readers must not see the old copy even for the time of a render."""

    tags: frozenset = frozenset()
    prefixes: tuple = ()
    everything: bool = False
    refresh: bool = False

    @classmethod
    def from_message(cls, message):
        return cls(
            tags=frozenset(message.get("tags", ())),
            prefixes=tuple(message.get("prefixes", ())),
            everything=bool(message.get("everything", False)),
            refresh=bool(message.get("refresh", False)),
        )

    def as_message(self):
        return {
            "tags": sorted(self.tags),
            "prefixes": sorted(self.prefixes),
            "everything": self.everything,
            "refresh": self.refresh,
        }

    def __bool__(self):
        return bool(self.tags or self.prefixes or self.everything)

    def __or__(self, other):
        return Invalidation(
            tags=self.tags | other.tags,
            prefixes=tuple(sorted(set(self.prefixes) | set(other.prefixes))),
            everything=self.everything or other.everything,
            refresh=self.refresh and other.refresh,
        )

    def matches(self, path, tags):
        return self.everything or bool(self.tags & tags) or path.startswith(self.prefixes)


class ResponseStore:
    """Whole responses by URL, bounded in bytes: when it is full, the oldest entry not
    read since it was stored goes first (a read one is spared once: "second chance",
    least recently used without reordering on every read).

    Safe to use from several threads: the event loop reads it, the Redis listener and
    Django's sync threads (signal handlers) invalidate it. Reads take no lock: a hit is
    one dictionary lookup, atomic under the GIL, and two attribute stores.

    A render that started before an invalidation it is affected by must not be stored
    after it: `generation` is read when the render starts and `put` refuses the entry
    if a matching invalidation happened since (or if too many did to tell).

    With `on_stale` set (a server's refresher, pagecache/refresh.py), a `refresh`
    invalidation keeps the entries it affects, marked stale, and hands them to
    `on_stale` to render again: readers get the old copy until the new one replaces it,
    never a render of their own. A stale entry not replaced within `stale_limit`
    seconds goes, so a refresher that falls behind cannot keep old pages alive.
    """

    RECENT = 512

    def __init__(
        self,
        max_bytes=64 * 1024 * 1024,
        max_age=600.0,
        clock=time.monotonic,
        stale_limit=10.0,
    ):
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.clock = clock
        self.accepting = True  # False while invalidations could be missed (Redis down)
        self.stale_limit = stale_limit
        self.on_stale = None  # called with the slots a refresh invalidation made stale
        self.generation = 0
        self.bytes = 0
        self._entries = OrderedDict()  # (key, vary_values) -> Entry
        # key -> (vary header names, {vary values: entry}): a hit finds its entry by the
        # key, then by the request's values of the headers the key's responses vary on.
        self._vary = {}
        self._by_tag = {}  # tag -> {(key, vary_values)}
        self._recent = deque(maxlen=self.RECENT)  # (generation, Invalidation)
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    @staticmethod
    def vary_values(names, headers):
        if not names:
            return ()
        if len(names) == 1:  # Vary: Cookie, most pages: a third of tuple(map(...))'s time
            return (headers.get(names[0]),)
        return tuple(map(headers.get, names))

    def get(self, key, headers):
        """The live entry for a request (`headers`: lower-case bytes names to values)."""
        record = self._vary.get(key)
        if record is None:
            return None
        names, entries = record
        vary_values = self.vary_values(names, headers)
        entry = entries.get(vary_values)
        if entry is None:
            return None
        now = self.clock()
        if now < entry.serve_until:
            entry.read, entry.read_at = True, now
            return entry
        slot = (key, vary_values)
        with self._lock:  # expired, or stale for too long
            if self._entries.get(slot) is entry:
                self._remove(slot)
        return None

    def stale_entry(self, slot):
        """The entry in `slot` if it is still there and stale (a refresher's next job)."""
        entry = self._entries.get(slot)
        return entry if entry is not None and entry.stale_since is not None else None

    def vary_names(self, key):
        record = self._vary.get(key)
        return record[0] if record else ()

    def discard(self, slot):
        """Drop a stale entry whose new render cannot be stored (the page is gone, now
        redirects, or failed): the old copy must not outlive the page."""
        with self._lock:
            entry = self._entries.get(slot)
            if entry is not None and entry.stale_since is not None:
                self._remove(slot)

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
        now = self.clock()
        entry = Entry(key, slot[1], status, variants, frozenset(tags), now, now + self.max_age)
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
            self._vary.setdefault(key, (vary_names, {}))[1][slot[1]] = entry
            for tag in entry.tags:
                self._by_tag.setdefault(tag, set()).add(slot)
            while self.bytes > self.max_bytes:
                oldest, candidate = next(iter(self._entries.items()))
                if candidate.read:
                    candidate.read = False
                    self._entries.move_to_end(oldest)
                else:
                    self._remove(oldest)
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
        """Drop what `invalidation` affects, or mark it stale for a refresher (see the
        class docstring); returns how many entries it affected."""
        on_stale = self.on_stale if invalidation.refresh else None
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
            if on_stale is None:
                for slot in slots:
                    self._remove(slot)
                return len(slots)
            now = self.clock()
            for slot in slots:
                entry = self._entries[slot]
                if entry.stale_since is None:
                    entry.stale_since = now
                    entry.serve_until = min(entry.serve_until, now + self.stale_limit)
            # Most recently read first: the pages readers are on are ready soonest.
            ordered = sorted(slots, key=lambda slot: self._entries[slot].read_at, reverse=True)
        if ordered:
            on_stale(ordered)
        return len(ordered)

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
            record[1].pop(entry.vary_values, None)
            if not record[1]:
                del self._vary[entry.key]
        for tag in entry.tags:
            slots = self._by_tag.get(tag)
            if slots is not None:
                slots.discard(slot)
                if not slots:
                    del self._by_tag[tag]

    def stats(self):
        return {"entries": len(self._entries), "bytes": self.bytes, "generation": self.generation}
