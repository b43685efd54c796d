import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from website.models import HomePage


@pytest.fixture
def home(db):
    call_command("setup_site", stdout=io.StringIO())
    return HomePage.objects.get()


def test_setup_site_publishes_the_home_page_at_the_site_root(home):
    assert home.live
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_setup_site_leaves_an_editors_changes_alone(home):
    home.hero_heading = "Edited by an editor"
    home.save_revision().publish()
    call_command("setup_site", stdout=io.StringIO())
    assert HomePage.objects.get().hero_heading == "Edited by an editor"


def test_home_page_shows_the_promise_resources_tools_and_models(client, home):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert home.hero_heading in html
    for text in ("Protocol internals", "Hands-on guides", "Comparisons", "Use cases"):
        assert text in html
    for link in ('href="/echo/"', 'href="/finder/"', 'href="/guides/"'):
        assert link in html
    assert html.count('class="diagram"') == 3


def test_pages_carry_a_strict_content_security_policy(client, home):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("path", ["/echo/", "/finder/"])
def test_tool_pages_answer(client, db, path):
    assert client.get(path).status_code == 200


def test_admin_login_is_served(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content or b"Log in" in response.content
