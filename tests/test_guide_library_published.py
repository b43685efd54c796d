"""After `make run`'s setup every starter guide is published and can be found.

The `served` server runs on a database prepared exactly as `make run` prepares one
(migrate, setup_site, load_protocols, load_guides: the `live_database` fixture), with
DEBUG off, as `make serve` runs. Each guide file must give a page that answers 200 and
is linked from its section page, from the library index and from the search results
for its title (both followed through their pages), and from sitemap.xml.
"""

import urllib.parse
import urllib.request
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from guides.front_matter import SECTIONS
from tests.guide_content import guides

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def guide_name(guide):
    return guide.name


def get(served, path):
    with urllib.request.urlopen(served.http_url + path, timeout=10) as response:
        assert response.status == 200, f"{path} answered {response.status}"
        return response.read().decode()


def linked_paths(html):
    """The paths of the links in a page's main content."""
    main = BeautifulSoup(html, "html.parser").find("main")
    return {urllib.parse.urlsplit(link["href"]).path for link in main.select("a[href]")}


def missing_from(found, wanted):
    return sorted(guide.url for guide in wanted if guide.url not in found)


def paginated_links(served, path, limit=20):
    """Links of a listing's main content on every one of its pages, following "Next"."""
    found, pages = set(), 0
    while path and pages < limit:
        html = get(served, path)
        found |= linked_paths(html)
        following = BeautifulSoup(html, "html.parser").select_one("main a[rel=next]")
        path = urllib.parse.urlsplit(path).path + following["href"] if following else None
        pages += 1
    return found


@pytest.mark.parametrize("guide", guides(), ids=guide_name)
def test_each_guide_is_published_at_its_url_under_its_title(guide, served):
    heading = BeautifulSoup(get(served, guide.url), "html.parser").find("h1")
    assert heading.get_text(" ", strip=True) == guide.source.title


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_page_links_every_guide_of_the_section(section, served):
    found = linked_paths(get(served, f"/guides/{section}/"))
    wanted = [guide for guide in guides() if guide.source.section == section]
    assert missing_from(found, wanted) == []


def test_the_library_index_links_every_guide_across_its_pages(served):
    assert missing_from(paginated_links(served, "/guides/"), guides()) == []


@pytest.mark.parametrize("guide", guides(), ids=guide_name)
def test_searching_for_a_guides_title_lists_it_among_the_results(guide, served):
    query = urllib.parse.urlencode({"q": guide.source.title})
    assert guide.url in paginated_links(served, f"/search/?{query}")


def test_the_sitemap_lists_every_guide(served):
    sitemap = ElementTree.fromstring(get(served, "/sitemap.xml"))  # noqa: S314 (our server)
    found = {
        urllib.parse.urlsplit(location.text).path for location in sitemap.iter(f"{SITEMAP}loc")
    }
    assert missing_from(found, guides()) == []
