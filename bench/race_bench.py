"""One real transport race in Chromium: per-lane latency and bytes per message.

    .venv/bin/python bench/race_bench.py                  # starts `make serve`, two races
    .venv/bin/python bench/race_bench.py --url http://127.0.0.1:8000   # a server already up
    .venv/bin/python bench/race_bench.py --race 2,256,20,1000          # rate,size,seconds,poll ms

Opens /tools/race/ in Debian's Chromium (headless, Playwright), starts each race the way
a visitor does, waits for the verdict and prints what the page shows for every lane:
events received and missed, median and 95th-percentile latency, requests, and bytes per
message (measured by Resource Timing, or estimated where the browser does not say).
The figures are in docs/transport-race.md.
"""

import argparse
import contextlib
import datetime
from types import SimpleNamespace

from lighthouse import MakeServe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
LANES = ("polling", "long_polling", "sse", "websocket")
METRICS = ("received", "missed", "median", "p95", "requests", "bytes")
# One update every two seconds (a status page), and ten a second (a ticker).
RACES = ("0.5,256,20,1000", "10,256,10,1000")


def parse_race(text):
    rate, size, duration, interval = text.split(",")
    return float(rate), int(size), int(duration), int(interval)


def run_race(page, base, rate, size, duration, interval):
    page.goto(
        f"{base}/tools/race/?rate={rate:g}&size={size}&duration={duration}&interval={interval}"
    )
    page.get_by_role("button", name="Start the race").click()
    page.wait_for_selector(
        "#race[data-state=finished], #race[data-state=failed]", timeout=(duration + 60) * 1000
    )
    status = page.locator("#race-status").inner_text()
    rows = {
        lane: {
            name: page.locator(f'[data-lane="{lane}"] [data-metric="{name}"]').inner_text()
            for name in METRICS
        }
        for lane in LANES
    }
    verdict = page.locator("#verdict").inner_text()
    return status, rows, verdict


def print_race(spec, status, rows, verdict):
    rate, size, duration, interval = spec
    print(f"\nRace: {rate:g} events/s, {size} bytes, {duration} s, polling every {interval} ms")
    print(f"Page status: {status}")
    header = f"{'lane':<13} {'received':>8} {'missed':>6} {'median':>8} {'p95':>8} "
    print(header + f"{'requests':>8}  bytes/message")
    for lane, row in rows.items():
        print(
            f"{lane:<13} {row['received']:>8} {row['missed']:>6} {row['median']:>8} "
            f"{row['p95']:>8} {row['requests']:>8}  {row['bytes']}"
        )
    print("Verdict:\n  " + verdict.replace("\n\n", "\n").replace("\n", "\n  "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start `make serve`)")
    parser.add_argument("--race", action="append", help="rate,size,seconds,poll ms")
    args = parser.parse_args()
    races = [parse_race(text) for text in args.race or RACES]
    print(f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    running = SimpleNamespace(url=(args.url or "").rstrip("/"))
    server_context = contextlib.nullcontext(running) if args.url else MakeServe()
    with server_context as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for spec in races:
            print_race(spec, *run_race(page, server.url, *spec))
        browser.close()


if __name__ == "__main__":
    main()
