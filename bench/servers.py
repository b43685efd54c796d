"""What the benchmarks share: servers on free ports, pinned to the server's CPU.

The scripts import it as `servers`: bench/ is their own directory, first on sys.path.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One port policy for the tests and the benchmarks (its reasons are in tests/servers.py).
from tests.servers import free_port  # noqa: E402

PYTHON = sys.executable
SERVER_CPU, CLIENT_CPU = 0, 1  # on a 2-core machine, server and load never share a core


def pin(cpu):
    """A preexec_fn pinning the child (and every thread it starts) to one CPU."""
    if len(os.sched_getaffinity(0)) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class Server:
    """A server command ("{port}" in it is filled in) on a free port, pinned to SERVER_CPU."""

    priority = 0  # a niceness: echo_bench's --nice sets it for every server

    def __init__(self, name, command, env, cwd=ROOT):
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        command = [part.format(port=self.port) for part in self.command]
        self.process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=pin(SERVER_CPU),
        )
        if self.priority:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, self.priority)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{self.name} did not listen on port {self.port}")

    def cpu_seconds(self):
        """User and system CPU time the server process has used."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
