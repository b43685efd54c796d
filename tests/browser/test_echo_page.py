"""The echo tester in Chromium, against the real servers."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.echo_tester import TIMEOUT, connect, open_tester, received, send
from tests.servers import free_port

pytestmark = pytest.mark.browser


def test_the_tester_runs_under_the_strict_csp_without_console_errors(served, page, console_errors):
    response = open_tester(page, served)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    connect(page)
    send(page, "hello")
    expect(received(page)).to_have_count(1)
    assert console_errors == []


def test_the_default_target_is_this_sites_own_echo_endpoint(served, page):
    open_tester(page, served)
    expect(page.locator("#url")).to_have_value(f"{served.ws_url}/ws/echo/")


def test_an_open_connection_shows_the_negotiated_subprotocol_and_extensions(served, page):
    open_tester(page, served)
    page.locator("#protocols").fill("chat, superchat")
    connect(page)
    expect(page.locator("#fact-protocol")).to_have_text("chat")
    expect(page.locator("#fact-extensions")).to_contain_text("permessage-deflate")


def test_a_text_message_comes_back_with_its_round_trip_time(tester):
    send(tester, "hello")
    echo = received(tester).first
    expect(echo.locator(".entry__body")).to_have_text("hello")
    expect(echo.locator(".entry__rtt")).to_have_text(re.compile(r"round trip \d+(\.\d+)? ms"))
    expect(echo.locator(".entry__size")).to_have_text("5 B")
    expect(tester.locator("#stat-received")).to_have_text("1 message · 5 B")
    expect(tester.locator("#stat-rtt-median")).to_have_text(re.compile(r"\d"))


def test_enter_sends_and_shift_enter_starts_a_new_line(tester):
    message = tester.locator("#message")
    message.click()
    message.type("line one")
    tester.keyboard.press("Shift+Enter")
    message.type("line two")
    tester.keyboard.press("Enter")
    expect(received(tester).first.locator(".entry__body")).to_have_text("line one\nline two")


def test_the_arrow_keys_recall_sent_messages(tester):
    for text in ("first", "second"):
        send(tester, text)
    expect(received(tester)).to_have_count(2)
    message = tester.locator("#message")
    message.focus()
    tester.keyboard.press("ArrowUp")
    expect(message).to_have_value("second")
    tester.keyboard.press("ArrowUp")
    expect(message).to_have_value("first")
    tester.keyboard.press("ArrowDown")
    expect(message).to_have_value("second")
    tester.keyboard.press("ArrowDown")
    expect(message).to_have_value("")


def test_an_empty_message_is_echoed_too(tester):
    send(tester, "")
    expect(received(tester).first.locator(".entry__empty")).to_have_text("(empty)")


def test_invalid_json_is_explained_beside_the_field_and_not_sent(tester):
    tester.get_by_label("JSON").check()
    send(tester, '{"unclosed": ')
    error = tester.locator("#message-error")
    expect(error).to_contain_text("Not valid JSON")
    expect(tester.locator("#message")).to_have_attribute("aria-invalid", "true")
    expect(tester.locator("#log .entry--out")).to_have_count(0)


def test_json_is_pretty_printed_and_echoed_as_json(tester):
    tester.get_by_label("JSON").check()
    tester.locator("#message").fill('{"type":"ping","id":1}')
    tester.get_by_role("button", name="Format JSON").click()
    expect(tester.locator("#message")).to_have_value('{\n  "type": "ping",\n  "id": 1\n}')
    tester.get_by_role("button", name="Send", exact=True).click()
    expect(received(tester).first.locator(".entry__type")).to_have_text("json")


def test_binary_written_in_hex_comes_back_as_a_hex_dump(tester):
    tester.get_by_label("Binary").check()
    send(tester, "de ad be ef 00")
    echo = received(tester).first
    expect(echo.locator(".entry__type")).to_have_text("binary")
    expect(echo.locator(".entry__size")).to_have_text("5 B")
    expect(echo.locator(".entry__body")).to_contain_text("00000000  de ad be ef 00")
    expect(echo.locator(".entry__rtt")).to_be_visible()


def test_binary_written_in_base64_comes_back_as_bytes(tester):
    tester.get_by_label("Binary").check()
    tester.get_by_label("Base64").check()
    send(tester, "SGVsbG8=")
    expect(received(tester).first.locator(".entry__body")).to_contain_text("48 65 6c 6c 6f")
    expect(received(tester).first.locator(".entry__body")).to_contain_text("|Hello|")


def test_bad_hex_is_explained_beside_the_field(tester):
    tester.get_by_label("Binary").check()
    send(tester, "zz")
    expect(tester.locator("#message-error")).to_have_text('"z" is not a hex digit.')


def test_an_html_payload_is_shown_as_literal_text(tester):
    dialogs = []
    tester.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold?</b>'
    send(tester, payload)
    body = received(tester).first.locator(".entry__body")
    expect(body).to_have_text(payload)
    assert tester.locator("#log img, #log script, #log b").count() == 0
    assert dialogs == []


def test_a_long_message_is_collapsed_until_asked_for(tester):
    send(tester, "\n".join(f"line {i}" for i in range(40)))
    echo = received(tester).first
    expect(echo.locator(".entry__preview")).to_be_visible()
    echo.get_by_text("Show all").click()
    expect(echo.locator(".entry__long .entry__body")).to_contain_text("line 39")
    expect(echo.locator(".entry__preview")).to_be_hidden()


def test_repeat_sends_the_message_every_interval_until_unchecked(tester):
    tester.clock.install()  # the page's timers now run only when the test winds them on
    tester.locator("#message").fill("tick")
    tester.locator("#repeat-ms").fill("100")
    tester.get_by_label("Repeat every").check()
    tester.clock.run_for(300)
    expect(received(tester).nth(3)).to_have_text(re.compile("tick"), timeout=TIMEOUT)
    tester.get_by_label("Repeat every").uncheck()
    sent = tester.locator("#log .entry--out")
    count = sent.count()
    tester.clock.run_for(1000)  # ten more intervals: every timer still set has fired
    assert sent.count() == count


def test_the_filter_shows_only_matching_entries(tester):
    for text in ("apple", "banana", "apricot"):
        send(tester, text)
    expect(received(tester)).to_have_count(3)
    tester.locator("#log-direction").select_option("in")
    tester.locator("#log-filter").fill("ap")
    expect(tester.locator("#log .entry:visible")).to_have_count(2)
    expect(tester.locator("#log-count")).to_have_text(re.compile(r"^2 of \d+ entries shown$"))


def test_paused_autoscroll_keeps_the_log_where_the_reader_left_it(tester):
    scroller = tester.locator("#log-scroller")
    for i in range(30):
        send(tester, f"line {i}")
    expect(received(tester)).to_have_count(30)
    at_bottom = "el => el.scrollHeight - el.scrollTop - el.clientHeight < 2"
    assert scroller.evaluate(at_bottom)
    tester.get_by_role("button", name="Pause autoscroll").click()
    expect(tester.get_by_role("button", name="Pause autoscroll")).to_have_attribute(
        "aria-pressed", "true"
    )
    scroller.evaluate("el => { el.scrollTop = 0; }")
    send(tester, "while paused")
    expect(received(tester)).to_have_count(31)
    assert scroller.evaluate("el => el.scrollTop") == 0


def test_clear_empties_the_log(tester):
    send(tester, "soon gone")
    expect(received(tester)).to_have_count(1)
    tester.get_by_role("button", name="Clear").click()
    expect(tester.locator("#log .entry")).to_have_count(0)
    expect(tester.locator("#log-count")).to_have_text("0 entries")


def test_the_round_trip_chart_is_drawn_as_echoes_arrive(tester):
    ink = """canvas => {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
        return painted;
    }"""
    chart = tester.locator("#rtt-chart")
    empty = chart.evaluate(ink)
    for i in range(5):
        send(tester, f"point {i}")
    expect(received(tester)).to_have_count(5)
    tester.wait_for_function(
        f"() => ({ink})(document.getElementById('rtt-chart')) > {empty}", timeout=TIMEOUT
    )


def test_reconnection_delays_back_off_exponentially_with_jitter(served, page):
    open_tester(page, served)
    delays = page.evaluate(
        """async () => {
            const tester = document.querySelector("script[src*='tester']").src;
            const { reconnectDelay } = await import(new URL("backoff.js", tester));
            const low = () => 0, high = () => 0.999999;
            return [1, 2, 3, 10, 50].map((n) => [reconnectDelay(n, low), reconnectDelay(n, high)]);
        }"""
    )
    assert delays == [[250, 500], [500, 1000], [1000, 2000], [15000, 30000], [15000, 30000]]


def test_the_log_exports_as_json(tester):
    send(tester, "keep me")
    expect(received(tester)).to_have_count(1)
    with tester.expect_download() as download_info:
        tester.get_by_role("button", name="Export JSON").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    rows = json.loads(Path(download.path()).read_text())
    echoes = [row for row in rows if row["direction"] == "in"]
    assert echoes[0]["text"] == "keep me"
    assert echoes[0]["rtt_ms"] >= 0


def test_the_log_exports_as_plain_text(tester):
    send(tester, "plain")
    expect(received(tester)).to_have_count(1)
    with tester.expect_download() as download_info:
        tester.get_by_role("button", name="Export text").click()
    text = Path(download_info.value.path()).read_text()
    assert re.search(r"Received\s+text\s+5 B\s+round trip .* ms  plain", text)


def test_closing_with_a_custom_code_shows_the_code_reason_and_meaning(tester):
    tester.locator("#close-code").fill("4001")
    tester.locator("#close-reason").fill("done testing")
    tester.get_by_role("button", name="Close connection").click()
    expect(tester.locator("#state")).to_have_text("Disconnected")
    last = tester.locator("#last-close")
    expect(last.locator(".last-close__code")).to_have_text("4001 Private use")
    expect(last.locator(".last-close__reason")).to_have_text("done testing")
    expect(last.locator(".last-close__meaning")).to_contain_text("Defined by the application")
    expect(last.locator(".last-close__clean")).to_have_text("yes")
    expect(last.locator(".last-close__help")).to_be_hidden()  # no guide for a private code


def test_a_refused_connection_is_a_1006_and_links_to_its_troubleshooting_guide(served, page):
    open_tester(page, served)
    page.locator("#url").fill(f"ws://127.0.0.1:{free_port()}/ws/echo/")  # nothing listens
    page.get_by_role("button", name="Connect", exact=True).click()
    last = page.locator("#last-close")
    expect(last.locator(".last-close__code")).to_have_text("1006 Abnormal closure", timeout=TIMEOUT)
    expect(last.locator(".last-close__meaning")).to_contain_text("refused handshake")
    guide = "/guides/troubleshooting/websocket-closed-with-1006/"
    expect(last.get_by_role("link", name="How to troubleshoot a 1006 close")).to_have_attribute(
        "href", guide
    )
    closed = page.locator("#log .entry--event").filter(has_text="Closed: 1006")
    expect(closed.get_by_role("link")).to_have_attribute("href", guide)


def test_a_close_code_a_browser_may_not_send_is_explained_beside_the_field(tester):
    tester.locator("#close-code").fill("1001")
    tester.get_by_role("button", name="Close connection").click()
    expect(tester.locator("#close-code-error")).to_contain_text("1000 or a code from 3000 to 4999")
    expect(tester.locator("#state")).to_have_text("Open")


def test_the_servers_1009_close_is_shown_with_its_registry_meaning(tester):
    send(tester, "x" * (64 * 1024 + 1))
    last = tester.locator("#last-close")
    expect(last.locator(".last-close__code")).to_have_text("1009 Message too big", timeout=TIMEOUT)
    expect(last.locator(".last-close__reason")).to_have_text(
        "Message too big: the limit is 64 KiB."
    )
    expect(last.locator(".last-close__meaning")).to_have_text(
        "A message was larger than the endpoint accepts."
    )


def test_an_invalid_url_is_explained_beside_the_field(served, page):
    open_tester(page, served)
    page.locator("#url").fill("http://example.com/")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#url-error")).to_contain_text("start with ws:// or wss://")
    expect(page.locator("#url")).to_be_focused()
    expect(page.locator("#state")).to_have_text("Disconnected")


def test_a_shared_link_fills_the_form_but_does_not_connect(served, page):
    page.clock.install()
    open_tester(page, served, "?url=ws://127.0.0.1:9/elsewhere&protocols=chat")
    expect(page.locator("#url")).to_have_value("ws://127.0.0.1:9/elsewhere")
    expect(page.locator("#protocols")).to_have_value("chat")
    page.clock.run_for(5000)  # whatever the page put off has run
    expect(page.locator("#state")).to_have_text("Disconnected")
    expect(page.locator("#log .entry")).to_have_count(0)


def test_the_share_link_carries_the_url_and_subprotocols(served, page):
    open_tester(page, served)
    page.locator("#url").fill("wss://echo.example/socket")
    page.locator("#protocols").fill("v2")
    page.get_by_text("Share these settings").click()
    link = page.locator("#share-link").input_value()
    assert link == f"{served.http_url}/echo/?url=wss%3A%2F%2Fecho.example%2Fsocket&protocols=v2"


def test_the_page_reconnects_by_itself_after_the_server_restarts(start_server, page):
    server = start_server("serve")
    open_tester(page, server)
    page.get_by_label("Reconnect automatically").check()
    connect(page)
    server.stop()
    expect(page.locator("#state")).to_have_text(re.compile("Reconnecting in"), timeout=TIMEOUT)
    reconnecting = page.locator("#log .entry--event").filter(has_text="Reconnecting in")
    expect(reconnecting.first).to_be_visible()
    server.start()
    expect(page.locator("#state")).to_have_text("Open", timeout=40_000)
    send(page, "back again")
    expect(received(page).first.locator(".entry__body")).to_have_text("back again")


def test_two_pages_in_a_room_hear_each_other(served, browser):
    pages = []
    for _ in range(2):
        context = browser.new_context()
        page = context.new_page()
        open_tester(page, served, "?room=browser-room")
        expect(page.locator("#state")).to_have_text("Open", timeout=TIMEOUT)
        pages.append(page)
    alice, bob = pages
    send(alice, "hello from alice")
    expect(received(bob).first.locator(".entry__body")).to_have_text("hello from alice")
    expect(received(bob).first.locator(".entry__from")).to_have_text("from another member")
    expect(received(alice)).to_have_count(0)
    for page in pages:
        page.context.close()


def test_the_second_tab_link_opens_the_same_room(served, page):
    open_tester(page, served)
    page.locator("#room-name").fill("team-42")
    expect(page.get_by_role("link", name="Open a second tab in this room")).to_have_attribute(
        "href", "/echo/?room=team-42"
    )


def test_an_invalid_room_name_is_explained_beside_the_field(served, page):
    open_tester(page, served)
    page.locator("#room-name").fill("no spaces")
    page.get_by_role("button", name="Join room").click()
    expect(page.locator("#room-name-error")).to_contain_text("letters, digits, hyphens")


def test_the_tester_works_from_the_keyboard_alone(served, page):
    open_tester(page, served)
    page.locator("#url").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_text("Open", timeout=TIMEOUT)
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "message":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("typed, not clicked")
    page.keyboard.press("Enter")
    expect(received(page).first.locator(".entry__body")).to_have_text("typed, not clicked")


def test_received_messages_are_announced_politely(tester):
    announcer = tester.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    send(tester, "for your ears")
    expect(announcer).to_have_text("Received: for your ears", timeout=TIMEOUT)


def test_snippet_tabs_follow_the_arrow_keys(served, page):
    open_tester(page, served)
    page.get_by_role("tab", name="Browser").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Node.js")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Node.js")).to_be_visible()
    expect(page.get_by_role("tabpanel", name="Browser")).to_be_hidden()


def test_snippets_carry_the_url_in_the_tester(served, page):
    open_tester(page, served)
    page.locator("#url").fill("wss://echo.example/socket")
    page.get_by_role("tab", name="Python").click()
    expect(page.get_by_role("tabpanel", name="Python")).to_contain_text(
        'connect("wss://echo.example/socket")'
    )


def test_a_snippets_copy_button_puts_its_code_on_the_clipboard(served, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_tester(page, served)
        page.get_by_role("tab", name="Python").click()
        panel = page.get_by_role("tabpanel", name="Python")
        panel.get_by_role("button", name=re.compile("^Copy")).click()
        expect(panel.locator(".snippet__status")).to_have_text("Copied.")
        assert (
            page.evaluate("navigator.clipboard.readText()") == panel.locator("code").text_content()
        )
    finally:
        context.close()


def test_the_page_fits_a_360px_screen(served, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    open_tester(page, served)
    connect(page)
    page.get_by_label("Binary").check()
    send(page, " ".join(["ab"] * 40))
    expect(received(page)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_runserver_echoes_in_the_browser_too(runserver, page, console_errors):
    open_tester(page, runserver)
    connect(page)
    send(page, "")
    send(page, "via Daphne")
    expect(received(page)).to_have_count(2)
    expect(received(page).first.locator(".entry__empty")).to_have_text("(empty)")
    assert console_errors == []
