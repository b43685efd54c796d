"""The echo tester in Chromium, against the real servers."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

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


@pytest.fixture
def tester(served, page):
    open_tester(page, served)
    connect(page)
    return page


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


# The chart, the tiles, the log and the close line, as a first-time visitor reads them

CALL_EXPORT = """async ([name, exported, calls]) => {
    const tester = document.querySelector("script[src*='tester']").src;
    const module = await import(new URL(name, tester));
    return calls.map((args) => module[exported](...args));
}"""


def call_export(page, name, exported, *calls):
    """Results of calling `exported` from one of the tester's modules, once per argument list."""
    return page.evaluate(CALL_EXPORT, [name, exported, list(calls)])


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (18.8, [0, 5, 10, 15, 20]),
        (6.3, [0, 2, 4, 6, 8]),
        (0.37, [0, 0.1, 0.2, 0.3, 0.4]),
        (1, [0, 0.5, 1]),
        (1234, [0, 500, 1000, 1500]),
        (0, [0, 0.5, 1]),
    ],
)
def test_the_charts_gridlines_fall_on_round_numbers(served, page, largest, ticks):
    open_tester(page, served)
    assert call_export(page, "chart.js", "roundTicks", [largest]) == [ticks]


def test_the_charts_gridlines_are_labelled_in_round_figures(served, page):
    open_tester(page, served)
    labels = call_export(page, "chart.js", "tickLabel", [0], [0.2], [5], [1500])
    assert labels == ["0", "0.2 ms", "5 ms", "1.5 s"]


def test_the_first_round_trips_are_drawn_from_the_charts_left_edge(tester):
    for i in range(3):
        send(tester, f"point {i}")
    expect(received(tester)).to_have_count(3)
    rightmost_line_pixel = """canvas => {
        const accent = getComputedStyle(canvas).getPropertyValue("--accent").trim();
        const probe = document.createElement("canvas").getContext("2d");
        probe.fillStyle = accent;
        probe.fillRect(0, 0, 1, 1);
        const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
        const { width, height } = canvas;
        const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        let rightmost = -1;
        for (let i = 0; i < data.length; i += 4) {
            const distance = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g)
                + Math.abs(data[i + 2] - b);
            const x = (i / 4) % width;
            if (distance < 30 && data[i + 3] > 200) rightmost = Math.max(rightmost, x);
        }
        return rightmost / width;
    }"""
    chart = tester.locator("#rtt-chart")
    tester.wait_for_function(
        f"() => ({rightmost_line_pixel})(document.getElementById('rtt-chart')) >= 0",
        timeout=TIMEOUT,
    )
    assert 0 <= chart.evaluate(rightmost_line_pixel) < 0.25


def test_the_sent_and_received_tiles_name_what_they_count(tester):
    expect(tester.locator("#stat-sent")).to_have_text("0 messages · 0 B")
    send(tester, "hello")
    expect(received(tester)).to_have_count(1)
    expect(tester.locator("#stat-sent")).to_have_text("1 message · 5 B")
    expect(tester.locator("#stat-received")).to_have_text("1 message · 5 B")


def test_the_empty_log_says_what_will_appear_in_it(served, page):
    open_tester(page, served)
    empty = page.locator("#log-scroller .log-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("appear here")
    connect(page)
    expect(empty).to_be_hidden()
    page.get_by_role("button", name="Clear").click()
    expect(empty).to_be_visible()


LINE_ENDINGS = """element => {
    const ends = [];
    let previous = null, top = null;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            if (top !== null && rect.top > top + 2) ends.push([previous, node.data[i]]);
            top = rect.top;
            previous = node.data[i];
        }
    }
    return ends;
}"""


def test_a_long_url_wraps_only_between_its_parts(served, page):
    open_tester(page, served)
    page.locator("#url").fill(
        f"{served.ws_url}/ws/echo/?session=abcdefghijkl&token=mnopqrstuvwx&client=echotester"
    )
    connect(page)
    ends = page.locator("#fact-url").evaluate(LINE_ENDINGS)
    assert ends, "the URL fits on one line: make it longer"
    for before, after in ends:
        assert before in "/?&=:-" or after in ".?&=", f"broke between {before!r} and {after!r}"


def relative_luminance(rgb):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted(map(relative_luminance, (first, second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rgb(css_colour):
    return tuple(int(part) for part in re.findall(r"\d+", css_colour)[:3])


FOCUS_COLOURS = """() => {
    const focused = document.activeElement;
    let backdrop = focused.parentElement;
    while (getComputedStyle(backdrop).backgroundColor === "rgba(0, 0, 0, 0)") {
        backdrop = backdrop.parentElement;
    }
    return {
        outline: getComputedStyle(focused).outlineColor,
        outlineStyle: getComputedStyle(focused).outlineStyle,
        background: getComputedStyle(backdrop).backgroundColor,
        error: getComputedStyle(document.getElementById("url-error")).color,
    };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_the_background_and_from_error_red(served, browser, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    open_tester(page, served)
    page.locator("#url").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    colours = page.evaluate(FOCUS_COLOURS)
    context.close()
    assert colours["outlineStyle"] == "solid"
    outline, background, error = (rgb(colours[k]) for k in ("outline", "background", "error"))
    assert contrast(outline, background) >= 3, colours
    assert contrast(outline, error) >= 3, colours


def close_line(page, reason):
    """Closes with 4001 and `reason`; the log's "Closed: ..." entry."""
    page.locator("#close-code").fill("4001")
    page.locator("#close-reason").fill(reason)
    page.get_by_role("button", name="Close connection").click()
    return page.locator("#log .entry--event").filter(has_text="Closed:")


def test_a_close_reason_ending_in_a_full_stop_gets_no_second_one(tester):
    closed = close_line(tester, "Done testing.")
    expect(closed).to_contain_text("Reason: “Done testing.” ")
    expect(closed).not_to_contain_text(".”.")


def test_a_close_reason_without_a_full_stop_ends_its_sentence_after_the_quote(tester):
    expect(close_line(tester, "done testing")).to_contain_text("Reason: “done testing”. ")


def test_message_sizes_read_in_the_units_of_the_limit(served, page):
    open_tester(page, served)
    sizes = call_export(page, "codec.js", "formatBytes", [5], [1024], [102400], [65537])
    assert sizes == ["5 B", "1 KiB", "100 KiB", "64.1 KiB"]


def test_the_size_limit_reads_the_same_in_the_close_reason_and_on_the_page(tester):
    limit = re.search(r"messages up to ([\d.]+ \w+)", tester.locator(".about").inner_text())[1]
    send(tester, "x" * (64 * 1024 + 1))
    reason = tester.locator("#last-close .last-close__reason")
    expect(reason).to_have_text(f"Message too big: the limit is {limit}.", timeout=TIMEOUT)
    expect(tester.locator("#log .entry--out .entry__size")).to_have_text("64.1 KiB")
