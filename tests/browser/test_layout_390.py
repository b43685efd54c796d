"""At 390 px, a common phone width: rows that must stay rows, columns wide enough to read."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Guides whose code blocks carry the longest headers: a file name, its language, and
# the "not checked by our test suite" note, or "run in our test suite against HAProxy 2.6".
GUIDES_WITH_LONG_CODE_HEADERS = [
    "/guides/frameworks/browser-websocket-api/",
    "/guides/frameworks/django-channels/",
    "/guides/deployment/tls-for-wss/",
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def rows(boxes):
    """How many lines the boxes sit on, by their tops."""
    return len({round(box["y"]) for box in boxes})


def test_the_echo_snippet_tabs_stay_on_one_row(served, phone):
    phone.goto(served.http_url + "/echo/")
    tabs = phone.get_by_role("tablist", name="Language").get_by_role("tab")
    expect(tabs).to_have_count(5)
    assert rows(tab.bounding_box() for tab in tabs.all()) == 1


def test_every_echo_snippet_tab_is_on_screen_without_scrolling_sideways(served, phone):
    phone.goto(served.http_url + "/echo/")
    tablist = phone.get_by_role("tablist", name="Language")
    assert tablist.evaluate("list => list.scrollWidth <= list.clientWidth")


def test_the_close_code_meanings_get_most_of_the_width(served, phone):
    phone.goto(served.http_url + "/echo/")
    table = phone.locator("#close-codes").bounding_box()
    meanings = phone.locator("#close-codes .close-meaning").all()
    assert meanings
    for meaning in meanings:
        assert meaning.bounding_box()["width"] >= 0.6 * table["width"]


def test_the_close_code_table_still_fits_the_screen(served, phone):
    phone.goto(served.http_url + "/echo/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("path", GUIDES_WITH_LONG_CODE_HEADERS)
def test_the_copy_button_stays_on_the_line_of_its_code_header(served, phone, path):
    phone.goto(served.http_url + path)
    bars = phone.locator(".code__bar:has(.code__copy)").all()
    assert bars
    for bar in bars:
        label = bar.locator(".code__name").bounding_box()
        button = bar.locator(".code__copy").bounding_box()
        label_bottom, button_bottom = label["y"] + label["height"], button["y"] + button["height"]
        overlaps = button["y"] < label_bottom and label["y"] < button_bottom
        assert overlaps, f"{bar.inner_text()!r}: the Copy button wrapped below its label"
