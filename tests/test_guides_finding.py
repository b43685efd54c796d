"""Finding guides: the library's filters, section pages, search, the feed, sitemap, meta."""

from datetime import date
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.db import transaction

from tests.guides_factories import code, heading, make_author, make_guide, make_library, paragraph

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def shelf_data(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at the end; each test
    runs in a savepoint inside it, so what a test adds disappears after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_shelf()
        transaction.set_rollback(True)


@pytest.fixture
def shelf(shelf_data, db):
    return shelf_data


def build_shelf():
    """A small library: four published guides over three sections, and one draft."""
    library = make_library()
    guides = {
        "handshake": make_guide(
            library["internals"],
            "The opening handshake",
            summary="How the HTTP upgrade turns into a WebSocket.",
            difficulty="intermediate",
            tags=["handshake", "http"],
            body=[heading("Upgrade"), paragraph("<p>The Sec-WebSocket-Key header.</p>")],
        ),
        "frames": make_guide(
            library["internals"],
            "Frames bit by bit",
            summary="FIN, opcodes and masking.",
            difficulty="advanced",
            tags=["framing"],
            body=[paragraph("<p>Payload lengths come in three sizes.</p>"), code("mask = 1")],
        ),
        "first": make_guide(
            library["guides"],
            "Your first connection",
            summary="Open a socket in the browser.",
            tags=["browser", "http"],
            reviewed=date(2026, 11, 20),
        ),
        "sse": make_guide(
            library["comparisons"],
            "WebSocket vs Server-Sent Events",
            summary="One-way streams are often enough.",
            tags=["sse"],
            authors=[make_author()],
        ),
    }
    make_guide(library["guides"], "Unfinished draft", summary="Not yet.", publish=False)
    return library, guides


def xml(response):
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own server's answer)


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def listed_titles(response):
    return [a.get_text() for a in soup(response).select(".guide-card__title a")]


# The library index and its filters


def test_the_library_lists_every_published_guide_in_section_order(client, shelf):
    assert listed_titles(client.get("/guides/")) == [
        "The opening handshake",
        "Frames bit by bit",
        "Your first connection",
        "WebSocket vs Server-Sent Events",
    ]


def test_each_listed_guide_shows_its_section_level_and_summary(client, shelf):
    card = soup(client.get("/guides/")).select_one(".guide-card")
    assert (
        card.select_one(".guide-card__meta")
        .get_text(" ", strip=True)
        .startswith("Protocol internals Intermediate")
    )
    assert card.select_one(".guide-card__summary").get_text() == (
        "How the HTTP upgrade turns into a WebSocket."
    )


def test_the_library_filters_by_section(client, shelf):
    assert listed_titles(client.get("/guides/?section=internals")) == [
        "The opening handshake",
        "Frames bit by bit",
    ]


def test_the_library_filters_by_tag(client, shelf):
    assert listed_titles(client.get("/guides/?tag=http")) == [
        "The opening handshake",
        "Your first connection",
    ]


def test_the_library_filters_by_difficulty(client, shelf):
    assert listed_titles(client.get("/guides/?difficulty=advanced")) == ["Frames bit by bit"]


def test_filters_combine(client, shelf):
    response = client.get("/guides/?section=guides&tag=http&difficulty=beginner")
    assert listed_titles(response) == ["Your first connection"]
    heading = soup(response).select_one("#results-title").get_text()
    assert heading == "1 guide in Hands-on guides tagged “http” for beginner level"


def test_filter_links_keep_the_other_filters_and_mark_the_current_one(client, shelf):
    page = soup(client.get("/guides/?tag=http"))
    current = page.select('.filter-group a[aria-current="true"]')
    assert [a.get_text() for a in current] == ["All sections", "Any difficulty", "http (2)"]
    internals = page.find("a", string="Protocol internals", href=True)
    assert internals["href"] == "?section=internals&tag=http"


def test_an_unknown_filter_value_is_explained_and_ignored(client, shelf):
    page = soup(client.get("/guides/?difficulty=expert&section=nowhere"))
    errors = [p.get_text() for p in page.select(".filter-group__error")]
    assert errors == [
        "There is no section “nowhere”; showing all sections.",
        "There is no difficulty “expert”; showing every level.",
    ]
    assert len(page.select(".guide-card")) == 4


def test_an_unknown_tag_is_explained_and_ignored(client, shelf):
    page = soup(client.get("/guides/?tag=carrier-pigeons"))
    errors = [p.get_text() for p in page.select(".filter-group__error")]
    assert errors == ["There is no tag “carrier-pigeons”; showing every tag."]
    assert len(page.select(".guide-card")) == 4


def test_a_tag_is_found_whatever_the_case_typed(client, shelf):
    response = client.get("/guides/?tag=HTTP")
    assert listed_titles(response) == ["The opening handshake", "Your first connection"]
    assert soup(response).select_one("#results-title").get_text() == "2 guides tagged “http”"


def test_the_tag_filter_offers_only_tags_of_published_guides_with_their_counts(client, shelf):
    library, _ = shelf
    make_guide(library["guides"], "Another draft", tags=["drafting"], publish=False)
    page = soup(client.get("/guides/"))
    assert [a.get_text() for a in page.select(".filter-tags a")] == [
        "Any tag",
        "browser (1)",
        "framing (1)",
        "handshake (1)",
        "http (2)",
        "sse (1)",
    ]


@pytest.mark.parametrize("number", ["0", "-1", "999", "abc", "1.5", "9" * 40])
def test_any_page_number_gives_a_page(client, shelf, number):
    assert len(soup(client.get(f"/guides/?page={number}")).select(".guide-card")) == 4


def test_drafts_are_never_listed_or_served(client, shelf):
    assert "Unfinished draft" not in listed_titles(client.get("/guides/"))
    assert client.get("/guides/guides/unfinished-draft/").status_code == 404


def test_a_section_lists_its_own_guides(client, shelf):
    assert listed_titles(client.get("/guides/internals/")) == [
        "The opening handshake",
        "Frames bit by bit",
    ]


def test_tag_links_on_a_guide_lead_to_the_filtered_library(client, shelf):
    _, guides = shelf
    link = soup(client.get(guides["first"].url)).select_one(".guide__header .tag")
    assert link["href"] == "/guides/?tag=browser"


# Search


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("handshake", "The opening handshake"),  # title
        ("masking", "Frames bit by bit"),  # summary
        ("payload", "Frames bit by bit"),  # body text
        ("sse", "WebSocket vs Server-Sent Events"),  # tag
    ],
)
def test_search_finds_guides_by_title_summary_body_and_tag(client, shelf, query, title):
    titles = [a.get_text() for a in soup(client.get("/search/", {"q": query})).select("h3 a")]
    assert title in titles


def test_search_lists_the_guide_titled_with_the_query_before_guides_that_only_mention_it(
    client, shelf
):
    library, _ = shelf
    make_guide(
        library["guides"],
        "Debugging upgrades",
        summary="When the handshake fails: reading a failed handshake step by step.",
        body=[paragraph("<p>" + "The handshake, and the handshake again. " * 20 + "</p>")],
    )
    titles = [a.get_text() for a in soup(client.get("/search/", {"q": "handshake"})).select("h3 a")]
    assert titles == ["The opening handshake", "Debugging upgrades"]


def test_search_results_show_the_section_and_summary_with_the_words_marked(client, shelf):
    result = soup(client.get("/search/", {"q": "upgrade"})).select_one(".guide-card")
    assert "Protocol internals" in result.select_one(".guide-card__meta").get_text()
    summary = result.select_one(".guide-card__summary")
    assert summary.get_text() == "How the HTTP upgrade turns into a WebSocket."
    assert [mark.get_text() for mark in summary.select("mark")] == ["upgrade"]


def test_search_never_finds_drafts(client, shelf):
    assert b"Unfinished draft" not in client.get("/search/", {"q": "unfinished"}).content


def test_search_puts_the_query_back_in_the_search_boxes(client, shelf):
    page = soup(client.get("/search/", {"q": "handshake"}))
    assert page.select_one("#site-search-q")["value"] == "handshake"
    assert page.select_one("#search-q")["value"] == "handshake"


def test_a_query_is_escaped_wherever_it_is_shown(client, shelf):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 2000,
        '"',
        '"unbalanced',
        "'; DROP TABLE wagtailcore_page; --",
        "handshake OR 1=1",
        "NEAR(a b) AND NOT *",
        "😀 🔌",
        "%",
        "\\",
        "\x00",
    ],
    ids=["empty", "blank", "2000-chars", "quote", "open-quote", "sql", "sql-or", "fts-syntax",
         "emoji", "percent", "backslash", "nul"],
)  # fmt: skip
def test_odd_queries_give_a_normal_page(client, shelf, query):
    response = client.get("/search/", {"q": query, "page": "x"})
    assert response.status_code == 200
    assert b"Search the guides" in response.content


@pytest.mark.parametrize(
    "query",
    [
        "🔌 handshake",
        "handshake ?",
        "handshake — ?!",
        "« handshake »",
        "👋 🔌 handshake ✨",
        "handshake?",
    ],
)
def test_symbols_and_emoji_in_a_query_are_ignored(client, shelf, query):
    titles = [a.get_text() for a in soup(client.get("/search/", {"q": query})).select("h3 a")]
    assert titles == ["The opening handshake"]


def test_a_query_of_only_symbols_says_that_symbols_are_left_out(client, shelf):
    empty = soup(client.get("/search/", {"q": "🔌 ?"})).select_one(".search-results .empty")
    assert empty.get_text().startswith("Search looks for words and numbers; symbols and emoji")


def test_a_very_long_query_is_shortened_and_the_page_says_so(client, shelf):
    page = soup(client.get("/search/", {"q": "handshake " * 300}))
    assert "only the first 200 were used" in page.select_one(".search-form__notice").get_text()
    assert "The opening handshake" in [a.get_text() for a in page.select("h3 a")]


def test_search_results_paginate(client, shelf):
    library, _ = shelf
    for n in range(12):
        make_guide(library["guides"], f"Ping pattern {n}", summary="About ping frames.")
    first = soup(client.get("/search/", {"q": "ping"}))
    second = soup(client.get("/search/", {"q": "ping", "page": "2"}))
    assert len(first.select(".guide-card")) == 10
    assert len(second.select(".guide-card")) == 2
    assert first.select_one(".pagination a[rel=next]")["href"] == "?q=ping&page=2"


def test_search_pages_ask_not_to_be_indexed(client, shelf):
    page = soup(client.get("/search/", {"q": "handshake"}))
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


# Feed, sitemap, robots and meta


def test_the_feed_lists_published_guides_most_recently_reviewed_or_published_first(client, shelf):
    response = client.get("/guides/feed.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = xml(response)
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert len(titles) == 4 and "Unfinished draft" not in titles
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert updated == sorted(updated, reverse=True)


def test_feed_entries_link_to_the_guide_with_summary_authors_and_tags(client, shelf):
    _, guides = shelf
    response = client.get("/guides/feed.xml")
    feed = xml(response)
    entry = next(
        e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == guides["sse"].title
    )
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver" + guides["sse"].url
    assert entry.findtext(f"{ATOM}summary") == "One-way streams are often enough."
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ada Example"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["sse"]


@pytest.mark.parametrize("path", ["/", "/guides/", "/guides/internals/", "/search/", "/echo/"])
def test_every_page_links_the_feed_and_states_its_canonical_url(client, shelf, path):
    head = soup(client.get(path)).head
    assert head.find("link", rel="alternate", type="application/atom+xml")["href"] == (
        "/guides/feed.xml"
    )
    assert head.find("link", rel="canonical")["href"] == "http://testserver" + path


@pytest.mark.parametrize("path", ["/", "/guides/", "/guides/internals/", "/search/", "/echo/"])
def test_every_page_footer_links_the_feed_visibly(client, shelf, path):
    link = soup(client.get(path)).select_one(".site-footer a[href='/guides/feed.xml']")
    assert link.get_text(" ", strip=True) == "New guides (Atom feed)"


def test_the_library_offers_its_feed_under_the_intro(client, shelf):
    link = soup(client.get("/guides/")).select_one(".listing-header a[href='/guides/feed.xml']")
    assert link.get_text(" ", strip=True) == "Follow new and reviewed guides (Atom feed)"


def test_a_guide_has_open_graph_and_twitter_card_meta(client, shelf):
    _, guides = shelf
    head = soup(client.get(guides["handshake"].url)).head

    def meta(key):
        tag = head.find("meta", attrs={"property": key}) or head.find("meta", attrs={"name": key})
        return tag["content"]

    assert meta("og:title") == "The opening handshake"
    assert meta("og:type") == "article"
    assert meta("og:description") == "How the HTTP upgrade turns into a WebSocket."
    assert meta("og:url") == "http://testserver/guides/internals/the-opening-handshake/"
    assert meta("twitter:card") == "summary"
    assert meta("description") == "How the HTTP upgrade turns into a WebSocket."


def test_the_sitemap_lists_the_library_sections_and_published_guides(client, shelf):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = {
        loc.text for loc in xml(response).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    }
    assert {
        "http://testserver/guides/",
        "http://testserver/guides/internals/",
        "http://testserver/guides/internals/the-opening-handshake/",
    } <= locations
    assert "http://testserver/guides/guides/unfinished-draft/" not in locations


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
