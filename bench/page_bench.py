"""Page-speed benchmark: `make serve`'s server against a bare ASGI app returning the same bytes.

    .venv/bin/python bench/page_bench.py                    # a guide, 50 connections, A/B/B/A x 2
    .venv/bin/python bench/page_bench.py --path /guides/    # another page
    .venv/bin/python bench/page_bench.py --profile /tmp/p   # and py-spy profiles of both runs
    .venv/bin/python bench/page_bench.py --no-setup         # skip `make setup` and collectstatic

What it does, in one run:

1. Sets up like `make serve` (`make setup`, then collectstatic) and picks a guide page
   (the one of median size), unless --path names a page.
2. Cached: starts the server `make serve` runs (`manage.py serve`: uvicorn, uvloop,
   httptools, DEBUG off, one process), with the machine's Redis as production has one
   (REDIS_URL), warms the page into the response cache, records
   the cached response (status, headers, body) and starts bench/bare_page.py, a bare ASGI
   app answering with exactly those bytes, under the same uvicorn options. Both servers
   are pinned to CPU 0 and wrk to CPU 1, so load generator and server never share a core.
   Each round is 1 s of warm-up then --duration seconds with --connections connections;
   rounds alternate project/bare/bare/project so drift in the machine's load falls on both.
3. Uncached: the same server with RESPONSE_CACHE=0, driven by one connection (the render
   time a reader waits: p50 and p99), then by --connections connections (throughput).
4. Query count of the page's render and of every guide's (min and max): it should not
   grow with the number of blocks, tags or guides.
5. The bytes of the site's own CSS and JavaScript: raw, gzip and Brotli.

The load generator is wrk (`apt-get install -y wrk`): a C event loop on its own core,
far from being the bottleneck. The figures and the goals are in docs/page-performance.md.
"""

import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from servers import CLIENT_CPU, PYTHON, ROOT, SERVER_CPU, Server, pin

from tests.servers import MACHINE_REDIS, machine_redis_is_up

# Performance II's goals (docs/page-performance.md).
GOAL_RATIO, GOAL_P99_MS, GOAL_UNCACHED_P50_MS, GOAL_QUERIES = 0.95, 5.0, 8.0, 8
OWN_STATIC = re.compile(r"(css|js|echo|finder|guides)/")


# --- Servers ---------------------------------------------------------------------------


def project_env(**extra):
    """`make serve`'s environment, with the machine's Redis as in production (the response
    cache's invalidations, and the Site and settings kept between requests, rely on it)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("REDIS_URL", MACHINE_REDIS),
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def project_server(cache=True):
    """The server `make serve` starts: `manage.py serve`, DEBUG off, one process."""
    command = [PYTHON, "manage.py", "serve", "--host=127.0.0.1", "--port={port}", "--workers=1"]
    return Server("project", command, project_env(RESPONSE_CACHE="1" if cache else "0"))


def bare_server(page_file):
    """bench/bare_page.py: the recorded response under `manage.py serve`'s uvicorn options."""
    command = [PYTHON, "bench/bare_page.py", str(page_file), "--port={port}"]
    return Server("bare", command, dict(os.environ))


# --- HTTP helpers ------------------------------------------------------------------------


def fetch(url):
    """(status, [(name, value)], body) with no Accept-Encoding, as wrk sends."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback http)
        return response.status, list(response.headers.items()), response.read()


def warm(url):
    """Fetch until the page is answered from the response cache; that response."""
    for _ in range(100):
        status, headers, body = fetch(url)
        if dict((k.lower(), v) for k, v in headers).get("cache-status", "").endswith("hit"):
            return status, headers, body
        time.sleep(0.05)
    raise SystemExit(f"{url} never came from the response cache: is RESPONSE_CACHE on?")


def record(response, path):
    status, headers, body = response
    # uvicorn adds Date and Server to every response, the bare app's too; Connection is
    # hop-by-hop (urllib asked for "close": replaying it would close every wrk connection).
    skip = ("date", "server", "connection", "keep-alive", "transfer-encoding")
    kept = [(k.lower(), v) for k, v in headers if k.lower() not in skip]
    path.write_text(
        json.dumps({"status": status, "headers": kept, "body": base64.b64encode(body).decode()})
    )


# --- Load ----------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * UNITS[match.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk(url, connections, duration):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, preexec_fn=pin(CLIENT_CPU)
    )
    measured = parse_wrk(result.stdout)
    if measured["errors"]:
        raise SystemExit(f"{url} answered {measured['errors']} non-2xx responses under load")
    return measured


def measure(url, connections, duration, server=None):
    """A wrk run after a 1 s warm-up; with `server`, also its CPU time per request (in
    microseconds), which, unlike requests/s, other work on the machine hardly moves."""
    wrk(url, connections, 1)  # warm-up: connections open, caches and JIT-free paths hot
    cpu_before = server.cpu_seconds() if server else 0.0
    result = wrk(url, connections, duration)
    if server:
        result["cpu_us"] = 1e6 * (server.cpu_seconds() - cpu_before) / result["requests"]
    return result


# --- Django, in this process: the page to measure and query counts -------------------------


def django_setup():
    os.environ.update(project_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def guide_paths():
    from wagtail.models import Page

    guides = [p for p in Page.objects.live().specific() if type(p).__name__ == "GuidePage"]
    guides.sort(key=lambda page: (len(page.body.raw_data), page.pk))  # by number of blocks
    return [page.get_url() for page in guides]


def count_queries(paths):
    """Queries per uncached render of each path, in this process, once it is warm as a
    serving process is: its invalidation bus subscribed, so that it keeps the Site and the
    site settings between requests (website/process_cache.py)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pagecache import runtime

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(paths[0])  # starts the bus, as a server's first request does
    if os.environ.get("REDIS_URL") and not runtime.bus().subscribed.wait(5):
        raise SystemExit("the response cache's invalidation bus never subscribed to Redis")
    client.get(paths[0])  # keeps the Site and settings
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        counts[path] = len(queries)
    return counts


# --- The store itself, in this process ---------------------------------------------------------


def store_costs(recorded, path, calls=20000):
    """Microseconds per call, no network: the bare app; a hit through the response cache
    (lookup, negotiation, two sends); Django's cache API for comparison, whose async
    methods hop to a thread (`await cache.aget`) and sync one (`cache.get`)."""
    import asyncio

    from django.core.cache import cache

    from bench.bare_page import make_app
    from pagecache.middleware import ResponseCache
    from pagecache.store import ResponseStore

    bare = make_app(recorded)
    store = ResponseStore()
    middleware = ResponseCache(bare, store)
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
            (b"accept", b"text/html,application/xhtml+xml"),
            (b"accept-encoding", b"gzip, deflate, br, zstd"),
            (b"accept-language", b"en-US,en;q=0.9"),
        ],
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    async def per_call(call):
        start = time.perf_counter()
        for _ in range(calls):
            await call()
        return (time.perf_counter() - start) / calls * 1e6

    async def run():
        await middleware(scope, receive, send)  # stores it
        if len(store) != 1:
            raise SystemExit("the recorded page was not stored")
        cache.set("bench-page", recorded["body"])

        async def sync_get():
            cache.get("bench-page")

        return {
            "bare ASGI app": await per_call(lambda: bare(scope, receive, send)),
            "response cache hit": await per_call(lambda: middleware(scope, receive, send)),
            "Django cache.get (sync)": await per_call(sync_get),
            "Django await cache.aget": await per_call(lambda: cache.aget("bench-page")),
        }

    return asyncio.run(run())


# --- Static sizes ---------------------------------------------------------------------------


def static_sizes():
    from django.conf import settings

    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
    rows = []
    for name, hashed in sorted(manifest["paths"].items()):
        if not (name.endswith((".css", ".js")) and OWN_STATIC.match(name)):
            continue
        file = Path(settings.STATIC_ROOT) / hashed
        sizes = [file.stat().st_size]
        for suffix in (".gz", ".br"):
            compressed = file.with_name(file.name + suffix)
            sizes.append(compressed.stat().st_size if compressed.exists() else None)
        rows.append((name, *sizes))
    return rows


# --- Profiles ---------------------------------------------------------------------------------


def profile(server, url, connections, duration, output):
    """py-spy's samples of `server` under load, as collapsed stacks, and the top frames."""
    py_spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    if not Path(py_spy).exists():
        print("  (py-spy is not installed: .venv/bin/pip install py-spy)")
        return
    recorder = subprocess.Popen(
        [
            *(py_spy, "record", "--format", "raw", "-r", "200", "-d", str(duration + 1)),
            *("-o", str(output), "-p", str(server.process.pid)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    wrk(url, connections, duration)
    recorder.wait()
    own, total = {}, 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        leaf = frames[-1]
        own[leaf] = own.get(leaf, 0) + int(count)
    print(f"  profile: {output} ({total} samples); most self time:")
    for frame, count in sorted(own.items(), key=lambda item: -item[1])[:12]:
        print(f"    {count / total:6.1%}  {frame}")


# --- Main -----------------------------------------------------------------------------------


def summarize(runs):
    return {
        "rps": statistics.mean(run["rps"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": statistics.median(run["p99"] for run in runs),
        "p99_worst": max(run["p99"] for run in runs),
        "cpu_us": statistics.median(run["cpu_us"] for run in runs),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", help="the page to measure (default: a guide of median size)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=2, help="A/B/B/A rounds")
    parser.add_argument("--no-setup", action="store_true", help="skip make setup, collectstatic")
    parser.add_argument("--profile", type=Path, help="a directory for py-spy profiles")
    args = parser.parse_args()

    if not os.environ.get("REDIS_URL") and not machine_redis_is_up():
        raise SystemExit(f"No Redis at {MACHINE_REDIS}: start one, or set REDIS_URL")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk (then run this again)")
    if not args.no_setup:
        print("Setting up like make serve: make setup, collectstatic ...", flush=True)
        subprocess.run(["make", "-s", "setup"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=project_env(),
            check=True,
        )
    django_setup()
    guides = guide_paths()
    if args.path:
        path, what = args.path, args.path
    elif guides:
        path = guides[len(guides) // 2]
        what = f"{path} (the guide of median size, of {len(guides)})"
    else:
        path, what = "/", "/ (no guide is published yet: the home page instead)"
    cpus = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"Warning: the machine's load average is {load:.1f}: other work skews the figures")
    print(f"Page: {what}")
    print(
        f"Machine: {os.cpu_count()} CPUs; servers on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU}"
        if cpus >= 2
        else "Machine: 1 CPU: servers and wrk share it"
    )

    workdir = Path(tempfile.mkdtemp(prefix="page-bench-"))
    project, bare = project_server(cache=True), None
    try:
        project.start()
        cached = warm(project.url + path)
        record(cached, workdir / "page.json")
        bare = bare_server(workdir / "page.json").start()
        print(f"Cached response: {len(cached[2])} bytes, {cached[0]}, same bytes from the bare app")
        assert fetch(bare.url + path)[2] == cached[2]

        runs = {"project": [], "bare": []}
        order = ["project", "bare", "bare", "project"] * args.rounds
        print(f"\nCached page: {args.connections} connections, {args.duration} s rounds, {order}")
        for name in order:
            server = project if name == "project" else bare
            run = measure(server.url + path, args.connections, args.duration, server)
            runs[name].append(run)
            print(
                f"  {name:8} {run['rps']:9.0f} req/s  p50 {run['p50']:6.2f} ms  "
                f"p99 {run['p99']:6.2f} ms  server {run['cpu_us']:5.1f} us CPU/request  "
                f"({run['requests']} requests)",
                flush=True,
            )
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            profile(
                project, project.url + path, args.connections, args.duration,
                args.profile / "cached.txt",
            )  # fmt: skip
    finally:
        project.stop()
        if bare:
            bare.stop()

    uncached = project_server(cache=False)
    try:
        uncached.start()
        for _ in range(20):
            fetch(uncached.url + path)
        print("\nUncached render (RESPONSE_CACHE=0):")
        single = wrk(uncached.url + path, 1, args.duration)
        print(
            f"  1 connection   {single['rps']:7.1f} req/s  p50 {single['p50']:6.2f} ms  "
            f"p99 {single['p99']:6.2f} ms"
        )
        loaded = measure(uncached.url + path, args.connections, args.duration)
        print(
            f"  {args.connections} connections {loaded['rps']:7.1f} req/s  "
            f"p50 {loaded['p50']:6.2f} ms  p99 {loaded['p99']:6.2f} ms"
        )
        if args.profile:
            profile(uncached, uncached.url + path, 1, args.duration, args.profile / "uncached.txt")
    finally:
        uncached.stop()

    counts = count_queries([path, *guides])
    guide_counts = [counts[p] for p in guides] or [counts[path]]
    print(f"\nQueries: {counts[path]} for {path}")
    if guides:
        print(
            f"  every guide: min {min(guide_counts)}, max {max(guide_counts)} "
            f"({len(guides)} guides); the fewest blocks: {guide_counts[0]}, "
            f"the most blocks: {guide_counts[-1]}"
        )

    print("\nIn this process, no network (microseconds per call):")
    recorded = json.loads((workdir / "page.json").read_text())
    for name, micros in store_costs(recorded, path).items():
        print(f"  {name:26} {micros:8.1f} us")

    print("\nStatic CSS and JavaScript (bytes: raw / gzip / brotli):")
    for name, raw, gz, br in static_sizes():
        print(f"  {name:28} {raw:7} / {gz or '-':>6} / {br or '-':>6}")

    p, b = summarize(runs["project"]), summarize(runs["bare"])
    ratio = p["rps"] / b["rps"]
    print("\nSummary")
    for label, row in (("bare ASGI app", b), ("cached page", p)):
        print(
            f"  {label:17} {row['rps']:9.0f} req/s  "
            f"p50 {row['p50']:6.2f} ms  p99 {row['p99']:6.2f} ms  "
            f"server {row['cpu_us']:5.1f} us CPU/request"
        )
    print(
        f"  ratio             {ratio:9.2f} of the bare app "
        f"({b['cpu_us'] / p['cpu_us']:.2f} per CPU-second)"
    )
    print(f"  uncached render   p50 {single['p50']:6.2f} ms (1 connection)")
    goals = [
        (f"cached >= {GOAL_RATIO} x bare", ratio >= GOAL_RATIO),
        (f"cached p99 <= {GOAL_P99_MS} ms (worst round)", p["p99_worst"] <= GOAL_P99_MS),
        (f"uncached p50 <= {GOAL_UNCACHED_P50_MS} ms", single["p50"] <= GOAL_UNCACHED_P50_MS),
        (f"at most {GOAL_QUERIES} queries for any guide", max(guide_counts) <= GOAL_QUERIES),
    ]
    for goal, met in goals:
        print(f"  {'met ' if met else 'MISSED'}  {goal}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
