import re

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


def test_card_rows_leave_no_hole_at_1280px(served, page):
    page.goto(served.http_url + "/")
    for heading in ("Resources", "Interactive tools"):
        section = page.locator("section", has=page.get_by_role("heading", name=heading))
        row_right = section.locator("ul.cards").bounding_box()
        cards = [li.bounding_box() for li in section.locator("ul.cards > li").all()]
        assert cards, heading
        right = row_right["x"] + row_right["width"]
        for top in sorted({round(card["y"]) for card in cards}):
            last = max(
                (card for card in cards if round(card["y"]) == top),
                key=lambda card: card["x"],
            )
            assert abs(last["x"] + last["width"] - right) < 1, f"{heading}: a hole in the row"


def test_the_hero_shows_live_round_trips_to_this_sites_echo_service(served, page):
    page.goto(served.http_url + "/")
    live = page.locator(".hero-live")
    expect(live).to_have_attribute("data-state", "live", timeout=15_000)
    expect(live.locator("#hero-live-status")).to_contain_text(f"{served.ws_url}/ws/echo/")
    expect(live.locator("#hero-live-count")).not_to_have_text("0", timeout=15_000)
    expect(live.locator("#hero-live-last")).to_have_text(re.compile(r"^\d+(\.\d+)? (ms|s)$"))


def test_without_javascript_the_hero_describes_the_echo_service_instead(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.http_url + "/")
    live = page.locator(".hero-live")
    expect(live.get_by_role("heading", name=re.compile("echo service"))).to_be_visible()
    expect(live.locator(".hero-live__about")).to_contain_text("/ws/echo/")
    expect(live.locator(".hero-live__readout")).to_be_hidden()
    context.close()


def test_a_hidden_tab_gives_its_echo_connection_back(served, page):
    page.goto(served.http_url + "/")
    live = page.locator(".hero-live")
    expect(live).to_have_attribute("data-state", "live", timeout=15_000)
    page.evaluate(
        """() => {
            const hidden = { value: "hidden", configurable: true };
            Object.defineProperty(document, "visibilityState", hidden);
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    expect(live).to_have_attribute("data-state", "paused")
