"""Uncached render of one page by two checkouts of the site, measured in the same run.

    .venv/bin/python bench/checkout_ab.py /work/wt/before .            # a page regression?
    .venv/bin/python bench/checkout_ab.py OLD NEW --path /guides/ --blocks 32
    .venv/bin/python bench/checkout_ab.py OLD NEW --postgres postgres://postgres@127.0.0.1:5432

Each checkout gets a fresh SQLite database (with --postgres, a fresh database on that
PostgreSQL server, dropped afterwards) and static root in a temporary directory, set up as
`make setup` does plus collectstatic, with its own code. Both servers (`manage.py
serve`, one process, RESPONSE_CACHE=0, DEBUG off) run at once, pinned to the server CPU;
this client, on the other CPU, sends blocks of keep-alive GETs to one and then the other
in the order A B B A, so drift in the machine's load falls on both. Per checkout: p50, p90
and the server's CPU time per request (user + system, less sensitive to other processes
than the wall clock).
"""

import argparse
import contextlib
import http.client
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from servers import CLIENT_CPU, Server

SETUP = (
    ["migrate", "--noinput", "-v", "0"],
    ["setup_site"],
    ["load_guides"],
    ["load_protocols"],
    ["collectstatic", "--noinput", "-v", "0"],
)


def checkout_env(directory, database_url=None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "RESPONSE_CACHE": "0",
        "DATABASE_URL": database_url or f"sqlite:///{directory}/db.sqlite3",
        "STATIC_ROOT": f"{directory}/static",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@contextlib.contextmanager
def postgres_databases(server_url, count):
    """`count` fresh databases on the PostgreSQL server at `server_url`; their URLs."""
    import psycopg

    names = [f"checkout_ab_{i}" for i in range(count)]

    def run(statement):
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    for name in names:
        run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        run(f"CREATE DATABASE {name}")
    try:
        yield [f"{server_url}/{name}" for name in names]
    finally:
        for name in names:
            run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def set_up(checkout, env):
    python = str(checkout / ".venv" / "bin" / "python")
    for command in SETUP:
        subprocess.run(
            [python, "manage.py", *command],
            cwd=checkout,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    command = [python, "manage.py", "serve", "--host=127.0.0.1", "--port={port}", "--workers=1"]
    return Server(checkout.name, command, env, cwd=checkout)


def get(connection, path):
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        # The server closed the connection while it idled (uvicorn's keep-alive timeout,
        # 5 s, can pass while the other server's blocks run on a loaded machine).
        connection.close()
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")


def measure(servers, path, blocks, per_block):
    connections = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=30) for s in servers]
    for connection in connections:
        for _ in range(30):  # warm-up: templates, URL resolvers, the connection
            get(connection, path)
    times, cpu = [[], []], [0.0, 0.0]
    for block in range(blocks):
        which = (0, 1, 1, 0)[block % 4]
        before = servers[which].cpu_seconds()
        for _ in range(per_block):
            start = time.perf_counter()
            get(connections[which], path)
            times[which].append((time.perf_counter() - start) * 1000)
        cpu[which] += servers[which].cpu_seconds() - before
    return times, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", type=Path, help="a checkout (the older)")
    parser.add_argument("b", type=Path, help="another checkout")
    parser.add_argument("--path", default="/guides/internals/opening-handshake/")
    parser.add_argument("--blocks", type=int, default=24, help="blocks, alternating A B B A")
    parser.add_argument("--per-block", type=int, default=60, help="requests per block")
    parser.add_argument("--postgres", metavar="SERVER_URL", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    with contextlib.ExitStack() as stack:
        directories = [stack.enter_context(tempfile.TemporaryDirectory()) for _ in range(2)]
        urls = (
            stack.enter_context(postgres_databases(args.postgres, 2))
            if args.postgres
            else [None, None]
        )
        checkouts = [(args.a.resolve(), directories[0]), (args.b.resolve(), directories[1])]
        servers = [
            set_up(checkout, checkout_env(d, url)).start()
            for (checkout, d), url in zip(checkouts, urls, strict=True)
        ]
        try:
            times, cpu = measure(servers, args.path, args.blocks, args.per_block)
        finally:
            for server in servers:
                server.stop()
    print(f"{args.path}, load average {os.getloadavg()[0]:.1f}")
    for (checkout, _), samples, seconds in zip(checkouts, times, cpu, strict=True):
        samples.sort()
        n = len(samples)
        print(
            f"  {checkout}: n={n} p50 {statistics.median(samples):.2f} ms  "
            f"p90 {samples[9 * n // 10]:.2f} ms  server CPU {seconds * 1000 / n:.2f} ms/request"
        )


if __name__ == "__main__":
    main()
