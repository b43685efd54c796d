"""The Site and the site settings a process keeps across requests (website/process_cache.py),
and view restrictions read with the page's route: a change shows on the next render, made
in this process or in another one, whose invalidation comes through Redis."""

import time

import pytest
from wagtail.models import PageViewRestriction, Site

from pagecache.bus import RedisBus
from pagecache.invalidation import content_invalidation
from pagecache.middleware import dependencies
from pagecache.store import ResponseStore
from tests.guides_factories import make_guide, make_library, page_link, paragraph, related
from tests.servers import MACHINE_REDIS
from website import process_cache
from website.models import HomePage, SiteSettings

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GUIDE_PAGE_QUERY_BUDGET = 8  # Performance II's goal, with the Site and settings kept


@pytest.fixture
def guide(kept_across_requests):
    library = make_library()
    SiteSettings.for_site(Site.objects.get())  # the row a site has (a first render makes it)
    return make_guide(library["internals"], "Frames", body=[paragraph("<p>Secret.</p>")])


def publish_from_another_process(kept_across_requests, invalidation):
    """What another server process publishes after a change: the message alone reaches
    this one, through Redis. Returns once this process has heard it."""
    store = kept_across_requests.store
    before = store.generation
    other = RedisBus(ResponseStore(), MACHINE_REDIS, kept_across_requests.channel)
    other.publish(invalidation)
    deadline = time.monotonic() + 5
    while store.generation == before:
        assert time.monotonic() < deadline, "the invalidation never arrived"
        time.sleep(0.01)


def test_a_guide_costs_at_most_eight_queries_when_the_site_and_settings_are_kept(
    client, guide, django_assert_max_num_queries
):
    client.get(guide.url)
    with django_assert_max_num_queries(GUIDE_PAGE_QUERY_BUDGET) as captured:
        assert client.get(guide.url).status_code == 200
    assert not any("wagtailcore_site" in query["sql"] for query in captured)
    assert not any("website_sitesettings" in query["sql"] for query in captured)


def test_a_settings_change_shows_on_the_next_render(client, guide):
    assert b"The independent" in client.get(guide.url).content
    settings = SiteSettings.for_site(Site.objects.get())
    settings.tagline = "A changed tagline."
    settings.save()
    assert b"A changed tagline." in client.get(guide.url).content


def test_a_settings_change_made_in_another_process_shows_on_the_next_render(
    client, guide, kept_across_requests
):
    assert b"The independent" in client.get(guide.url).content
    SiteSettings.objects.update(tagline="Changed elsewhere.")  # no signal in this process
    publish_from_another_process(
        kept_across_requests, content_invalidation(SiteSettings.objects.get(), False)
    )
    assert b"Changed elsewhere." in client.get(guide.url).content


def test_a_site_change_shows_on_the_next_render(client, guide):
    assert client.get(guide.url).status_code == 200
    site = Site.objects.get()
    site.hostname, site.is_default_site = "elsewhere.example", False
    site.save()
    assert client.get(guide.url).status_code == 404


def test_a_site_change_made_in_another_process_shows_on_the_next_render(
    client, guide, kept_across_requests
):
    assert client.get(guide.url).status_code == 200
    Site.objects.update(hostname="elsewhere.example", is_default_site=False)
    publish_from_another_process(kept_across_requests, content_invalidation(Site(), False))
    assert client.get(guide.url).status_code == 404


def test_links_follow_a_renamed_home_page_on_the_next_render(client, guide):
    client.get(guide.url)
    home = HomePage.objects.get()
    home.slug = "start"
    home.save_revision().publish()  # the site's root path is now /start/, not /home/
    section = guide.get_parent().specific
    assert f'href="{section.url}"'.encode() in client.get(guide.url).content


def test_a_published_home_page_is_read_again(client, guide, django_assert_max_num_queries):
    client.get(guide.url)
    home = HomePage.objects.get()
    home.title = "Start"
    home.save_revision().publish()
    with django_assert_max_num_queries(20) as captured:
        client.get(guide.url)
    assert any("wagtailcore_site" in query["sql"] for query in captured)


def test_a_password_added_after_a_render_guards_the_next_one(client, guide):
    assert b"Secret." in client.get(guide.url).content
    PageViewRestriction.objects.create(
        page=guide.get_parent(), restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    response = client.get(guide.url)
    assert b"Secret." not in response.content
    assert b'name="password"' in response.content


def test_a_password_on_the_home_page_guards_its_guides(client, guide):
    PageViewRestriction.objects.create(
        page=HomePage.objects.get(), restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    response = client.get(guide.url)
    assert b"Secret." not in response.content
    assert b'name="password"' in response.content


def test_nothing_is_kept_without_redis(client, guide, settings, django_assert_max_num_queries):
    settings.REDIS_URL = ""
    client.get(guide.url)
    with django_assert_max_num_queries(20) as captured:
        client.get(guide.url)
    assert any("wagtailcore_site" in query["sql"] for query in captured)
    assert any("website_sitesettings" in query["sql"] for query in captured)


@pytest.fixture
def neighbours(kept_across_requests):
    """A section of three guides sharing tags, the middle one linking to and choosing
    guides of another section: its pager, related guides and links all show others."""
    library = make_library()
    SiteSettings.for_site(Site.objects.get())
    internals, guides = library["internals"], library["guides"]
    elsewhere = make_guide(guides, "Reconnecting", tags=["frames", "close"])
    chosen = make_guide(guides, "Heartbeats", tags=["close"])
    first = make_guide(internals, "Frames", tags=["frames", "masking"])
    middle = make_guide(
        internals,
        "Masking",
        tags=["frames", "masking", "close"],
        body=[paragraph(f"<p>See {page_link(elsewhere, 'reconnecting')}.</p>"), related(chosen)],
    )
    last = make_guide(internals, "Closing", tags=["close"])
    return {"first": first, "middle": middle, "last": last, "elsewhere": elsewhere}


def render(client, page):
    """The page's HTML and what the response cache would record it was built from."""
    token = dependencies.set(set())
    try:
        html = client.get(page.url).content.decode()
        return html, dependencies.get()
    finally:
        dependencies.reset(token)


def test_the_kept_guides_give_the_page_and_dependencies_the_queries_give(
    client, neighbours, settings, django_assert_max_num_queries
):
    middle = neighbours["middle"]
    render(client, middle)  # keeps the live guides
    with django_assert_max_num_queries(GUIDE_PAGE_QUERY_BUDGET - 3):
        kept_html, kept_recorded = render(client, middle)
    settings.REDIS_URL = ""  # nothing kept: the pager, related guides and links queried
    process_cache._kept.clear()
    queried_html, queried_recorded = render(client, middle)
    assert kept_html == queried_html
    assert "Previous</span> Frames</a>" in kept_html  # the pager
    assert "Next</span> Closing</a>" in kept_html
    assert ">Reconnecting</a>" in kept_html  # related by tags, and linked from the body
    pages = {tag for tag in queried_recorded if tag.startswith(("page:", "children:"))}
    assert pages <= kept_recorded


def test_a_guide_published_in_the_section_is_in_the_pager_of_the_next_render(client, neighbours):
    last = neighbours["last"]
    assert "Next" not in render(client, last)[0]
    make_guide(last.get_parent(), "Close codes", tags=["close"])
    assert "Next</span> Close codes</a>" in render(client, last)[0]


def test_a_related_guide_retitled_shows_its_new_title_on_the_next_render(client, neighbours):
    middle, elsewhere = neighbours["middle"], neighbours["elsewhere"]
    render(client, middle)
    elsewhere.title = "Reconnecting with backoff"
    elsewhere.save_revision().publish()
    assert ">Reconnecting with backoff</a>" in render(client, middle)[0]
