"""The response cache across processes: real `manage.py serve` processes sharing Redis,
content published from yet another process, and the Redis bus on its own."""

import json
import secrets
import time

import pytest

from pagecache.bus import RedisBus
from pagecache.store import Invalidation, ResponseStore, build_variants
from tests.conftest import require
from tests.servers import (
    MACHINE_REDIS,
    ServerProcess,
    get,
    machine_redis_is_up,
    server_env,
    shell,
)

STALE_AFTER = 1.0  # a reader never sees a stale page this long after a publish


def from_cache(headers):
    return headers.get("cache-status", "").endswith("hit")


def warm(url):
    """Fetch until the page is answered from the store (the first fetch renders it)."""
    for _ in range(40):
        _, headers, body = get(url)
        if from_cache(headers):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} never came from the cache")


def wait_until(condition, timeout=5.0, what="condition not reached"):
    """Polls `condition` until it holds; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def page_shows(url, text):
    return lambda: text in get(url)[2]


def page_lacks(url, text):
    return lambda: text not in get(url)[2]


FIND_GUIDES = """
import json
from wagtail.models import Page

def url(page):
    return page.get_url()

sections = [s for s in Page.objects.live().filter(depth=4) if s.get_children().live().count() >= 3]
section = sections[0]
guides = list(section.get_children().live().specific())
target = guides[1]
tags = set(target.tags.names())
unrelated = next(
    g for g in Page.objects.live().filter(depth=5).exclude(path__startswith=section.path).specific()
    if not tags & set(g.tags.names())
)
print(json.dumps({
    "id": target.pk,
    "title": target.title,
    "guide": url(target),
    "previous": url(guides[0]),
    "next": url(guides[2]),
    "section": url(section),
    "index": url(section.get_parent()),
    "unrelated": url(unrelated),
}))
"""

RETITLE = """
from wagtail.models import Page
page = Page.objects.get(pk={pk}).specific
page.title = {title!r}
page.save_revision().publish()
"""


@pytest.fixture(scope="module")
def redis_env(live_database):
    require(machine_redis_is_up(), "the machine's Redis is not reachable at 127.0.0.1:6379")
    # A channel of this run's own: parallel runs on the machine never see each other.
    channel = f"wsref-test-{secrets.token_hex(6)}:response-cache"
    return {"REDIS_URL": MACHINE_REDIS, "RESPONSE_CACHE_CHANNEL": channel}


@pytest.fixture(scope="module")
def pair(start_server, redis_env):
    """Two production server processes sharing the database and Redis."""
    return start_server("serve", **redis_env), start_server("serve", **redis_env)


@pytest.fixture(scope="module")
def guides(live_database):
    return json.loads(shell(server_env(live_database), FIND_GUIDES))


def publisher(env, guides):
    """A function that publishes a new title for the chosen guide from a process of its
    own, with the servers' environment `env`, and returns when it did."""

    def publish(title):
        shell(env, RETITLE.format(pk=guides["id"], title=title))
        return time.monotonic()

    return publish


@pytest.fixture
def retitle(live_database, redis_env, guides):
    """Publishes a new title for the chosen guide from a third process; puts it back after."""
    publish = publisher(server_env(live_database, **redis_env), guides)
    yield publish
    publish(guides["title"])


@pytest.mark.redis
def test_a_guide_published_from_another_process_is_fresh_on_every_server_within_a_second(
    pair, guides, retitle
):
    for server in pair:
        warm(server.http_url + guides["guide"])
    title = f"Retitled {secrets.token_hex(3)}"
    published_at = retitle(title)
    for server in pair:
        while True:
            status, _, body = get(server.http_url + guides["guide"])
            if title in body:
                break
            assert time.monotonic() - published_at < STALE_AFTER, "stale page after a publish"
            time.sleep(0.02)
        assert status == 200


@pytest.mark.redis
def test_a_publish_refreshes_the_listings_and_neighbours_that_show_the_guide(pair, guides, retitle):
    server = pair[0]
    shown_in = ["guide", "previous", "next", "section", "index"]
    for name in shown_in:
        assert guides["title"] in warm(server.http_url + guides[name]), name
    warm(server.http_url + "/guides/feed.xml")
    title = f"Retitled {secrets.token_hex(3)}"
    retitle(title)
    for name in shown_in:
        url = server.http_url + guides[name]
        wait_until(page_shows(url, title), STALE_AFTER, f"{name} still shows the old title")
    wait_until(page_shows(server.http_url + "/guides/feed.xml", title), STALE_AFTER)


@pytest.mark.redis
def test_a_publish_leaves_an_unrelated_guide_in_the_cache(pair, guides, retitle):
    server = pair[0]
    warm(server.http_url + guides["unrelated"])
    title = f"Retitled {secrets.token_hex(3)}"
    retitle(title)
    # Once the retitled guide is fresh, its invalidation has been applied.
    wait_until(page_shows(server.http_url + guides["guide"], title), STALE_AFTER)
    _, headers, _ = get(server.http_url + guides["unrelated"])
    assert from_cache(headers)


UNPUBLISH = """
from wagtail.models import Page
Page.objects.get(pk={pk}).specific.unpublish()
"""
REPUBLISH = """
from wagtail.models import Page
Page.objects.get(pk={pk}).specific.get_latest_revision().publish()
"""


@pytest.mark.redis
def test_a_guide_that_goes_and_comes_back_leaves_and_rejoins_the_lists_it_was_in(
    pair, guides, live_database, redis_env
):
    server, env = pair[0], server_env(live_database, **redis_env)
    lists = ["previous", "next", "section"]
    for name in lists:
        warm(server.http_url + guides[name])
    try:
        shell(env, UNPUBLISH.format(pk=guides["id"]))
        for name in lists:
            url = server.http_url + guides[name]
            wait_until(page_lacks(url, guides["title"]), STALE_AFTER, f"{name} still lists it")
        assert get(server.http_url + guides["guide"])[0] == 404
        for name in lists:
            warm(server.http_url + guides[name])
    finally:
        shell(env, REPUBLISH.format(pk=guides["id"]))
    for name in lists:
        url = server.http_url + guides[name]
        wait_until(page_shows(url, guides["title"]), STALE_AFTER, f"{name} does not list it")


# Without Redis ---------------------------------------------------------------------------------


@pytest.fixture
def serve_without_redis(live_database, static_root, tmp_path):
    """Starts `manage.py serve` with a number of workers and no REDIS_URL, as `make serve
    WORKERS=n` does; returns the server and its log file."""
    started = []

    def start(workers):
        log = tmp_path / f"serve-{workers}-workers.log"
        env = server_env(live_database, STATIC_ROOT=str(static_root), WORKERS=str(workers))
        server = ServerProcess("serve", env, log_path=log)
        started.append(server)
        return server.start(), log

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def retitle_without_redis(live_database, guides):
    """Publishes a new title for the chosen guide from another process, with no Redis to
    tell the servers; puts it back after."""
    publish = publisher(server_env(live_database), guides)
    yield publish
    publish(guides["title"])


def logged(log, text):
    """Wait until the server's log has a line containing `text`; that line."""
    deadline = time.monotonic() + 10
    while True:
        for line in log.read_text().splitlines():
            if text in line:
                return line
        assert time.monotonic() < deadline, f"no log line says {text!r}"
        time.sleep(0.05)


def test_two_workers_without_redis_serve_no_stale_page_after_a_publish(
    serve_without_redis, guides, retitle_without_redis
):
    server, _ = serve_without_redis(2)
    url = server.http_url + guides["guide"]
    for _ in range(10):  # each connection reaches one worker or the other
        assert get(url)[0] == 200
    title = f"Retitled {secrets.token_hex(3)}"
    retitle_without_redis(title)
    stale = sum(title not in get(url)[2] for _ in range(20))
    assert stale == 0, f"{stale} of 20 requests got the page from before the publish"


def test_two_workers_without_redis_say_at_start_up_that_the_cache_is_off_and_why(
    serve_without_redis,
):
    _, log = serve_without_redis(2)
    line = logged(log, "response cache off")
    assert "2 server processes and no REDIS_URL" in line


def test_a_lone_server_without_redis_caches_and_warns_at_start_up_that_it_must_stay_alone(
    serve_without_redis, guides
):
    server, log = serve_without_redis(1)
    warm(server.http_url + guides["guide"])
    line = logged(log, "response cache on")
    assert line.startswith("WARNING")
    assert "a change made by another process on this database" in line


# The Redis bus, without servers --------------------------------------------------------------


def stored_entry(store, path="/guides/a/", tags=("page:1",)):
    key = ("http", b"testserver", path, b"")
    store.put(key, {}, 200, [], build_variants([], b"<p>guide</p>"), tags, store.generation)
    return key


@pytest.fixture
def channel():
    require(machine_redis_is_up(), "the machine's Redis is not reachable at 127.0.0.1:6379")
    return f"wsref-test-{secrets.token_hex(6)}:response-cache"


@pytest.mark.redis
def test_an_invalidation_published_in_one_process_reaches_another_within_a_second(channel):
    here, there = ResponseStore(), ResponseStore()
    buses = [RedisBus(here, MACHINE_REDIS, channel), RedisBus(there, MACHINE_REDIS, channel)]
    try:
        for bus in buses:
            bus.start()
            assert bus.subscribed.wait(5)
        kept = stored_entry(there, "/guides/b/", ("page:2",))
        dropped = stored_entry(there, "/guides/a/", ("page:1",))
        buses[0].publish(Invalidation(tags=frozenset({"page:1"})))
        wait_until(lambda: there.get(dropped, {}) is None, timeout=STALE_AFTER)
        assert there.get(kept, {}) is not None
    finally:
        for bus in buses:
            bus.stop()


@pytest.mark.redis
def test_while_redis_is_unreachable_the_store_is_emptied_and_stores_nothing(private_redis):
    store = ResponseStore()
    bus = RedisBus(store, private_redis.url, "wsref-test:response-cache", ping_interval=0.5)
    try:
        bus.start()
        assert bus.subscribed.wait(5)
        key = stored_entry(store)
        private_redis.stop()
        wait_until(lambda: not store.accepting)
        assert store.get(key, {}) is None
        stored_entry(store)
        assert len(store) == 0
        private_redis.start()
        assert bus.subscribed.wait(10)
        assert store.get(stored_entry(store), {}) is not None
    finally:
        bus.stop()
