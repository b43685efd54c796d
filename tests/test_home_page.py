import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from tests.guides_factories import make_guide, make_library
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


def test_home_page_shows_the_promise_tools_and_models(client, home):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert home.hero_heading in html
    for link in ('href="/echo/"', 'href="/finder/"', 'href="/guides/"'):
        assert link in html
    assert html.count('class="diagram"') == 3


def test_home_page_lists_every_section_of_the_library_with_its_guide_count(client, db):
    library = make_library()
    make_guide(library["frameworks"], "Django Channels")
    make_guide(library["frameworks"], "Socket.IO")
    html = client.get("/").content.decode()
    for section in library.sections.values():
        assert f'<a href="{section.url}">{section.title}</a>' in html
    assert "Framework integrations" in html
    assert "2 guides" in html


def test_home_page_leaves_out_a_section_that_is_not_published(client, db):
    library = make_library()
    library["use-cases"].unpublish()
    html = client.get("/").content.decode()
    assert "Framework integrations" in html
    assert "Use cases" not in html


def test_home_page_title_names_the_site_once(client, home):
    html = client.get("/").content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == home.seo_title
    assert title.count("WebSocket Reference") == 1


def test_home_page_title_is_the_site_name_when_editors_set_no_seo_title(client, home):
    home.seo_title = ""
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "<title>WebSocket Reference</title>" in html


def test_without_javascript_the_hero_describes_the_live_echo_service(client, home):
    html = client.get("/").content.decode()
    assert 'class="hero-live"' in html
    assert "/ws/echo/" in html
    assert 'href="/echo/"' in html


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
