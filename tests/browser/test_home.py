import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_renders_its_promise_without_console_errors(served, page, console_errors):
    page.goto(served.http_url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Resources")).to_be_visible()
    expect(page.get_by_role("heading", name="Interactive tools")).to_be_visible()
    expect(page.get_by_role("heading", name="How it works")).to_be_visible()
    assert console_errors == []


def test_every_link_on_the_home_page_resolves(served, page):
    page.goto(served.http_url + "/")
    hrefs = page.eval_on_selector_all(
        "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs
    for href in sorted(set(hrefs)):
        response = page.request.get(served.http_url + href)
        assert response.status == 200, f"{href} answered {response.status}"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(served, page):
    page.goto(served.http_url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_home_page_fits_a_360px_screen_without_horizontal_scrolling(served, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(served.http_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
