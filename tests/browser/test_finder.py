"""The protocol finder in Chromium: keyboard only, with and without JavaScript."""

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.finder_factories import make_query

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).resolve().parents[2] / "guides" / "content"

# A chat for browsers and mobile apps, as the keys to press on each question: the index of
# the answer to choose, or for tick-all questions the indexes to tick.
CHAT_KEYS = [1, 1, 1, 0, 0, 1, [0, 2], 2, 1, 1, [], []]
CHAT = {"direction": "both", "clients": ("browser", "mobile"), "delivery": "catch_up"}


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName, name: e.name || '', type: e.type || '',"
        " text: (e.textContent || '').trim()}; })()"
    )


def tab_until(page, matches, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(focused(page)):
            return
    raise AssertionError(f"Tab never reached the element; last focus {focused(page)}")


def answer_with_keyboard(page, keys):
    """Answer the focused question: arrows choose a radio, Space ticks, Tab moves along."""
    if isinstance(keys, int):
        if keys == 0:
            page.keyboard.press("Space")
        for _ in range(keys):
            page.keyboard.press("ArrowDown")
        return
    position = 0
    for index in keys:
        for _ in range(index - position):
            page.keyboard.press("Tab")
        page.keyboard.press("Space")
        position = index


def guide_title(path):
    section, slug = path.strip("/").split("/")[1:]
    text = (CONTENT / section / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])["title"]


def test_keyboard_user_answers_one_question_at_a_time_reads_the_result_and_edits_it(
    served, page, console_errors
):
    page.goto(served.http_url + "/finder/")
    expect(page.locator("#question-freshness")).to_be_hidden()
    tab_until(page, lambda f: f["name"] == "direction")
    for number, keys in enumerate(CHAT_KEYS, start=1):
        expect(page.get_by_role("progressbar", name=f"Question {number} of 12")).to_be_visible()
        answer_with_keyboard(page, keys)
        page.keyboard.press("Enter")  # "next question", and on the last one, submit
    expect(page).to_have_url(served.http_url + "/finder/result/?" + make_query(**CHAT))
    expect(page.get_by_role("heading", level=1)).to_have_text("WebSocket")
    expect(page.get_by_role("heading", name="Why WebSocket")).to_be_visible()
    expect(page.locator(".reasons li").first).to_contain_text("Both sides send")
    expect(
        page.get_by_role("heading", name="Runners-up, and when to pick them instead")
    ).to_be_visible()

    tab_until(page, lambda f: f["tag"] == "A" and f["text"] == "Edit answers")
    page.keyboard.press("Enter")
    expect(page.locator("#q-direction_1")).to_be_checked()
    expect(page.locator("#q-clients_0")).to_be_checked()
    expect(page.locator("#q-clients_2")).to_be_checked()
    expect(page.locator("#q-delivery_2")).to_be_checked()
    expect(page.locator("fieldset.question")).to_have_count(12)
    for fieldset in page.locator("fieldset.question").all():
        expect(fieldset).to_be_visible()
    assert console_errors == []


def test_keyboard_user_follows_a_guide_link_from_the_result(served, page):
    page.goto(served.http_url + "/finder/result/?" + make_query(**CHAT))
    link = page.get_by_role("link", name="Building chat")
    path = link.get_attribute("href")
    tab_until(page, lambda f: f["tag"] == "A" and f["text"] == "Building chat")
    page.keyboard.press("Enter")
    expect(page).to_have_url(served.http_url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(guide_title(path))


def test_next_without_an_answer_says_so_and_stays_on_the_question(served, page):
    page.goto(served.http_url + "/finder/")
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_text("Choose an answer to go on.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Question 1 of 12")).to_be_visible()
    expect(page.locator("#q-direction_0")).to_be_focused()


def test_the_progress_bar_is_labelled_with_the_question_and_filled_up_to_it(served, page):
    page.goto(served.http_url + "/finder/")
    label = page.locator("label[for='finder-progress']")
    bar = page.get_by_role("progressbar", name="Question 1 of 12")
    expect(label).to_be_visible()
    expect(label).to_have_text("Question 1 of 12")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "12")
    page.locator("#q-direction_1").check()
    page.get_by_role("button", name="Next question").click()
    expect(label).to_have_text("Question 2 of 12")
    bar = page.get_by_role("progressbar", name="Question 2 of 12")
    expect(bar).to_have_attribute("value", "2")


def test_show_all_questions_turns_the_steps_back_into_the_plain_form(served, page):
    page.goto(served.http_url + "/finder/")
    page.get_by_role("button", name="Show all questions").click()
    for fieldset in page.locator("fieldset.question").all():
        expect(fieldset).to_be_visible()
    expect(page.get_by_role("button", name="Get my recommendation")).to_be_visible()


def test_the_plain_form_works_with_javascript_off(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.http_url + "/finder/")
    for name, value in [
        ("direction", "both"),
        ("freshness", "seconds"),
        ("rate", "steady"),
        ("payload", "text"),
        ("size", "small"),
        ("lifetime", "session"),
        ("clients", "browser"),
        ("clients", "mobile"),
        ("delivery", "catch_up"),
        ("audience", "personal"),
        ("scale", "medium"),
    ]:
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.get_by_role("button", name="Get my recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("WebSocket")
    context.close()


def test_a_bad_address_focuses_the_error_summary_whose_links_reach_the_fields(served, page):
    page.goto(served.http_url + "/finder/result/?direction=both&rate=fast")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("“fast” is not one of these answers")
    summary.get_by_role("link", name="How often does one client send").click()
    expect(page.locator("#q-rate_0")).to_be_focused()
    expect(page.locator("#rate-error")).to_be_visible()


@pytest.mark.parametrize("path", ["/finder/", "/finder/result/?" + make_query(**CHAT)])
def test_finder_pages_fit_a_360px_screen_without_horizontal_scrolling(served, browser, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(served.http_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
