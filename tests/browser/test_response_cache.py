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
