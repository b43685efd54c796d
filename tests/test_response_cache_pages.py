"""The response cache in front of the real Django application, in this process: what
Wagtail and Django changes drop from it (through the in-process bus, no Redis)."""

import asyncio
import io

import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from pagecache import runtime
from pagecache.asgi import cache_responses
from pagecache.bus import LocalBus
from pagecache.middleware import ResponseCache
from pagecache.store import ResponseStore
from tests.asgi import get_scope
from website.executor import RequestLifecycleExecutor
from website.models import HomePage, SiteSettings

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def store(monkeypatch):
    """A fresh, empty response store, invalidated in this process (no Redis)."""
    store = ResponseStore()
    bus = LocalBus(store)
    monkeypatch.setattr(runtime, "store", lambda: store)
    monkeypatch.setattr(runtime, "bus", lambda: bus)
    return store


@pytest.fixture
def site(store, monkeypatch):
    """The starter site behind the response cache of a lone server process."""
    call_command("setup_site", stdout=io.StringIO())
    monkeypatch.setenv(runtime.SERVER_PROCESSES, "1")
    app = cache_responses(get_asgi_application())
    assert isinstance(app, ResponseCache)
    return app


class Response:
    def __init__(self, messages):
        self.status = messages[0]["status"]
        self.headers = {k.decode(): v.decode() for k, v in messages[0]["headers"]}
        self.text = b"".join(m.get("body", b"") for m in messages[1:]).decode()
        self.from_cache = self.headers.get("cache-status", "").endswith("hit")


def get(app, path="/", cookie=None):
    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = get_scope(path, host="localhost", headers=headers)
    messages, requests = [], [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected; Django cancels this

    async def send(message):
        messages.append(message)

    async def handle():
        # Django renders error pages (the 404 of an unpublished page) in the loop's
        # default executor, on a database connection of the worker thread's own: the
        # site's executor closes it, and the worker is gone before the test ends.
        with RequestLifecycleExecutor(max_workers=1) as worker:
            asyncio.get_running_loop().set_default_executor(worker)
            await app(scope, receive, send)

    # async_to_sync runs Django's thread-sensitive code in this thread, on the test's own
    # database connection.
    async_to_sync(handle)()
    return Response(messages)


def cached(app, path="/"):
    """Fetch `path` until it is answered from the store (the very first render creates
    the site settings, so it is not stored: it was overtaken by their creation)."""
    for _ in range(3):
        response = get(app, path)
        if response.from_cache:
            return response
    raise AssertionError(f"{path} was not stored")


def test_a_published_change_shows_on_the_very_next_request(site):
    cached(site)
    home = HomePage.objects.get()
    home.hero_heading = "Published a moment ago"
    home.save_revision().publish()
    response = get(site)
    assert not response.from_cache
    assert "Published a moment ago" in response.text


def test_a_saved_draft_leaves_the_published_page_in_the_cache(site):
    before = cached(site)
    home = HomePage.objects.get()
    home.hero_heading = "Only a draft"
    home.save_revision()
    response = get(site)
    assert response.from_cache
    assert response.text == before.text


def test_a_page_changed_by_a_script_with_save_is_refreshed(site):
    cached(site)
    home = HomePage.objects.get()
    home.hero_heading = "Saved by a script"
    home.save()
    assert "Saved by a script" in get(site).text


def test_unpublishing_a_page_stops_serving_it_from_the_cache(site):
    cached(site)
    HomePage.objects.get().unpublish()
    assert get(site).status == 404


def test_a_page_made_private_is_no_longer_served_from_the_cache(site):
    cached(site)
    PageViewRestriction.objects.create(
        page=HomePage.objects.get(), restriction_type="password", password="s3cret"
    )
    response = get(site)
    assert not response.from_cache
    assert 'type="password"' in response.text


def test_changing_the_site_settings_refreshes_every_page_that_shows_them(site):
    cached(site, "/")
    cached(site, "/echo/")
    settings = SiteSettings.objects.get()
    settings.tagline = "A brand-new tagline for the footer."
    settings.save()
    for path in ("/", "/echo/"):
        response = get(site, path)
        assert "A brand-new tagline for the footer." in response.text


def test_a_page_records_the_content_it_was_built_from(site, store):
    cached(site)
    home = HomePage.objects.get()
    [entry] = store._entries.values()
    assert {f"page:{home.pk}", f"served:{home.pk}", "website.sitesettings"} <= entry.tags


def test_a_logged_in_editor_is_never_answered_from_the_cache(site, client, django_user_model):
    cached(site)
    editor = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(editor)
    response = get(site, cookie=f"sessionid={client.cookies['sessionid'].value}")
    assert response.status == 200
    assert "cache-status" not in response.headers
