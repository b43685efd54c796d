"""Lighthouse scores of the site's page types, on the mobile and desktop presets.

    .venv/bin/python bench/lighthouse.py                 # starts `make serve`, 3 runs each
    .venv/bin/python bench/lighthouse.py --runs 1        # quicker, noisier
    .venv/bin/python bench/lighthouse.py --url http://127.0.0.1:8000   # a server already up

What it does:

1. Starts `make serve` (set-up, collectstatic, then `manage.py serve`: uvicorn, DEBUG off,
   one process) on a free loopback port, unless --url names a running server.
2. Runs the `lighthouse` CLI from package.json (`npm ci` installs it; `make test` does)
   against Debian's Chromium (`CHROME_PATH=/usr/bin/chromium`, headless, no sandbox, no
   GPU) on the home page, the longest guide (the most HTML: the worst case), the library
   index, a section, the echo tester and a protocol finder result, with Lighthouse's
   mobile preset (the default: simulated slow 4G and a 4x slower CPU) and its desktop one.
   Before each page's runs it asks for the page until the response cache holds it: the
   scores are those of the page most readers get (the first reader after a publish, or
   after RESPONSE_CACHE_MAX_AGE, gets Django's uncompressed render instead).
3. Prints a table of the four category scores, each the median of --runs runs, and under
   it every audit that cost a page points, then whether the goals are met: at least 98 in
   performance and 100 in accessibility, best practices and SEO everywhere. Exits 1 when
   they are not.

One Lighthouse run takes 10-20 s here; the whole default run takes about 8 minutes, so
it is a script, not a test. The figures are in docs/web-quality.md.
"""

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from servers import ROOT, free_port

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOALS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
PRESETS = ("mobile", "desktop")
ATTEMPTS = 3
# A chat for browsers and mobile apps: the finder recommends WebSocket.
FINDER_RESULT = (
    "/finder/result/?direction=both&freshness=seconds&rate=steady&payload=text&size=small"
    "&lifetime=session&clients=browser&clients=mobile&delivery=catch_up&audience=personal"
    "&scale=medium"
)


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback http)
        return response.read().decode()


class MakeServe:
    """`make serve` on a free port, in a process group of its own so that stopping it
    stops make's child, the server, too."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        command = ["make", "--no-print-directory", "serve", "HOST=127.0.0.1"]
        command += [f"PORT={self.port}", "WORKERS=1"]
        print(f"Starting {' '.join(command)} (set-up first: it may take a minute)", flush=True)
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"make serve exited with {self.process.returncode}")
            try:
                get(self.url + "/healthz")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        self.__exit__()
        raise SystemExit("make serve did not answer in 10 minutes")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def warm(url):
    """Ask for a page until the response cache answers it, as it answers most readers: a
    miss is rendered by Django and sent uncompressed, the stored copy as Brotli."""
    for _ in range(10):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
            if "hit" in response.headers.get("Cache-Status", ""):
                return True
        time.sleep(0.1)
    print(f"{url} is not answered from the response cache", file=sys.stderr)
    return False


def longest_guide(base):
    """The guide with the most HTML, from the sitemap: the heaviest page a reader opens."""
    sitemap = get(base + "/sitemap.xml")
    locations = [part.split("</loc>")[0] for part in sitemap.split("<loc>")[1:]]
    guides = [url for url in locations if url.rstrip("/").count("/") == 5]  # /guides/s/g/
    if not guides:
        raise SystemExit("the sitemap lists no guide: run `make setup` (it loads them)")
    longest = max(guides, key=lambda url: len(get(url)))
    return "/" + longest.split("/", 3)[3]


def pages(base):
    return [
        ("Home", "/"),
        ("Guide (longest)", longest_guide(base)),
        ("Library index", "/guides/"),
        ("Section", "/guides/internals/"),
        ("Echo tester", "/echo/"),
        ("Finder result", FINDER_RESULT),
    ]


def lighthouse(url, preset, report_path):
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROME_PATH}
    for attempt in range(1, ATTEMPTS + 1):
        # Lighthouse sometimes loses the trace on a busy machine (NO_NAVSTART): run again.
        if subprocess.run(command, env=env, cwd=ROOT).returncode == 0:
            report = json.loads(Path(report_path).read_text())
            if not report.get("runtimeError"):
                return report
        print(f"Lighthouse failed on {url} ({preset}), attempt {attempt}", file=sys.stderr)
    raise SystemExit(f"Lighthouse failed {ATTEMPTS} times on {url} ({preset})")


def scores(report):
    return {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}


def lost_points(report):
    """The weighted audits that did not pass, as 'category: audit (value)'."""
    lost = []
    for key in CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue") or f"score {audit['score']:.2f}"
                lost.append(f"{key}: {ref['id']} ({value})")
    return lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server's base URL; default: start make serve")
    parser.add_argument("--runs", type=int, default=3, help="runs per page and preset (median)")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci --ignore-scripts`")
    if not Path(CHROME_PATH).exists():
        raise SystemExit(f"no Chromium at {CHROME_PATH}: apt-get install chromium")

    rows, notes = [], []
    with contextlib.ExitStack() as stack:
        base = (options.url or stack.enter_context(MakeServe()).url).rstrip("/")
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for name, path in pages(base):
            for preset in PRESETS:
                warm(base + path)  # RESPONSE_CACHE_MAX_AGE may have passed since the last run
                runs = []
                for number in range(options.runs):
                    report = lighthouse(base + path, preset, tmp / f"{number}.json")
                    runs.append((scores(report), lost_points(report)))
                median = {
                    key: statistics.median_low(run[0][key] for run in runs) for key in CATEGORIES
                }
                rows.append((name, path, preset, median))
                print(f"{name:<16} {preset:<8} {median}", file=sys.stderr, flush=True)
                for lost in sorted({item for run in runs for item in run[1]}):
                    notes.append(f"{name}, {preset}: {lost}")

    print(f"\nLighthouse {lighthouse_version()}, median of {options.runs} run(s), {base}\n")
    print("| page | path | preset | performance | accessibility | best practices | SEO |")
    print("|---|---|---|---|---|---|---|")
    for name, path, preset, median in rows:
        shown = path if len(path) < 40 else path[:37] + "…"
        cells = " | ".join(str(median[key]) for key in CATEGORIES)
        print(f"| {name} | `{shown}` | {preset} | {cells} |")
    if notes:
        print("\nAudits that cost points in at least one run:")
        for note in notes:
            print(f"- {note}")
    missed = [
        f"{name} ({preset}) {key} {median[key]} < {goal}"
        for name, _, preset, median in rows
        for key, goal in GOALS.items()
        if median[key] < goal
    ]
    print("\nGoals (98 performance, 100 the rest): " + ("met" if not missed else "MISSED"))
    for miss in missed:
        print(f"- {miss}")
    return 1 if missed else 0


def lighthouse_version():
    result = subprocess.run(
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
