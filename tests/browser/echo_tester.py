"""Driving the echo tester page in Chromium: shared by its browser test modules."""

from playwright.sync_api import expect

TIMEOUT = 15_000


def open_tester(page, server, query=""):
    response = page.goto(f"{server.http_url}/echo/{query}")
    expect(page.locator(".echo[data-ready=true]")).to_have_count(1)
    return response


def connect(page):
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#state")).to_have_text("Open", timeout=TIMEOUT)


def send(page, message):
    page.locator("#message").fill(message)
    page.get_by_role("button", name="Send", exact=True).click()


def received(page):
    return page.locator("#log .entry--in")
