"""Echo benchmark: the project's `make serve` server against a bare ASGI echo under uvicorn.

    .venv/bin/python bench/echo_bench.py                      # throughput and round trips
    .venv/bin/python bench/echo_bench.py --idle 10000         # and the idle-memory check
    .venv/bin/python bench/echo_bench.py --profile /tmp/p.txt # and py-spy on the project
    .venv/bin/python bench/echo_bench.py --candidates         # and the servers not chosen

Both servers run in this same run, one process each, pinned to CPU 0; the load comes from
a separate client process pinned to CPU 1 (a raw asyncio client on uvloop: pre-built masked
frames, no library in the way), so on a 2-core machine server and client never share a
core. Load: a closed loop on 50 connections, each with one 64-byte text message in flight
at a time, a warm-up then a measured window, rounds alternating A/B/B/A so that drift in
the machine's load falls on both. The project runs with its limits on, the rate limit
raised so that the load is not refused, and the per-address limit off (every connection
comes from 127.0.0.1).
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from servers import CLIENT_CPU, PYTHON, ROOT, SERVER_CPU, Server

HANDSHAKE = (
    "GET /ws/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    "{extra}\r\n"
)
DEFLATE_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"


def masked_text_frame(payload):
    """A client text frame (payload < 126 bytes) with a fixed mask key."""
    key = b"\x37\xfa\x21\x3d"
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + key + masked


# --- Servers ---------------------------------------------------------------------------


def project_env(database):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        "ECHO_RATE_PER_SECOND": "1000000",
        "ECHO_RATE_BURST": "1000000",
        "ECHO_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    env.pop("REDIS_URL", None)
    return env


def project_server(database):
    """`make serve`'s server: `manage.py serve`, DEBUG off."""
    command = [PYTHON, "manage.py", "serve", "--host=127.0.0.1", "--port={port}"]
    return Server("project", command, project_env(database))


def legacy_server(database):
    """Candidate: the project under uvicorn's legacy `websockets` implementation."""
    command = [
        str(Path(PYTHON).parent / "uvicorn"),
        "website.asgi:application",
        "--host=127.0.0.1",
        "--port={port}",
        "--loop=uvloop",
        "--http=httptools",
        "--ws=websockets",
        "--lifespan=off",
        "--no-access-log",
        "--log-level=warning",
    ]
    env = {**project_env(database), "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    return Server("uv-legacy", command, env)


def daphne_server(database):
    """Candidate: the project under Daphne, the server of `make run`."""
    command = [
        str(Path(PYTHON).parent / "daphne"),
        "-b",
        "127.0.0.1",
        "-p",
        "{port}",
        "website.asgi:application",
    ]
    return Server("daphne", command, project_env(database))


def bare_server(ws):
    """The bare ASGI echo under uvicorn, with `manage.py serve`'s uvicorn options."""
    run = (
        "import sys, uvicorn; uvicorn.run('bench.bare_echo:app', host='127.0.0.1', "
        "port=int(sys.argv[1]), loop='uvloop', http='httptools', ws=sys.argv[2], "
        "lifespan='off', access_log=False, log_level='warning'{log_config})"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "website.settings.dev"}
    if ":" in ws:
        # A protocol class of the project's: it reads Django's settings, and it logs to
        # `uvicorn.websockets`, which Django's LOGGING keeps at WARNING. Logging is set up
        # as `manage.py serve` does (log_config=None, LOG_LEVEL as in project_env): with
        # uvicorn's own logging config that logger is reset to INFO, and a line or two per
        # connection into the unread stderr pipe block the server after ~700 connections.
        run = "import django; django.setup(); " + run.format(log_config=", log_config=None")
        env["LOG_LEVEL"] = "WARNING"
    else:
        run = run.format(log_config="")
    return Server("bare", [PYTHON, "-c", run, "{port}", ws], env)


def serve_ws_implementation():
    """The uvicorn WebSocket implementation `manage.py serve` configures."""
    source = (ROOT / "website" / "management" / "commands" / "serve.py").read_text()
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("ws="):
            return line.split("=", 1)[1].strip(' ",')
    raise SystemExit("cannot find ws= in the serve command")


# --- Client (runs in its own process) ----------------------------------------------------


class Connection(asyncio.Protocol):
    """One closed-loop connection: sends a frame, waits for its echo, sends the next."""

    def __init__(self, load):
        self.load = load
        self.transport = None
        self.buffer = bytearray()
        self.open = False
        self.sent_at = 0
        self.opened = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        extra = DEFLATE_OFFER if self.load.deflate else ""
        transport.write(HANDSHAKE.format(key=key, extra=extra).encode())

    def connection_lost(self, exc):
        self.open = False
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data):
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(RuntimeError(bytes(buffer[:80]).decode()))
                return
            del buffer[: end + 4]
            self.open = True
            self.opened.set_result(None)
        while len(buffer) >= 2:
            length = buffer[1] & 0x7F
            if length >= 126:
                raise RuntimeError("the benchmark only sends small messages")
            if len(buffer) < 2 + length:
                return
            opcode = buffer[0] & 0x0F
            del buffer[: 2 + length]
            if opcode == 0x9:  # A keep-alive ping: answer it.
                self.transport.write(b"\x8a\x80\x00\x00\x00\x00")
                continue
            self.load.echoed(self, time.perf_counter_ns())

    def send(self):
        self.sent_at = time.perf_counter_ns()
        self.transport.write(self.load.frame)


class Load:
    def __init__(self, size, deflate=False):
        self.frame = masked_text_frame(b"x" * size)
        self.deflate = deflate
        self.running = False
        self.measuring = False
        self.rtts = []
        self.echoes = 0
        self.pending_echo = None

    def echoed(self, connection, now):
        if self.pending_echo is not None:
            self.pending_echo(connection)
            return
        self.echoes += 1
        if self.measuring:
            self.rtts.append(now - connection.sent_at)
        if self.running:
            connection.send()


async def open_connections(port, count, load, concurrency=200, timeout=30):
    """Opens `count` connections, `concurrency` handshakes at a time; returns those that
    opened (a handshake that fails or takes over `timeout` seconds is left out)."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)

    async def one():
        async with gate:
            transport, connection = await loop.create_connection(
                lambda: Connection(load), "127.0.0.1", port
            )
            try:
                await asyncio.wait_for(connection.opened, timeout)
            except (TimeoutError, ConnectionError):
                transport.abort()
                raise
            return connection

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    return [result for result in results if isinstance(result, Connection)]


async def run_load(port, connections, size, warmup, duration):
    load = Load(size)
    conns = await open_connections(port, connections, load)
    load.running = True
    for connection in conns:
        connection.send()
    await asyncio.sleep(warmup)
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    load.measuring = True
    started = time.perf_counter()
    await asyncio.sleep(duration)
    load.measuring = False
    elapsed = time.perf_counter() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    load.running = False
    await asyncio.sleep(0.2)
    for connection in conns:
        connection.transport.close()
    cpu = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    rtts = sorted(load.rtts)
    return {
        "messages_per_second": len(rtts) / elapsed,
        "p50_ms": rtts[len(rtts) // 2] / 1e6,
        "p99_ms": rtts[int(len(rtts) * 0.99)] / 1e6,
        "client_cpu": cpu / elapsed,
        "echoes": load.echoes,
    }


async def hold_idle(port, count, deflate):
    """Opens `count` connections, then on each command line from stdin: `echo` sends one
    message on every connection and waits for all the echoes; `close` ends."""
    load = Load(16, deflate=deflate)
    started = time.perf_counter()
    conns = await open_connections(port, count, load)
    print(json.dumps({"opened": len(conns), "seconds": time.perf_counter() - started}))
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        command = (await reader.readline()).decode().strip()
        if command == "echo":
            conns = [connection for connection in conns if connection.open]
            waiting = set(conns)
            done = loop.create_future()

            def echoed(connection, waiting=waiting, done=done):
                waiting.discard(connection)
                if not waiting and not done.done():
                    done.set_result(None)

            load.pending_echo = echoed
            for connection in conns:
                connection.send()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done, 120)
            load.pending_echo = None
            print(json.dumps({"echoed": len(conns) - len(waiting)}))
            sys.stdout.flush()
        else:
            for connection in conns:
                connection.transport.close()
            return


def client_main(arguments):
    import uvloop

    os.sched_setaffinity(0, {CLIENT_CPU})
    if arguments.nice:
        os.setpriority(os.PRIO_PROCESS, 0, arguments.nice)
    if arguments.client == "load":
        result = uvloop.run(
            run_load(
                arguments.port,
                arguments.connections,
                arguments.size,
                arguments.warmup,
                arguments.duration,
            )
        )
        print(json.dumps(result))
    else:
        uvloop.run(hold_idle(arguments.port, arguments.idle, arguments.deflate))


# --- The run ------------------------------------------------------------------------------


def client_command(arguments, mode, port, **extra):
    command = [PYTHON, str(Path(__file__).resolve()), "--client", mode, "--port", str(port)]
    command += ["--nice", str(arguments.nice)]
    for name in ("connections", "size", "warmup", "duration", "idle"):
        command += [f"--{name}", str(extra.get(name, getattr(arguments, name)))]
    if extra.get("deflate"):
        command.append("--deflate")
    return command


def measure_round(arguments, server):
    """One round of load. Besides what the client saw, the server's own CPU time per
    message: it does not depend on what else the machine is doing, so it shows what one
    dedicated core would sustain even when the wall-clock figures are disturbed."""
    cpu_before = server.cpu_seconds()
    output = subprocess.run(
        client_command(arguments, "load", server.port),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(output)
    result["server_us_per_message"] = 1e6 * (server.cpu_seconds() - cpu_before) / result["echoes"]
    return result


def profile_round(arguments, server, path):
    spy = str(Path(PYTHON).parent / "py-spy")
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server.process.pid),
            "--duration",
            str(int(arguments.warmup + arguments.duration)),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            path,
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)
    measure_round(arguments, server)
    recorder.wait(60)
    return summarize_profile(path)


LINE_NUMBER = re.compile(r":\d+\)$")


def summarize_profile(path):
    """Self time per function (leaf frames) and total time under each function."""
    leaves, inclusive, total = Counter(), Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        total += count
        leaves[frames[-1]] += count
        for name in set(frames):
            inclusive[name] += count
    return total, leaves, inclusive


def print_profile(total, leaves, inclusive):
    print(f"\npy-spy: {total} samples of the project server under load")
    print("  self time, top frames:")
    for name, count in leaves.most_common(15):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("  total time under:")
    for label, needle in (
        ("the consumer's loop (echo/consumers.py __call__)", "__call__ (echo/consumers.py"),
        ("its limit checks and echo (websocket_receive)", "websocket_receive (echo/consumers.py"),
        ("uvicorn: reading frames (data_received)", "data_received (uvicorn"),
        ("uvicorn: ASGI receive()", "WebSocketsSansIOProtocol.receive (uvicorn"),
        ("uvicorn: ASGI send()", "WebSocketsSansIOProtocol.send (uvicorn"),
        ("websockets: parsing (receive_data)", "receive_data (websockets"),
        ("websockets: framing (send_text)", "send_text (websockets"),
    ):
        matches = [count for name, count in inclusive.items() if needle in name]
        if matches:
            print(f"  {100 * sum(matches) / total:5.1f}%  {label}")


def summarize(results):
    return {
        "messages_per_second": statistics.median(r["messages_per_second"] for r in results),
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p99_ms": statistics.median(r["p99_ms"] for r in results),
        "client_cpu": max(r["client_cpu"] for r in results),
        "server_us_per_message": statistics.median(r["server_us_per_message"] for r in results),
    }


def idle_check(arguments, make_server, deflate):
    server = make_server().start()
    try:
        # Warm the code paths up with a few connections, so the baseline includes them.
        client = subprocess.Popen(
            client_command(arguments, "idle", server.port, idle=10, deflate=deflate),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        json.loads(client.stdout.readline())
        client.stdin.write("echo\n")
        client.stdin.flush()
        json.loads(client.stdout.readline())
        client.stdin.write("close\n")
        client.stdin.flush()
        client.wait(30)
        time.sleep(1)
        before = server.rss_kib()

        client = subprocess.Popen(
            client_command(arguments, "idle", server.port, deflate=deflate),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        opened = json.loads(client.stdout.readline())["opened"]
        time.sleep(2)
        idle = server.rss_kib()
        client.stdin.write("echo\n")
        client.stdin.flush()
        echoed = json.loads(client.stdout.readline())["echoed"]
        time.sleep(1)
        after_echo = server.rss_kib()
        client.stdin.write("close\n")
        client.stdin.flush()
        client.wait(60)
    finally:
        server.stop()
    return {
        "opened": opened,
        "echoed": echoed,
        "baseline_mib": before / 1024,
        "idle_kib_per_connection": (idle - before) / opened,
        "after_echo_kib_per_connection": (after_echo - before) / opened,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=4.0, help="measured seconds a round")
    parser.add_argument("--ws", help="uvicorn --ws for the bare app (default: serve's)")
    parser.add_argument("--idle", type=int, default=0, help="idle connections to hold (0: skip)")
    parser.add_argument("--profile", metavar="PATH", help="py-spy raw profile output")
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="also run the project under uvicorn's legacy websockets and under Daphne",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness for the servers and the client, e.g. -10 (needs root): on a shared "
        "machine it keeps other processes from taking the pinned cores mid-round",
    )
    parser.add_argument("--client", choices=["load", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--deflate", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.client:
        return client_main(arguments)
    if os.cpu_count() < 2:
        raise SystemExit("the benchmark pins server and client to two different CPUs")

    Server.priority = arguments.nice
    ws = arguments.ws or serve_ws_implementation()
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    factories = {"project": lambda: project_server(database), "bare": lambda: bare_server(ws)}
    if arguments.candidates:
        factories["uv-legacy"] = lambda: legacy_server(database)
        factories["daphne"] = lambda: daphne_server(database)
    servers = {name: make() for name, make in factories.items()}
    print(
        f"{arguments.connections} connections, {arguments.size}-byte text messages, closed "
        f"loop, {arguments.warmup:g} s warm-up + {arguments.duration:g} s measured per round; "
        f"uvicorn --ws {ws}; server on CPU {SERVER_CPU}, client on CPU {CLIENT_CPU}; "
        f"niceness {arguments.nice}; load average {os.getloadavg()[0]:.2f}"
    )
    results = {name: [] for name in servers}
    try:
        for server in servers.values():
            server.start()
        order = list(servers)
        for round_number in range(arguments.rounds):
            for name in order if round_number % 2 == 0 else reversed(order):
                result = measure_round(arguments, servers[name])
                results[name].append(result)
                print(
                    f"  round {round_number + 1} {name:9} {result['messages_per_second']:8.0f} "
                    f"msg/s  p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
                    f"server {result['server_us_per_message']:.1f} us CPU/msg  "
                    f"client CPU {100 * result['client_cpu']:.0f}%"
                )
        if arguments.profile:
            print_profile(*profile_round(arguments, servers["project"], arguments.profile))
    finally:
        for server in servers.values():
            server.stop()

    summaries = {name: summarize(rounds) for name, rounds in results.items()}
    print("\nmedian of rounds      msg/s     p50 ms   p99 ms   server CPU/msg   msg/s per CPU-s")
    for name, summary in summaries.items():
        print(
            f"  {name:12} {summary['messages_per_second']:10.0f} {summary['p50_ms']:9.2f} "
            f"{summary['p99_ms']:8.2f} {summary['server_us_per_message']:11.1f} us "
            f"{1e6 / summary['server_us_per_message']:14.0f}"
        )
    project, bare = summaries["project"], summaries["bare"]
    ratio = project["messages_per_second"] / bare["messages_per_second"]
    cpu_ratio = bare["server_us_per_message"] / project["server_us_per_message"]
    p99_over = project["p99_ms"] / bare["p99_ms"] - 1
    print(
        f"  ratio project / bare: {ratio:.2f} measured, {cpu_ratio:.2f} per CPU-second "
        f"(goal >= 0.95); p99 {100 * p99_over:+.0f} % against the bare app's (goal <= +10 %)"
    )
    busiest = max(summary["client_cpu"] for summary in summaries.values())
    print(f"  busiest client CPU: {100 * busiest:.0f}% of its core")

    if arguments.idle:
        print(f"\n{arguments.idle} idle connections to one server process:")
        for name, make_server in factories.items():
            for deflate in (False, True):
                check = idle_check(arguments, make_server, deflate)
                print(
                    f"  {name:9} {'permessage-deflate' if deflate else 'no compression':18} "
                    f"opened {check['opened']}, echoed {check['echoed']}; "
                    f"{check['idle_kib_per_connection']:.1f} KiB/connection idle, "
                    f"{check['after_echo_kib_per_connection']:.1f} KiB after one echo each "
                    f"(baseline {check['baseline_mib']:.0f} MiB)"
                )
    return None


if __name__ == "__main__":
    main()
