"""Private instances of Redis, PostgreSQL and nginx for fault tests.

Fault tests stop and restart servers, so they never touch the machine's shared
ones: each test gets its own process on its own port, in a temporary directory.
"""

import os
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
from pathlib import Path

from tests.servers import ROOT, OnLoopback, claim_server, free_port

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
REDIS_SERVER = shutil.which("redis-server")


def wait_for_port(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def wait_for_port_closed(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.05)
        except OSError:
            return
    raise RuntimeError(f"port {port} still open after {timeout}s")


class RedisServer:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        claim_server("redis-server")
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_for_port_closed(self.port)


class PostgresCluster:
    """A throwaway PostgreSQL cluster owned by the postgres user, trust auth on loopback."""

    def __init__(self):
        # Not under pytest's private temporary directory: the postgres user must reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="wsref-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command):
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def init(self):
        claim_server("a PostgreSQL cluster")
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync",
        )  # fmt: skip
        return self

    def start(self):
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.directory / "log"),
            "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip
        return self

    def stop(self):
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)


class Nginx(OnLoopback):
    """Debian's nginx running deploy/nginx-site.conf.template, rendered for loopback ports."""

    TEMPLATE = ROOT / "deploy" / "nginx-site.conf.template"

    def __init__(self, directory, app_ports, static_root):
        self.directory = Path(directory)
        self.port = free_port()
        self.app_ports = app_ports
        self.static_root = static_root
        self.process = None

    def render(self):
        """What envsubst does in a deployment: only our ${VARS}, nginx's $vars left alone."""
        site = string.Template(self.TEMPLATE.read_text()).safe_substitute(
            LISTEN=f"127.0.0.1:{self.port}",
            APP_SERVER_1=f"127.0.0.1:{self.app_ports[0]}",
            APP_SERVER_2=f"127.0.0.1:{self.app_ports[1]}",
            STATIC_ROOT=str(self.static_root),
        )
        (self.directory / "site.conf").write_text(site)
        # The main context a distribution's /etc/nginx/nginx.conf would provide. Workers run
        # as our own user: pytest's temporary directories are private to it.
        (self.directory / "nginx.conf").write_text(
            f"""
{"user root root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {self.directory}/nginx.pid;
error_log {self.directory}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.directory}/access.log;
    client_body_temp_path {self.directory}/body;
    proxy_temp_path {self.directory}/proxy;
    fastcgi_temp_path {self.directory}/fastcgi;
    uwsgi_temp_path {self.directory}/uwsgi;
    scgi_temp_path {self.directory}/scgi;
    include {self.directory}/site.conf;
}}
"""
        )

    def start(self):
        claim_server("nginx")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.render()
        conf = str(self.directory / "nginx.conf")
        subprocess.run([NGINX, "-t", "-c", conf, "-p", str(self.directory)], check=True,
                       capture_output=True)  # fmt: skip
        self.process = subprocess.Popen(
            [NGINX, "-c", conf, "-p", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
