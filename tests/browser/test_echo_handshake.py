"""The tester's Handshake panel in Chromium: the visitor's own handshake, mirrored."""

import pytest
from playwright.sync_api import expect

from tests.browser.echo_tester import TIMEOUT, open_tester

pytestmark = pytest.mark.browser


def header(headers, name):
    return next(value for key, value in headers.items() if key.lower() == name.lower())


@pytest.fixture
def handshakes(page):
    """The browser's own WebSocket handshakes, as Chromium's DevTools protocol reports
    them: request and response headers by request id."""
    seen = {"requests": {}, "responses": {}}
    cdp = page.context.new_cdp_session(page)
    cdp.on(
        "Network.webSocketWillSendHandshakeRequest",
        lambda event: seen["requests"].update({event["requestId"]: event["request"]["headers"]}),
    )
    cdp.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda event: seen["responses"].update({event["requestId"]: event["response"]}),
    )
    cdp.send("Network.enable")
    return seen


def inspect(page):
    page.get_by_role("button", name="Inspect my handshake").click()
    expect(page.locator("#handshake")).to_have_attribute("data-state", "done", timeout=TIMEOUT)


def test_the_panel_shows_the_browsers_own_key_and_the_accept_it_received(served, page, handshakes):
    open_tester(page, served)
    inspect(page)
    (request_id, response), *others = handshakes["responses"].items()
    assert others == []
    key = header(handshakes["requests"][request_id], "Sec-WebSocket-Key")
    expect(page.locator("#handshake-key")).to_have_text(key)
    expect(page.locator("#handshake-accept")).to_have_text(
        header(response["headers"], "Sec-WebSocket-Accept")
    )
    expect(page.locator("#handshake-key-valid")).to_have_text("yes: base64 of 16 bytes")


def test_the_panel_shows_the_extensions_the_browser_received(served, page, handshakes):
    open_tester(page, served)
    inspect(page)
    (response,) = handshakes["responses"].values()
    negotiated = header(response["headers"], "Sec-WebSocket-Extensions")
    expect(page.locator("#handshake-extensions")).to_have_text(negotiated)


def test_the_panel_offers_the_testers_subprotocols(served, page):
    open_tester(page, served)
    page.locator("#protocols").fill("chat, superchat")
    inspect(page)
    expect(page.locator("#handshake-offered-protocols")).to_have_text("chat, superchat")
    expect(page.locator("#handshake-subprotocol")).to_have_text("chat")


def test_the_panel_lists_the_request_headers_with_cookies_by_name_only(served, page):
    page.context.add_cookies(
        [{"name": "flavour", "value": "s3cr3t-oatmeal", "url": served.http_url}]
    )
    open_tester(page, served)
    inspect(page)
    rows = page.locator("#handshake-request-headers tbody tr")
    expect(rows.filter(has_text="flavour").locator("td").nth(1)).to_have_text("flavour=[redacted]")
    expect(rows.filter(has_text="Sec-WebSocket-Version").locator("td").nth(1)).to_have_text("13")
    expect(page.locator("#handshake")).not_to_contain_text("s3cr3t")


def test_the_panel_closes_its_connection_with_1000(served, page):
    open_tester(page, served)
    inspect(page)
    expect(page.locator("#handshake-status")).to_contain_text("closed with code 1000")


def test_invalid_subprotocols_are_refused_before_connecting(served, page):
    open_tester(page, served)
    page.locator("#protocols").fill("two words")
    page.get_by_role("button", name="Inspect my handshake").click()
    expect(page.locator("#handshake")).to_have_attribute("data-state", "failed")
    expect(page.locator("#handshake-status")).to_contain_text(
        '"two words" is not a valid subprotocol'
    )
