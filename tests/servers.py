"""Real server processes for tests that need a socket: runserver and `manage.py serve`.

pytest-django's live_server speaks only HTTP, so browser and raw-frame tests run
the same commands a developer runs, against a database file prepared for them.
"""

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_REDIS = "redis://127.0.0.1:6379/0"

# The tier of the test being run (tests/conftest.py sets it; None outside pytest, as in
# bench/): a test filed in a tier without servers that starts one fails, rather than
# slowing `make check` down unnoticed.
running_tier = None
TIERS_WITHOUT_SERVERS = ("unit", "db")


class ServerOutsideItsTier(Exception):
    pass


def claim_server(what):
    """Call before starting a server subprocess: refuses in a tier that promises none."""
    if running_tier in TIERS_WITHOUT_SERVERS:
        raise ServerOutsideItsTier(
            f"a {running_tier!r} test may not start {what}: ask for a server fixture "
            "(served, runserver, start_server, live_database, private_redis, private_postgres) "
            "so that the test is filed in the server tier (docs/testing.md)"
        )


def machine_redis_is_up():
    import redis

    try:
        return redis.Redis.from_url(MACHINE_REDIS, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def get(url, cookie=None, timeout=10):
    """GET `url` as a browser would, without following the error: (status, headers, body)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


_ports_given = set()


def free_port():
    """A free loopback port for a server, the one policy of the tests and benchmarks.

    Below the kernel's ephemeral range (32768-60999 by default), so that a port chosen
    now for a server started later is not taken meanwhile by some client's outgoing
    connection; picked at random, so that the engineers' parallel runs on one machine
    rarely try the same; and never the same twice in one process, so that a server
    restarted on its own port (a fault test's Redis) keeps it to itself."""
    while True:
        port = random.randrange(20000, 32768)
        if port in _ports_given:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port


def listening_socket_inodes(port):
    """The inodes of the sockets listening on loopback `port` (any address), from Linux's
    /proc/net/tcp; None where there is no /proc to ask."""
    try:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    listen = "0A"
    inodes = set()
    for row in table:
        fields = row.split()
        if fields[3] == listen and int(fields[1].rpartition(":")[2], 16) == port:
            inodes.add(fields[9])
    return inodes


def holds_port(pid, port):
    """Whether process `pid` is the one listening on `port`, not some other engineer's
    server that chose the same port a moment later (True where /proc cannot tell)."""
    inodes = listening_socket_inodes(port)
    if inodes is None:
        return True
    try:
        links = [os.readlink(entry) for entry in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:  # the process has gone
        return False
    return any(link.removeprefix("socket:[").removesuffix("]") in inodes for link in links)


class PortTaken(RuntimeError):
    pass


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def shell(env, code):
    """Run Python in a `manage.py shell` process of its own; what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def prepare_database(env):
    """Migrate and load the starter content, exactly as `make run` does."""
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("setup_site", env=env)
    manage("load_protocols", env=env)
    manage("load_guides", env=env)


class OnLoopback:
    """Something listening on `self.port` on loopback: its base URLs."""

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}"


class ServerProcess(OnLoopback):
    """One server subprocess on a free loopback port, ready when it answers HTTP."""

    def __init__(self, kind, env, port=None, log_path=None):
        self.kind = kind
        self.env = env
        self.port_given = port is not None
        self.port = port or free_port()
        self.log_path = log_path
        self.process = None
        self._log = None

    def log(self):
        """Everything the server process has printed so far."""
        exists = self.log_path is not None and self.log_path.exists()
        return self.log_path.read_text(errors="replace") if exists else ""

    def wait_for_log(self, text, timeout=10):
        """The log once `text` is in it: lines printed after a request are written soon after."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared in {self.log_path}:\n{log[-3000:]}")
            time.sleep(0.05)
        return log

    def command(self):
        if self.kind == "runserver":
            return [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                f"127.0.0.1:{self.port}",
            ]
        return [sys.executable, "manage.py", "serve", "--host=127.0.0.1", f"--port={self.port}"]

    def start(self, timeout=90):
        """Starts the server and returns once it answers HTTP on its port. If another
        process took the port it chose meanwhile (the machine is shared), it starts again
        on another one: an answer from that process must never pass for this server's."""
        claim_server(self.kind)
        while True:
            try:
                return self._start(timeout)
            except PortTaken:
                if self.port_given:
                    raise
                self.port = free_port()

    def _start(self, timeout):
        if self.log_path:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                if listening_socket_inodes(self.port):
                    raise PortTaken(f"another process listens on port {self.port}")
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}")
            if not holds_port(self.process.pid, self.port):
                time.sleep(0.05)
                continue
            try:
                with urllib.request.urlopen(self.http_url + "/", timeout=2) as response:
                    response.read()
                return self
            except urllib.error.HTTPError:
                return self  # It answered: the server is up.
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer on port {self.port} in {timeout}s")

    def log_tail(self, lines=60):
        """The end of the server's log, where a request's traceback is written."""
        with open(self.log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 32_768))
            tail = log.read().decode(errors="replace").splitlines()[-lines:]
        return "\n".join(tail)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
            self._log = None


def server_env(database, **extra):
    """The environment of a server subprocess; `database` is a SQLite path or a URL."""
    url = str(database) if "://" in str(database) else f"sqlite:///{database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env
