"""The echo tester as a first-time visitor reads it: the chart, the tiles, the log and the
close line, in Chromium against the real servers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.echo_tester import TIMEOUT, connect, open_tester, received, send

pytestmark = pytest.mark.browser

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
