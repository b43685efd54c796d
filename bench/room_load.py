"""Room fan-out under load: two server processes, thousands of connections, zero loss.

    .venv/bin/python bench/room_load.py                  # 100 rooms x 20 members + idle, 60 s
    .venv/bin/python bench/room_load.py --duration 10    # a quick run

Starts two `manage.py serve` processes sharing Redis (REDIS_URL, default the machine's),
opens --rooms x --members room connections plus enough idle echo connections to reach
--connections, half on each process, from client processes of its own. Every member
sends a numbered, checksummed message every --interval seconds; every member checks
that it receives each other member's messages exactly once, in order, intact
(numbered per sender: a gap or a repeat is counted). At the
end every idle connection must still echo. Prints what was sent, delivered, lost,
corrupted and out of sequence, delivery latency and the servers' memory.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import ServerProcess, manage, prepare_database, server_env  # noqa: E402


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def payload(room, member, seq):
    body = f"{room}:{member}:{seq}:{time.time():.6f}"
    return json.dumps({"b": body, "c": zlib.crc32(body.encode())})


async def run_member(url, room, member, members, args, start_at, stop_at, report):
    import websockets

    expected_next = {other: 0 for other in range(members) if other != member}
    latencies, sent = [], 0
    async with websockets.connect(url, max_queue=None, ping_interval=None, open_timeout=30) as ws:
        report["connected"] += 1

        async def reader():
            async for raw in ws:
                message = json.loads(raw)
                body = message["b"]
                if zlib.crc32(body.encode()) != message["c"]:
                    report["corrupted"] += 1
                    continue
                r, sender, seq, stamp = body.split(":")
                sender, seq = int(sender), int(seq)
                if int(r) != room or sender == member:
                    report["misrouted"] += 1
                    continue
                if seq != expected_next[sender]:
                    # A jump forward is a gap (messages lost in between), back a repeat.
                    report["gaps" if seq > expected_next[sender] else "duplicated"] += 1
                expected_next[sender] = seq + 1
                report["delivered"] += 1
                latencies.append(time.time() - float(stamp))

        read_task = asyncio.create_task(reader())
        await asyncio.sleep(max(0, start_at - time.time()) + random.random() * args.interval)
        while time.time() < stop_at:
            await ws.send(payload(room, member, sent))
            sent += 1
            await asyncio.sleep(args.interval)
        report["sent"] += sent
        report.setdefault("sent_by", {})[(room, member)] = sent
        await asyncio.sleep(args.drain)
        read_task.cancel()
        report.setdefault("received_from", {})[(room, member)] = dict(expected_next)
    report.setdefault("latencies", []).extend(latencies)


async def run_idle(url, start_at, stop_at, report):
    import websockets

    async with websockets.connect(url, ping_interval=None, open_timeout=30) as ws:
        report["connected"] += 1
        await asyncio.sleep(max(0, stop_at - time.time()))
        await ws.send("still here?")
        if await asyncio.wait_for(ws.recv(), 30) == "still here?":
            report["idle_alive"] += 1


async def measure_loop_lag(start_at, stop_at, report, period=0.01):
    """The load client's own event-loop lag while members send: how late a 10 ms sleep
    wakes. A delivery that arrives while this client's loop is stalled is stamped late by
    as much, so a latency tail that this also shows is the client's (or the machine's),
    not the servers'."""
    lags = report.setdefault("loop_lags", [])
    await asyncio.sleep(max(0, start_at - time.time()))
    while time.time() < stop_at:
        before = time.perf_counter()
        await asyncio.sleep(period)
        lags.append(time.perf_counter() - before - period)


def measure_gc_pauses(start_at, stop_at, report):
    """The load client's garbage-collection pauses while members send (each one stalls
    its event loop)."""
    import gc

    pauses = report.setdefault("gc_pauses", [])
    started = []

    def callback(phase, info):
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started and start_at <= time.time() <= stop_at:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(callback)


async def freeze_before(start_at):
    """Once every connection is open, moves what the client holds (its connections) out of
    the garbage collector's way, so that its collections while members send stay short:
    without this the client's own pauses (up to 250 ms) were the delivery latency's tail."""
    import gc

    await asyncio.sleep(max(0, start_at - 1 - time.time()))
    gc.collect()
    gc.freeze()


def client_process(jobs, args, start_at, stop_at, queue):
    async def main():
        report = dict.fromkeys(
            ("connected", "sent", "delivered", "corrupted", "misrouted", "gaps",
             "duplicated", "idle_alive", "errors"), 0,
        )  # fmt: skip
        measure_gc_pauses(start_at, stop_at, report)
        lag_task = asyncio.create_task(measure_loop_lag(start_at, stop_at, report))
        freezing = asyncio.create_task(freeze_before(start_at))
        tasks = []
        for index, job in enumerate(jobs):
            if job[0] == "member":
                _, url, room, member = job
                tasks.append(run_member(url, room, member, args.members, args, start_at,
                                        stop_at, report))  # fmt: skip
            else:
                tasks.append(run_idle(job[1], start_at, stop_at, report))
            if index % 50 == 49:  # ramp up at --connect-rate, as real clients arrive
                await asyncio.sleep(50 * args.clients / args.connect_rate)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        lag_task.cancel()
        freezing.cancel()
        report["errors"] = sum(1 for r in results if isinstance(r, Exception))
        report["error_kinds"] = sorted({repr(r)[:120] for r in results if isinstance(r, Exception)})
        return report

    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    queue.put(asyncio.run(main()))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--connections", type=int, default=5000, help="total, idle included")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument(
        "--interval", type=float, default=5.0, help="seconds between a member's messages"
    )
    parser.add_argument("--drain", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--connect-rate", type=float, default=250, help="new connections/s")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="room-load-"))
    env = server_env(
        workdir / "db.sqlite3",
        REDIS_URL=args.redis_url,
        STATIC_ROOT=str(workdir / "static"),
        ECHO_MAX_CONNECTIONS_PER_ADDRESS="100000",
        ECHO_IDLE_TIMEOUT="0",
        LOG_LEVEL="WARNING",
    )
    prepare_database(env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    servers = [ServerProcess("serve", env, log_path=workdir / f"server-{i}.log") for i in range(2)]
    for server in servers:
        server.start()
    base_rss = [rss_kib(s.process.pid) for s in servers]

    jobs, index = [], 0
    tag = random.randrange(1 << 30)
    for room in range(args.rooms):
        for member in range(args.members):
            server = servers[index % 2]
            jobs.append(("member", f"{server.ws_url}/ws/room/load-{tag}-{room}/", room, member))
            index += 1
    while len(jobs) < args.connections:
        jobs.append(("idle", f"{servers[index % 2].ws_url}/ws/echo/"))
        index += 1
    random.shuffle(jobs)

    connect_time = len(jobs) / args.connect_rate + 10
    start_at = time.time() + connect_time
    stop_at = start_at + args.duration
    queue = multiprocessing.Queue()
    shares = [jobs[i :: args.clients] for i in range(args.clients)]
    procs = [
        multiprocessing.Process(target=client_process, args=(share, args, start_at, stop_at, queue))
        for share in shares
    ]
    for proc in procs:
        proc.start()
    time.sleep(max(0, start_at - time.time()))
    cpu_at_start = [cpu_seconds(s.process.pid) for s in servers]
    time.sleep(args.duration / 2)
    peak_rss = [rss_kib(s.process.pid) for s in servers]
    time.sleep(max(0, stop_at - time.time()))
    sending_cpu = sum(cpu_seconds(s.process.pid) for s in servers) - sum(cpu_at_start)
    reports = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    for server in servers:
        server.stop()

    total = {k: sum(r[k] for r in reports) for k in reports[0] if isinstance(reports[0][k], int)}
    sent_by = {k: v for r in reports for k, v in r.get("sent_by", {}).items()}
    received_from = {k: v for r in reports for k, v in r.get("received_from", {}).items()}
    lost = 0
    for (room, _member), seen in received_from.items():
        for sender, next_seq in seen.items():
            lost += sent_by.get((room, sender), 0) - next_seq
    expected = sum(sent * (args.members - 1) for sent in sent_by.values())
    latencies = sorted(x for r in reports for x in r.get("latencies", []))
    idle_total = len(jobs) - args.rooms * args.members

    print(f"servers: 2 x manage.py serve, Redis at {args.redis_url}")
    print(f"connections: {total['connected']} of {len(jobs)} opened "
          f"({args.rooms} rooms x {args.members} members + {idle_total} idle echo)")  # fmt: skip
    print(f"run: {args.duration:.0f} s, each member sends every {args.interval} s")
    rate = total["delivered"] / args.duration
    print(f"messages sent: {total['sent']}, deliveries expected: {expected}, "
          f"delivered: {total['delivered']} ({rate:.0f}/s)")  # fmt: skip
    print(f"lost: {lost}, corrupted: {total['corrupted']}, misrouted: {total['misrouted']}, "
          f"gaps: {total['gaps']}, duplicated: {total['duplicated']}")  # fmt: skip
    print(f"idle connections still echoing at the end: {total['idle_alive']} of {idle_total}")
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"delivery latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    lags = sorted(x for r in reports for x in r.get("loop_lags", []))
    if lags:
        late = sum(1 for x in lags if x > 0.010) / len(lags) * 100
        print(f"load client's own event-loop lag while sending (10 ms probe): "
              f"p50 {statistics.median(lags) * 1000:.1f} ms, "
              f"p99 {lags[int(len(lags) * 0.99) - 1] * 1000:.1f} ms, max {lags[-1] * 1000:.0f} ms, "
              f"over 10 ms {late:.1f}% of the time")  # fmt: skip
    pauses = [x for r in reports for x in r.get("gc_pauses", [])]
    if pauses:
        print(f"load client's garbage collections while sending: {len(pauses)}, "
              f"longest {max(pauses) * 1000:.0f} ms, {sum(pauses):.2f} s in all")  # fmt: skip
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    if total["delivered"]:
        per_delivery = sending_cpu / total["delivered"] * 1e6
        print(f"servers' CPU while sending: {sending_cpu / args.duration * 100:.0f} % of a core "
              f"for both, {per_delivery:.1f} us per delivery")  # fmt: skip
    for i, (before, peak) in enumerate(zip(base_rss, peak_rss, strict=True)):
        per = (peak - before) / max(1, len(jobs) / 2)
        print(f"server {i}: RSS {before / 1024:.0f} MiB idle -> {peak / 1024:.0f} MiB loaded "
              f"({per:.1f} KiB per connection)")  # fmt: skip
    errors = [kind for r in reports for kind in r.get("error_kinds", [])]
    print(f"client errors: {total['errors']}" + (f" {sorted(set(errors))[:5]}" if errors else ""))
    ok = lost == 0 and total["corrupted"] == 0 and total["errors"] == 0
    print("RESULT:", "no lost or corrupted messages" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
