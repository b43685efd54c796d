"""The response cache's rules, store and middleware, driven with a tiny ASGI app."""

import gzip
import logging

import brotli
import pytest

from pagecache.middleware import ResponseCache, dependencies
from pagecache.mode import decide
from pagecache.policy import CachePolicy
from pagecache.store import Invalidation, ResponseStore, build_variants, choose_encoding

PAGE = b"<!doctype html><title>Guide</title><p>" + b"Frames and close codes. " * 200
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Response:
    def __init__(self, messages):
        start = messages[0]
        self.status = start["status"]
        self.header_list = start["headers"]
        self.headers = {name.decode(): value.decode() for name, value in start["headers"]}
        self.body = b"".join(m.get("body", b"") for m in messages[1:])

    @property
    def from_cache(self):
        return self.headers.get("cache-status", "").endswith("hit")


class App:
    """An ASGI app answering with a fixed response (or one made from the request),
    counting its calls."""

    def __init__(self, body=PAGE, status=200, headers=(), chunks=1, respond=None):
        self.body, self.status, self.headers, self.chunks = body, status, list(headers), chunks
        self.respond = respond
        self.calls = 0
        self.during_render = None

    async def __call__(self, scope, receive, send):
        self.calls += 1
        if self.during_render:
            self.during_render()
        body, headers = self.body, self.headers
        if self.respond:
            body, headers = self.respond(scope)
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *SECURITY_HEADERS,
            *headers,
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        size = max(1, len(body) // self.chunks)
        parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        for index, part in enumerate(parts):
            await send(
                {"type": "http.response.body", "body": part, "more_body": index < len(parts) - 1}
            )


async def fetch(cache, path="/", method="GET", headers=(), query=b""):
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await cache(scope, receive, send)
    return Response(messages)


def make_cache(app=None, **store_options):
    store = ResponseStore(**store_options)
    return ResponseCache(app or App(), store), store


# Answering from the store ---------------------------------------------------------------


async def test_a_second_anonymous_request_is_answered_without_rendering_again():
    cache, _ = make_cache()
    first = await fetch(cache)
    second = await fetch(cache)
    assert cache.app.calls == 1
    assert not first.from_cache and second.from_cache
    assert second.body == first.body == PAGE


async def test_a_cached_response_keeps_every_header_the_app_set():
    cache, _ = make_cache()
    await fetch(cache)
    cached = await fetch(cache)
    for name, value in SECURITY_HEADERS:
        assert cached.headers[name.decode()] == value.decode()
    assert cached.headers["content-type"] == "text/html; charset=utf-8"


async def test_head_gets_the_headers_of_get_and_no_body():
    cache, _ = make_cache()
    get = await fetch(cache)
    head = await fetch(cache, method="HEAD")
    assert head.from_cache
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))


async def test_head_for_a_page_not_yet_stored_goes_to_the_app():
    cache, store = make_cache()
    await fetch(cache, method="HEAD")
    assert cache.app.calls == 1
    assert len(store) == 0


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip")],
)
async def test_compressed_variants_decode_to_the_page_and_state_their_own_length(
    accept_encoding, coding
):
    cache, _ = make_cache()
    await fetch(cache)
    response = await fetch(cache, headers=[(b"accept-encoding", accept_encoding.encode())])
    assert response.headers["content-encoding"] == coding
    assert response.headers["content-length"] == str(len(response.body))
    decode = brotli.decompress if coding == "br" else gzip.decompress
    assert decode(response.body) == PAGE
    assert len(response.body) < len(PAGE) / 5


async def test_a_client_that_accepts_no_compression_gets_the_identity_body():
    cache, _ = make_cache()
    await fetch(cache)
    response = await fetch(cache, headers=[(b"accept-encoding", b"identity")])
    assert "content-encoding" not in response.headers
    assert response.body == PAGE
    assert response.headers["content-length"] == str(len(PAGE))


async def test_every_variant_says_it_varies_on_accept_encoding():
    cache, _ = make_cache(App(headers=[(b"vary", b"Cookie")]))
    await fetch(cache)
    for accept in (b"", b"br", b"gzip"):
        response = await fetch(cache, headers=[(b"accept-encoding", accept)])
        assert response.headers["vary"] == "Cookie, Accept-Encoding"


def page_for_language_and_width(scope):
    headers = dict(scope["headers"])
    language, width = headers.get(b"accept-language"), headers.get(b"viewport-width")
    body = b"<p lang=" + language + b" data-width=" + width + b">" + PAGE
    return body, [(b"vary", b"Accept-Language, Viewport-Width")]


async def test_a_page_varying_on_two_headers_is_served_only_to_requests_alike_in_both():
    cache, _ = make_cache(App(respond=page_for_language_and_width))

    async def get(language, width):
        headers = [(b"accept-language", language), (b"viewport-width", width)]
        return await fetch(cache, headers=headers)

    await get(b"en", b"400")
    again = await get(b"en", b"400")
    assert again.from_cache
    for language, width in ((b"en", b"1200"), (b"fr", b"400")):
        other = await get(language, width)
        assert not other.from_cache
        assert other.body.startswith(b"<p lang=" + language + b" data-width=" + width + b">")


async def test_a_response_too_small_to_gain_from_compression_is_kept_as_it_is():
    cache, _ = make_cache(App(body=b"User-agent: *\n"))
    await fetch(cache)
    response = await fetch(cache, headers=[(b"accept-encoding", b"br")])
    assert response.from_cache
    assert "content-encoding" not in response.headers
    assert response.body == b"User-agent: *\n"


async def test_a_response_sent_in_several_chunks_is_stored_whole():
    cache, _ = make_cache(App(chunks=7))
    await fetch(cache)
    response = await fetch(cache)
    assert response.from_cache
    assert response.body == PAGE


# Who is never answered from the store ------------------------------------------------------


def personal_page(scope):
    cookie = dict(scope["headers"]).get(b"cookie", b"")
    if b"sessionid" in cookie:
        return b"<p>Hello, editor. <a>Edit this guide</a>" + PAGE, [(b"vary", b"Cookie")]
    return PAGE, [(b"vary", b"Cookie")]


async def test_a_visitor_with_a_session_cookie_is_never_served_the_cached_page():
    cache, _ = make_cache(App(respond=personal_page))
    await fetch(cache)
    await fetch(cache)
    editor = await fetch(cache, headers=[(b"cookie", b"csrftoken=abc; sessionid=s3cret")])
    assert b"Edit this guide" in editor.body
    assert "cache-status" not in editor.headers


async def test_an_editors_page_is_never_stored_for_anonymous_visitors():
    cache, _ = make_cache(App(respond=personal_page))
    await fetch(cache, headers=[(b"cookie", b"sessionid=s3cret")])
    anonymous = await fetch(cache)
    assert b"Edit this guide" not in anonymous.body


async def test_a_page_that_varies_on_cookie_is_not_served_to_a_request_with_cookies():
    cache, _ = make_cache(App(respond=personal_page))
    await fetch(cache)
    with_cookie = await fetch(cache, headers=[(b"cookie", b"csrftoken=abc")])
    assert not with_cookie.from_cache
    assert cache.app.calls == 2


async def test_a_page_that_varies_on_cookie_is_not_kept_for_each_visitors_cookies():
    cache, store = make_cache(App(respond=personal_page))
    for _ in range(2):
        await fetch(cache, headers=[(b"cookie", b"csrftoken=abc")])
    assert cache.app.calls == 2
    assert len(store) == 0


async def test_a_csrftoken_cookie_alone_still_gets_a_page_that_does_not_vary_on_cookie():
    cache, _ = make_cache()
    await fetch(cache)
    response = await fetch(cache, headers=[(b"cookie", b"csrftoken=abc")])
    assert response.from_cache


@pytest.mark.parametrize(
    ("method", "path", "query", "headers"),
    [
        ("POST", "/", b"", []),
        ("GET", "/admin/pages/", b"", []),
        ("GET", "/admin/pages/3/edit/preview/", b"mode=", []),
        ("GET", "/django-admin/", b"", []),
        ("GET", "/documents/1/spec.pdf", b"", []),
        ("GET", "/static/css/site.css", b"", []),
        ("GET", "/search/", b"q=close+codes", []),
        ("GET", "/", b"", [(b"authorization", b"Basic dXNlcjpwdw==")]),
        ("GET", "/", b"", [(b"cookie", b"messages=W10")]),
    ],
)
async def test_requests_that_may_be_personal_go_to_django_every_time(method, path, query, headers):
    cache, store = make_cache()
    for _ in range(2):
        response = await fetch(cache, path=path, method=method, query=query, headers=headers)
        assert "cache-status" not in response.headers
    assert cache.app.calls == 2
    assert len(store) == 0


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (200, [(b"set-cookie", b"csrftoken=abc; Path=/")]),
        (200, [(b"cache-control", b"private")]),
        (200, [(b"cache-control", b"max-age=0, no-cache, no-store, must-revalidate, private")]),
        (200, [(b"vary", b"*")]),
        (200, [(b"content-encoding", b"gzip")]),
        (404, []),
        (301, [(b"location", b"/guides/")]),
        (500, []),
    ],
)
async def test_responses_that_must_not_be_shared_are_never_stored(status, headers):
    cache, store = make_cache(App(status=status, headers=headers))
    await fetch(cache)
    await fetch(cache)
    assert cache.app.calls == 2
    assert len(store) == 0


async def test_a_search_page_without_a_query_is_cached():
    cache, _ = make_cache()
    await fetch(cache, path="/search/")
    assert (await fetch(cache, path="/search/")).from_cache


async def test_each_query_string_is_its_own_page():
    def echo_query(scope):
        return b"answers: " + scope["query_string"], []

    cache, _ = make_cache(App(respond=echo_query))
    await fetch(cache, path="/finder/result/", query=b"a=1")
    other = await fetch(cache, path="/finder/result/", query=b"a=2")
    again = await fetch(cache, path="/finder/result/", query=b"a=1")
    assert other.body == b"answers: a=2" and not other.from_cache
    assert again.body == b"answers: a=1" and again.from_cache


async def test_each_host_is_its_own_site():
    cache, _ = make_cache()
    await fetch(cache)
    other_host = await fetch(cache, headers=[(b"host", b"websocket.example")])
    assert not other_host.from_cache


async def test_a_response_over_the_size_limit_is_served_but_not_stored():
    store = ResponseStore()
    cache = ResponseCache(App(chunks=3), store, CachePolicy(max_entry_bytes=1000))
    first = await fetch(cache)
    second = await fetch(cache)
    assert first.body == second.body == PAGE
    assert cache.app.calls == 2


# The store: bounded, expiring, invalidated exactly ----------------------------------------


async def test_the_least_recently_used_page_goes_first_when_the_store_is_full():
    cache, store = make_cache(max_bytes=2 * len(PAGE) + 4000)  # room for two pages
    await fetch(cache, path="/a/")
    await fetch(cache, path="/b/")
    await fetch(cache, path="/a/")  # /a/ is now the most recently used
    await fetch(cache, path="/c/")
    assert store.bytes <= store.max_bytes
    assert (await fetch(cache, path="/a/")).from_cache
    assert not (await fetch(cache, path="/b/")).from_cache


async def test_a_stored_page_expires_after_max_age():
    now = [1000.0]
    cache, _ = make_cache(max_age=60, clock=lambda: now[0])
    await fetch(cache)
    now[0] += 59
    assert (await fetch(cache)).from_cache
    now[0] += 2
    assert not (await fetch(cache)).from_cache


async def render(cache, path, tags):
    """Fetch `path` with a render that records `tags`, as Django's post_init would."""
    cache.app.during_render = lambda: dependencies.get().update(tags)
    await fetch(cache, path=path)
    cache.app.during_render = None


async def test_invalidating_a_tag_drops_only_the_pages_built_from_it():
    cache, store = make_cache()
    await render(cache, "/guides/a/", {"page:1", "guides.author:7"})
    await render(cache, "/guides/b/", {"page:2"})
    dropped = store.invalidate(Invalidation(tags=frozenset({"guides.author:7"})))
    assert dropped == 1
    assert not (await fetch(cache, path="/guides/a/")).from_cache
    assert (await fetch(cache, path="/guides/b/")).from_cache


async def test_invalidating_a_prefix_drops_every_url_under_it():
    cache, store = make_cache()
    for path in ("/guides/old/", "/guides/old/child/", "/guides/older/", "/echo/"):
        await fetch(cache, path=path)
    store.invalidate(Invalidation(prefixes=("/guides/old/",)))
    assert not (await fetch(cache, path="/guides/old/")).from_cache
    assert not (await fetch(cache, path="/guides/old/child/")).from_cache
    assert (await fetch(cache, path="/guides/older/")).from_cache
    assert (await fetch(cache, path="/echo/")).from_cache


async def test_a_render_overtaken_by_a_publish_of_what_it_shows_is_not_stored():
    cache, store = make_cache()
    cache.app.during_render = lambda: (
        dependencies.get().add("page:1"),
        store.invalidate(Invalidation(tags=frozenset({"page:1"}))),
    )
    await fetch(cache)
    cache.app.during_render = None
    assert not (await fetch(cache)).from_cache


async def test_an_unrelated_publish_during_a_render_does_not_stop_it_being_stored():
    cache, store = make_cache()
    cache.app.during_render = lambda: (
        dependencies.get().add("page:1"),
        store.invalidate(Invalidation(tags=frozenset({"page:2"}))),
    )
    await fetch(cache)
    cache.app.during_render = None
    assert (await fetch(cache)).from_cache


async def test_nothing_is_stored_while_invalidations_could_be_missed():
    cache, store = make_cache()
    store.accepting = False
    await fetch(cache)
    assert not (await fetch(cache)).from_cache


def test_a_page_that_now_varies_on_other_headers_replaces_its_old_variants():
    store = ResponseStore()
    key = ("http", b"testserver", "/", b"")
    store.put(key, {}, 200, [], build_variants([], PAGE), (), store.generation)
    vary = [(b"vary", b"Cookie")]
    store.put(key, {}, 200, vary, build_variants(vary, PAGE), (), store.generation)
    assert len(store) == 1
    assert store.get(key, {}) is not None
    assert store.get(key, {b"cookie": b"csrftoken=abc"}) is None


# Refreshing: readers keep the old copy until a new render replaces it --------------------

NEW_PAGE = PAGE.replace(b"Frames", b"Republished frames")
CHANGED = Invalidation(tags=frozenset({"page:1"}), refresh=True)


async def stored_and_refreshing(**store_options):
    """A cache whose page /guides/a/ (tag page:1) is stored, with its refresher running
    (as on a server's first request); the app now renders NEW_PAGE."""
    cache, store = make_cache(**store_options)
    await render(cache, "/guides/a/", {"page:1"})
    cache.app.body = NEW_PAGE
    cache.app.during_render = lambda: dependencies.get().add("page:1")
    return cache, store


async def test_after_a_change_the_next_reader_gets_the_new_page_from_the_store():
    cache, store = await stored_and_refreshing()
    store.invalidate(CHANGED)
    await cache.refresher.idle()
    response = await fetch(cache, path="/guides/a/")
    assert response.from_cache
    assert response.body == NEW_PAGE
    assert cache.app.calls == 2  # the first render, and the refresher's


async def test_until_the_new_render_is_ready_readers_get_the_old_copy_not_a_render():
    cache, store = await stored_and_refreshing()
    store.invalidate(CHANGED)  # the refresher has not run yet: nothing awaited since
    response = await fetch(cache, path="/guides/a/")
    assert response.from_cache
    assert response.body == PAGE


async def test_the_refreshed_copy_is_compressed_like_any_stored_page():
    cache, store = await stored_and_refreshing()
    store.invalidate(CHANGED)
    await cache.refresher.idle()
    response = await fetch(cache, path="/guides/a/", headers=[(b"accept-encoding", b"br")])
    assert response.headers["content-encoding"] == "br"
    assert brotli.decompress(response.body) == NEW_PAGE


async def test_a_page_that_is_gone_when_refreshed_loses_its_old_copy():
    cache, store = await stored_and_refreshing()
    cache.app.status = 404  # unpublished since
    store.invalidate(CHANGED)
    await cache.refresher.idle()
    assert len(store) == 0
    assert (await fetch(cache, path="/guides/a/")).status == 404


async def test_a_change_of_who_may_read_a_page_drops_it_at_once():
    _, store = await stored_and_refreshing()
    store.invalidate(Invalidation(tags=frozenset({"page:1"})))  # refresh=False: privacy
    assert len(store) == 0


async def test_an_old_copy_not_replaced_within_the_stale_limit_is_not_served():
    now = [1000.0]
    cache, store = await stored_and_refreshing(clock=lambda: now[0], stale_limit=10)
    cache.refresher.schedule = lambda slots: None  # a refresher that never gets to it
    store.on_stale = cache.refresher.schedule
    store.invalidate(CHANGED)
    now[0] += 11
    response = await fetch(cache, path="/guides/a/")
    assert not response.from_cache
    assert response.body == NEW_PAGE


async def test_the_response_to_a_change_is_sent_once_the_pages_it_affects_are_refreshed():
    cache, store = await stored_and_refreshing()
    seen_when_answered = []

    async def app(scope, receive, send):
        if scope["method"] == "POST":  # the editor's publish
            store.invalidate(CHANGED)
            await send({"type": "http.response.start", "status": 302, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            await renderer(scope, receive, send)

    renderer, cache.app = cache.app, app

    async def send(message):
        if message["type"] == "http.response.body":
            entry = store.get(("http", b"testserver", "/guides/a/", b""), {})
            seen_when_answered.append(entry.variants[None].body)

    scope = {"type": "http", "method": "POST", "path": "/admin/pages/1/edit/"}
    scope |= {"scheme": "http", "query_string": b"", "headers": [(b"host", b"testserver")]}
    await cache(scope, None, send)
    assert seen_when_answered == [NEW_PAGE]


# Content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.8, br;q=0.9", "br"),
        ("*", "br"),
        ("*;q=0.5, br;q=0", "gzip"),
        ("identity", None),
        ("gzip;q=nonsense", None),
        ("GZIP", "gzip"),
    ],
)
def test_the_encoding_chosen_is_the_clients_most_preferred(header, expected):
    assert choose_encoding(header) == expected


# Whether a process may cache -----------------------------------------------------------------


def mode(**overrides):
    options = {
        "debug": False,
        "enabled": True,
        "redis_url": "",
        "server_processes": 1,
        "max_age": 600,
        "channel": "wsref:response-cache",
    }
    return decide(**{**options, **overrides})


@pytest.mark.parametrize(
    ("overrides", "on"),
    [
        ({"redis_url": "redis://127.0.0.1:6379/0", "server_processes": 4}, True),
        ({"redis_url": "redis://127.0.0.1:6379/0", "server_processes": None}, True),
        ({"server_processes": 1}, True),
        ({"server_processes": 2}, False),
        ({"server_processes": None}, False),
        ({"debug": True}, False),
        ({"enabled": False, "redis_url": "redis://127.0.0.1:6379/0"}, False),
    ],
)
def test_pages_are_cached_only_where_every_change_reaches_the_process(overrides, on):
    assert mode(**overrides).on is on


@pytest.mark.parametrize("server_processes", [1, 2, None])
def test_without_redis_the_start_up_line_is_a_warning_that_says_why(server_processes):
    decision = mode(server_processes=server_processes)
    assert decision.level == logging.WARNING
    assert "REDIS_URL" in decision.reason
