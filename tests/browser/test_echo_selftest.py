"""The echo tester's endpoint self-test in Chromium: against this site's echo service
(with limits that allow every message, and with the default ones) and against a broken
endpoint."""

import contextlib
import re
import socket
import threading

import pytest
from playwright.sync_api import expect
from websockets.sync.server import serve

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 90_000
CHECKS = [
    "empty-text",
    "empty-binary",
    "utf8-multibyte",
    "utf8-4byte",
    "length-125",
    "length-126",
    "length-65535",
    "length-65536",
    "byte-values",
    "one-mib",
    "ordering",
    "close-1000",
    "close-4000",
]


def run_selftest(page, server, url=None):
    page.goto(f"{server.http_url}/echo/")
    expect(page.locator("#selftest[data-state=ready]")).to_have_count(1)
    if url is not None:
        page.locator("#url").fill(url)
    page.get_by_role("button", name="Run self-test").click()
    expect(page.locator("#selftest[data-state=done]")).to_have_count(1, timeout=RUN_TIMEOUT)
    return page.locator("#selftest-rows tr")


def results(page):
    """Each check's status and details, as the table shows them."""
    return {
        tr.get_attribute("data-check"): (
            tr.locator(".selftest__status").inner_text(),
            tr.locator(".selftest__detail").inner_text(),
        )
        for tr in page.locator("#selftest-rows tr").all()
    }


def row(page, check):
    return page.locator(f'#selftest-rows tr[data-check="{check}"]')


@pytest.fixture(scope="module")
def roomy_echo(start_server):
    """A production server whose limits let every check's message through: 1 MiB messages
    (the server's own ceiling, inclusive) and a burst of 1,000."""
    return start_server("serve", ECHO_MAX_MESSAGE_BYTES=str(1024 * 1024), ECHO_RATE_BURST="1000")


def echo_with_wrong_last_byte(websocket):
    """A broken echo: text comes back intact, binary with its last byte changed."""
    for message in websocket:
        if isinstance(message, bytes) and message:
            message = message[:-1] + bytes([(message[-1] + 1) % 256])
        websocket.send(message)


@pytest.fixture
def broken_echo():
    with serve(echo_with_wrong_last_byte, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = server.socket.getsockname()
        yield f"ws://{host}:{port}/"
        server.shutdown()
        thread.join(5)


def test_every_check_passes_against_our_echo_when_its_limits_allow_every_message(
    roomy_echo, page, console_errors
):
    run_selftest(page, roomy_echo)
    shown = results(page)
    assert list(shown) == CHECKS
    assert {check: result for check, result in shown.items() if result[0] != "pass"} == {}
    expect(row(page, "one-mib")).to_contain_text("1,048,576 bytes of binary came back identical")
    expect(row(page, "ordering")).to_contain_text("1,000 messages pipelined on one connection")
    expect(page.locator("#selftest-status")).to_have_text(
        "13 checks: 13 pass, 0 fail, 0 not applicable."
    )
    assert console_errors == []


def test_under_default_limits_a_check_over_them_is_not_applicable_never_failed(served, page):
    run_selftest(page, served)
    shown = results(page)
    assert shown.pop("one-mib") == (
        "not applicable",
        "Not applicable: over this service's limit of 64 KiB (see /echo/limits/).",
    )
    assert {check: result for check, result in shown.items() if result[0] != "pass"} == {}


def test_under_default_limits_ordering_is_tested_one_burst_per_connection(served, page):
    run_selftest(page, served)
    expect(row(page, "ordering").locator(".selftest__detail")).to_have_text(
        "1,000 messages pipelined over 10 connections of up to 100 (this service's burst "
        "limit; see /echo/limits/) came back in order."
    )


def test_a_broken_endpoint_fails_the_check_it_breaks_and_says_where(served, page, broken_echo):
    run_selftest(page, served, url=broken_echo)
    byte_values = row(page, "byte-values")
    expect(byte_values.locator(".selftest__status")).to_have_text("fail")
    expect(byte_values.locator(".selftest__detail")).to_have_text(
        "The echo of 256 bytes of binary was wrong: byte 255 differs: sent 0xff, received 0x00."
    )
    expect(row(page, "utf8-4byte").locator(".selftest__status")).to_have_text("pass")


def test_an_endpoint_that_cannot_be_reached_fails_every_check_with_the_reason(served, page):
    with contextlib.closing(socket.socket()) as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    run_selftest(page, served, url=f"ws://127.0.0.1:{port}/")
    expect(page.locator('#selftest-rows tr[data-status="fail"]')).to_have_count(len(CHECKS))
    expect(row(page, "empty-text").locator(".selftest__detail")).to_contain_text(
        "Could not connect: the connection closed with 1006 before it opened"
    )


def test_the_markdown_summary_has_a_row_for_every_check(served, page):
    rows = run_selftest(page, served)
    markdown = page.locator("#selftest-markdown").input_value()
    assert f"## WebSocket self-test of `{served.ws_url}/ws/echo/`" in markdown
    lines = markdown.splitlines()
    assert "| Check | Result | Time | Details |" in lines
    for index in range(len(CHECKS)):
        name = rows.nth(index).locator("th").inner_text()
        status = rows.nth(index).locator(".selftest__status").inner_text()
        assert any(line.startswith(f"| {name} | {status} | ") for line in lines), name


def test_copy_as_markdown_puts_the_summary_on_the_clipboard(served, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        run_selftest(page, served)
        page.get_by_role("button", name="Copy as Markdown").click()
        expect(page.locator("#selftest-copy-status")).to_have_text("Copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#selftest-markdown").input_value()
        assert re.search(r"^\| 1 MiB message \| not applicable \| ", copied, re.MULTILINE)
    finally:
        context.close()


def test_a_url_that_is_not_a_websocket_url_is_explained_and_nothing_runs(served, page):
    page.goto(f"{served.http_url}/echo/")
    expect(page.locator("#selftest[data-state=ready]")).to_have_count(1)
    page.locator("#url").fill("http://example.com/")
    page.get_by_role("button", name="Run self-test").click()
    expect(page.locator("#selftest-error")).to_have_text(
        "The Server URL must start with ws:// or wss://."
    )
    expect(page.locator('#selftest-rows tr[data-status="pending"]')).to_have_count(len(CHECKS))
