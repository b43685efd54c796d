"""Reading and finding guides in Chromium: filters, table of contents, tabs, copy, search."""

import re
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from tests.servers import manage, server_env

# The first test may wait for the session's live database and server to be prepared.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

TABBED_GUIDE = "/guides/guides/one-client-three-languages/"
PYTHON_SAMPLE = "async with connect(url) as websocket:\n    await websocket.send('hi')"

# Run with `manage.py shell` against the live database: a guide with two groups of
# language tabs, highlighted lines and a wide table, built with the test factories.
CREATE_TABBED_GUIDE = f"""
from guides.models import GuideSectionPage
from tests.guides_factories import code, code_tabs, heading, make_guide, paragraph, table

tabs = code_tabs(
    ("JavaScript", "javascript", "const ws = new WebSocket(url);\\nws.send('hi');"),
    ("Python", "python", {PYTHON_SAMPLE!r}),
    ("Go", "go", "conn, _, err := websocket.Dial(ctx, url, nil)"),
)
make_guide(
    GuideSectionPage.objects.get(slug="guides"),
    "One client, three languages",
    summary="The same client in JavaScript, Python and Go.",
    tags=["browser"],
    body=[
        paragraph("<p>Pick your language once; every sample follows.</p>"),
        heading("Connecting"),
        tabs,
        heading("Sending a message"),
        paragraph("<p>The same three again.</p>"),
        tabs,
        heading("Limits", level="h3"),
        code("x = 1\\ny = 2\\nz = 3", filename="limits.py", highlight="2"),
        table(["Setting", "Default", "Meaning"], [["max_size", "1 MiB", "x" * 120]]),
    ],
)
"""


@pytest.fixture(scope="module")
def tabbed_guide(served, live_database):
    manage("shell", "-c", CREATE_TABBED_GUIDE, env=server_env(live_database))
    return served.http_url + TABBED_GUIDE


def test_the_library_filters_by_section_and_level_with_plain_links(served, page, console_errors):
    page.goto(served.http_url + "/guides/")
    total = int(page.locator("#results-title").inner_text().split()[0])
    filters = page.get_by_role("navigation", name="Filter guides")
    filters.get_by_role("link", name="Protocol internals").click()
    expect(page).to_have_url(re.compile(r"\?section=internals$"))
    heading = page.locator("#results-title")
    expect(heading).to_contain_text("in Protocol internals")
    in_section = int(heading.inner_text().split()[0])
    assert 0 < in_section < total
    filters.get_by_role("link", name="Advanced").click()
    expect(page).to_have_url(re.compile(r"\?section=internals&difficulty=advanced$"))
    expect(heading).to_contain_text("in Protocol internals for advanced level")
    for meta in page.locator(".guide-card__meta").all():
        expect(meta).to_contain_text("Protocol internals")
        expect(meta).to_contain_text("Advanced")
    assert console_errors == []


def test_choosing_a_tag_keeps_the_filters_within_one_screen(served, page, console_errors):
    page.goto(served.http_url + "/guides/")
    filters = page.get_by_role("navigation", name="Filter guides")
    filters.get_by_text("Choose a tag").click()
    filters.get_by_role("link", name=re.compile(r"^latency \(\d+\)$")).click()
    expect(page).to_have_url(re.compile(r"\?tag=latency$"))
    expect(page.locator("#results-title")).to_contain_text("tagged “latency”")
    expect(filters.get_by_text("Tagged “latency”")).to_be_visible()
    assert filters.bounding_box()["height"] <= page.viewport_size["height"]
    assert page.locator(".guide-card").count() >= 3
    assert console_errors == []


def test_a_guide_opens_from_the_library_and_its_contents_lead_to_each_section(
    served, page, console_errors
):
    page.goto(served.http_url + "/guides/")
    first = page.locator(".guide-card__title a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    toc = page.get_by_role("navigation", name="On this page")
    last = toc.get_by_role("link").last
    target = last.get_attribute("href")
    last.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator(target)).to_be_in_viewport()
    assert console_errors == []


def test_language_tabs_switch_by_click_and_arrow_keys_and_every_group_follows(
    tabbed_guide, page, console_errors
):
    page.goto(tabbed_guide)
    first, second = page.get_by_role("tablist").all()
    expect(first.get_by_role("tab", name="JavaScript")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Python").first).to_be_hidden()

    first.get_by_role("tab", name="Python").click()
    expect(page.get_by_role("tabpanel", name="Python").first).to_be_visible()
    expect(second.get_by_role("tab", name="Python")).to_have_attribute("aria-selected", "true")

    page.keyboard.press("ArrowRight")
    go_tab = first.get_by_role("tab", name="Go")
    expect(go_tab).to_be_focused()
    expect(go_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Go").first).to_be_visible()
    page.keyboard.press("Home")
    expect(first.get_by_role("tab", name="JavaScript")).to_be_focused()
    assert console_errors == []


def test_the_chosen_language_is_remembered_on_the_next_guide_visit(tabbed_guide, page):
    page.goto(tabbed_guide)
    page.get_by_role("tab", name="Go").first.click()
    page.reload()
    expect(page.get_by_role("tab", name="Go").first).to_have_attribute("aria-selected", "true")


def test_the_copy_button_puts_exactly_the_code_on_the_clipboard(tabbed_guide, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(tabbed_guide)
    page.get_by_role("tab", name="Python").first.click()
    panel = page.get_by_role("tabpanel", name="Python").first
    button = panel.get_by_role("button", name="Copy")
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == PYTHON_SAMPLE
    expect(button).to_have_text("Copy", timeout=5000)


def test_highlighted_lines_and_filenames_are_shown(tabbed_guide, page):
    page.goto(tabbed_guide)
    figure = page.locator("figure.code", has_text="limits.py")
    expect(figure.locator(".hll")).to_have_text("y = 2\n")


def test_code_and_wide_tables_scroll_and_can_be_reached_with_the_keyboard(tabbed_guide, page):
    page.goto(tabbed_guide)
    regions = page.locator("pre.code__pre[tabindex='0'], .table-scroll[tabindex='0']")
    assert regions.count() >= 8
    reached = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.className"))
        if {"code__pre", "table-scroll"} <= reached:
            break
    assert {"code__pre", "table-scroll"} <= reached


def test_search_from_the_header_lists_guides_with_the_words_marked(served, page, console_errors):
    page.goto(served.http_url + "/")
    box = page.get_by_role("searchbox", name="Search the guides")
    box.fill("close codes")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=close\+codes$"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("for “close codes”")
    first = page.locator(".search-results .guide-card").first
    expect(first.locator("mark").first).to_have_text(re.compile("close|codes", re.IGNORECASE))
    first.locator("h3 a").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert console_errors == []


def test_printing_a_guide_shows_every_tab_and_leaves_out_the_navigation(tabbed_guide, page):
    page.goto(tabbed_guide)
    expect(page.get_by_role("tab", name="Python").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="On this page")).to_be_hidden()
    expect(page.locator(".code-tabs__list").first).to_be_hidden()
    expect(page.locator(".code__copy").first).to_be_hidden()
    for label in ("JavaScript", "Python", "Go"):
        expect(page.locator(f"figure[data-tab-label='{label}']").first).to_be_visible()


def test_the_library_its_sections_and_every_guide_fit_a_360px_screen(served, browser):
    sitemap = ElementTree.fromstring(  # noqa: S314 (our own server's answer)
        browser.new_context().request.get(served.http_url + "/sitemap.xml").body()
    )
    paths = [
        "/" + loc.text.split("/", 3)[3]
        for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        if "/guides/" in loc.text
    ]
    assert len(paths) > 30
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    too_wide = []
    for path in [*paths, "/search/?q=frame"]:
        page.goto(served.http_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide.append((path, width))
    context.close()
    assert too_wide == []
