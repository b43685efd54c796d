"""An editor publishes a guide through the Wagtail admin, and readers find it everywhere."""

import re

import pytest
from playwright.sync_api import expect

# The first test may wait for the session's live database and server to be prepared.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

TITLE = "Keeping idle connections alive through proxies"
URL = "/guides/guides/keeping-idle-connections-alive-through-proxies/"


def insert_block(page, name):
    page.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name=name, exact=True).click()


def type_rich_text(page, text, editors):
    """Types into the newest rich-text editor of the body, once it is there: `editors` is
    how many the body has with it (clicking before the new one renders typed into the one
    before, which left a callout empty in a CI run)."""
    rich_text = page.locator("[data-contentpath='body'] [contenteditable='true']")
    expect(rich_text).to_have_count(editors)
    rich_text.last.click()
    page.keyboard.type(text)


def log_in(page, base_url, editor):
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill(editor["username"])
    page.get_by_label("Password").fill(editor["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + "/admin/")


@pytest.fixture(scope="module")
def published_guide(served, editor, browser):
    """Log in as an editor, write a guide with several block types and publish it."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    log_in(page, served.http_url, editor)

    # Pages > Home > Guide library > Hands-on guides > Add child page.
    page.goto(served.http_url + "/admin/pages/")
    for parent in ("Home", "Guide library", "Hands-on guides"):
        page.get_by_role("link", name=f"Explore child pages of '{parent}'").click()
    page.get_by_role("link", name="Add child page").first.click()
    expect(page.get_by_role("heading", name="New: Guide")).to_be_visible()

    page.get_by_placeholder("Page title*").press_sequentially(TITLE)
    page.keyboard.press("Tab")
    page.get_by_role("textbox", name="Summary").fill(
        "Proxies close connections that look idle; pings keep them open."
    )
    insert_block(page, "Heading")
    page.locator("#body-0-value-text").fill("Why proxies close idle sockets")
    insert_block(page, "Rich text")
    type_rich_text(page, "Many proxies drop a connection after sixty silent seconds.", 1)
    insert_block(page, "Code")
    page.locator("#body-2-value-language").select_option("python")
    page.locator("#body-2-value-filename").fill("keepalive.py")
    page.locator("#body-2-value-highlight").fill("2")
    page.locator("#body-2-value-code").fill("async def keepalive(ws):\n    await ws.ping()")
    insert_block(page, "Callout")
    page.locator("#body-3-value-kind").select_option("tip")
    type_rich_text(page, "Ping every twenty seconds.", 2)
    # Draftail writes its content into the form a moment after the last keystroke: publish
    # only once it has (on a quiet machine the publish came first, and the callout was empty).
    expect(page.locator("#body-3-value-text")).to_have_value(re.compile("Ping every twenty"))

    page.get_by_role("tab", name="Details").click()
    page.get_by_label("Difficulty").select_option("intermediate")
    tags = page.locator(".tagit input").first
    for tag in ("heartbeats", "proxies"):
        tags.fill(tag)
        tags.press("Enter")
    page.get_by_label("The editors").check()
    page.get_by_label("Last reviewed").fill("2026-11-27")

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    # "created and published", or "has been published" once autosave has made a draft.
    expect(
        page.get_by_text(re.compile(rf"Page '{TITLE}' (created and|has been) published"))
    ).to_be_visible(timeout=30_000)  # publishing re-indexes and invalidates; slow under load
    context.close()
    return served.http_url + URL


def test_the_published_guide_is_live_at_its_url_with_its_blocks(published_guide, page):
    page.goto(published_guide)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="Why proxies close idle sockets")).to_have_attribute(
        "id", "why-proxies-close-idle-sockets"
    )
    code = page.locator("figure.code", has_text="keepalive.py")
    expect(code.locator(".hll")).to_have_text("    await ws.ping()")
    expect(page.get_by_role("note")).to_contain_text("Ping every twenty seconds.")
    expect(page.locator(".guide__facts")).to_contain_text("Intermediate")
    expect(page.locator(".guide__facts")).to_contain_text("27 November 2026")
    expect(page.locator(".guide__header .tag")).to_have_text(["heartbeats", "proxies"])


def test_the_published_guide_is_in_the_library_and_its_section(published_guide, served, page):
    page.goto(served.http_url + "/guides/?tag=proxies")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.goto(served.http_url + "/guides/guides/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()


def test_the_published_guide_is_found_by_search(published_guide, served, page):
    page.goto(served.http_url + "/search/?q=silent+seconds")
    expect(page.get_by_role("link", name=re.compile("Keeping idle connections"))).to_be_visible()


def test_the_published_guide_is_in_the_feed(published_guide, served, page):
    feed = page.request.get(served.http_url + "/guides/feed.xml").text()
    assert f"<title>{TITLE}</title>" in feed
    assert served.http_url + URL in feed


def test_the_admin_edits_a_guide_with_nothing_blocked_by_the_content_security_policy(
    published_guide, served, editor, page, console_errors
):
    log_in(page, served.http_url, editor)
    page.goto(published_guide)
    page.get_by_role("link", name="Edit this guide").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.get_by_role("button", name="Insert a block").first.click()
    expect(page.get_by_role("option", name="Code in tabs", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert [error for error in console_errors if "Content Security Policy" in error] == []
