"""The transport race in Chromium, against the production server process."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LANES = ("polling", "long_polling", "sse", "websocket")
SHORT_RACE = "?rate=5&size=200&duration=3&interval=250"  # 15 events


def run_race(page, server, query=SHORT_RACE):
    page.goto(f"{server.http_url}/tools/race/{query}")
    page.get_by_role("button", name="Start the race").click()
    expect(page.locator("#race")).to_have_attribute("data-state", "finished", timeout=30_000)


def metric(page, lane, name):
    return page.locator(f'[data-lane="{lane}"] [data-metric="{name}"]').inner_text()


def test_a_short_race_delivers_every_event_on_all_four_lanes(served, page, console_errors):
    run_race(page, served)
    for lane in LANES:
        assert metric(page, lane, "received") == "15", lane
        assert metric(page, lane, "missed") == "0", lane
        assert metric(page, lane, "duplicated") == "0", lane
        assert metric(page, lane, "out_of_order") == "0", lane
        assert int(metric(page, lane, "requests")) > 0, lane
        assert metric(page, lane, "median").endswith(" ms"), lane
        assert int(metric(page, lane, "bytes").split()[0]) > 200, lane
    assert console_errors == []


def test_poll_bytes_come_from_resource_timing_and_stream_bytes_are_marked_estimated(served, page):
    run_race(page, served)
    for lane in ("polling", "long_polling"):
        bytes_cell = page.locator(f'[data-lane="{lane}"] [data-metric="bytes"]')
        expect(bytes_cell).to_have_attribute("data-source", "measured")
    for lane in ("sse", "websocket"):
        bytes_cell = page.locator(f'[data-lane="{lane}"] [data-metric="bytes"]')
        expect(bytes_cell).to_contain_text("(estimated)")


def test_the_verdict_explains_the_result_and_links_the_guides(served, page):
    run_race(page, served)
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("At 5 events a second")
    expect(verdict).to_contain_text("No lane missed an event: all 15 arrived everywhere.")
    section = page.locator(".race-verdict")
    expect(section.get_by_role("link", name="protocol finder")).to_have_attribute(
        "href", "/finder/"
    )


def test_the_chart_draws_a_line_per_lane(served, page):
    run_race(page, served)
    for lane in LANES:
        expect(page.locator(f"#latency-chart .chart__line--{lane}")).to_have_count(1)


def test_values_beyond_the_limits_are_refused_beside_their_fields(served, page):
    page.goto(f"{served.http_url}/tools/race/?rate=50&size=200&duration=3&interval=250")
    page.get_by_role("button", name="Start the race").click()
    expect(page.locator("#race")).to_have_attribute("data-state", "failed")
    expect(page.locator("#rate-error")).to_contain_text("from 0.2 to 20")
    expect(page.get_by_label("Events a second")).to_have_attribute("aria-invalid", "true")
