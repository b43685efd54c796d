"""No broken links: the site crawled from its home page on the production server.

The crawl's limits are in tests/quality_tools.py; tests/test_quality_tools.py proves each
check below fails on a site with that fault.
"""

from urllib.parse import urlsplit

from tests.quality_tools import (
    START_PAGES,
    asset_problems,
    broken_links,
    feed_links,
    missing_anchors,
)


def test_every_internal_link_answers_200(crawled_site):
    assert broken_links(crawled_site) == []


def test_every_anchor_points_at_an_element_of_its_target_page(crawled_site):
    assert missing_anchors(crawled_site) == []


def test_every_stylesheet_script_image_icon_and_feed_loads_with_its_type(crawled_site):
    assert asset_problems(crawled_site) == []


def test_every_page_in_the_sitemap_is_reachable_from_the_home_page(crawled_site):
    # The sitemap as it was when the crawl ended: other modules publish guides meanwhile.
    listed = {urlsplit(url).path for url in feed_links(crawled_site.sitemap.text)}
    reached = {
        urlsplit(url).path
        for url, response in crawled_site.responses.items()
        if response.status == 200 and response.is_html
    }
    assert len(listed) > 40  # home, library, its sections, every guide
    assert listed - reached == set()


def test_the_pages_no_link_reaches_answer_their_status(crawled_site):
    answered = {
        path: crawled_site.responses[crawled_site.base + path].status for path in START_PAGES
    }
    assert answered == START_PAGES
