"""The response cache seen from a browser: readers get the cached (compressed) guide, an
editor who logs in gets their own page, with the link to edit it."""

import re
import secrets
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.servers import manage, server_env

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cache_editor(live_database):
    username, password = f"cache-editor-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        f"user = User.objects.create_user({username!r}, 'cache-editor@example.com', {password!r})\n"
        "user.groups.add(Group.objects.get(name='Moderators'))\n",
        env=server_env(live_database),
    )
    return username, password


@pytest.fixture(scope="module")
def guide_url(served):
    with urllib.request.urlopen(served.http_url + "/guides/", timeout=10) as response:
        html = response.read().decode()
    return served.http_url + re.search(r'href="(/guides/[\w-]+/[\w-]+/)"', html).group(1)


def cached_visit(page, url):
    """Visit until the page comes from the response cache; that response."""
    for _ in range(20):
        response = page.goto(url)
        if response.headers.get("cache-status", "").endswith("hit"):
            return response
    raise AssertionError(f"{url} never came from the response cache")


def test_a_reader_gets_the_guide_from_the_cache_compressed_and_intact(
    served, page, console_errors, guide_url
):
    response = cached_visit(page, guide_url)
    assert response.headers["content-encoding"] == "br"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Edit this guide")).to_have_count(0)
    assert console_errors == []


def test_an_editor_who_logs_in_sees_the_edit_link_on_a_guide_readers_get_from_the_cache(
    served, browser, page, cache_editor, guide_url
):
    cached_visit(page, guide_url)  # a reader has it cached
    username, password = cache_editor
    context = browser.new_context()
    editor = context.new_page()
    editor.goto(served.http_url + "/admin/login/")
    editor.get_by_label("Username").fill(username)
    editor.get_by_label("Password").fill(password)
    editor.get_by_role("button", name="Sign in").click()
    expect(editor).to_have_url(served.http_url + "/admin/")
    response = editor.goto(guide_url)
    expect(editor.get_by_role("link", name="Edit this guide")).to_be_visible()
    assert "cache-status" not in response.headers
    context.close()


def anonymous_get(url):
    """(from the cache?, body) for a reader with no cookies."""
    with urllib.request.urlopen(url, timeout=10) as response:
        hit = response.headers.get("cache-status", "").endswith("hit")
        return hit, response.read().decode()


def warm(url):
    for _ in range(20):
        if anonymous_get(url)[0]:
            return
    raise AssertionError(f"{url} never came from the response cache")


def publish_title(editor, edit_url, title):
    """Retitle the page in the admin's editor and publish it; returns once Wagtail says so."""
    editor.goto(edit_url)
    editor.get_by_placeholder("Page title*").fill(title)
    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name="Publish", exact=True).click()
    expect(editor.get_by_text(f"Page '{title}' has been published")).to_be_visible(timeout=30_000)


def test_after_an_editor_publishes_the_first_reader_gets_the_new_page_from_the_cache(
    served, browser, cache_editor, guide_url
):
    """No reader waits for a render after a publish: the guide and its section, cached
    before, are rendered again before the editor's publish is answered."""
    section_url = guide_url.rstrip("/").rsplit("/", 1)[0] + "/"
    warm(guide_url)
    warm(section_url)
    context = browser.new_context()
    editor = context.new_page()
    username, password = cache_editor
    editor.goto(served.http_url + "/admin/login/")
    editor.get_by_label("Username").fill(username)
    editor.get_by_label("Password").fill(password)
    editor.get_by_role("button", name="Sign in").click()
    editor.goto(guide_url)
    edit_url = editor.get_by_role("link", name="Edit this guide").get_attribute("href")
    edit_url = served.http_url + edit_url if edit_url.startswith("/") else edit_url
    editor.goto(edit_url)
    old_title = editor.get_by_placeholder("Page title*").input_value()
    new_title = f"Republished {secrets.token_hex(3)}"
    try:
        publish_title(editor, edit_url, new_title)
        for url in (guide_url, section_url):
            hit, body = anonymous_get(url)
            assert (hit, new_title in body) == (True, True), url
    finally:
        publish_title(editor, edit_url, old_title)
        context.close()
