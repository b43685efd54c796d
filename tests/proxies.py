"""Debian's nginx, HAProxy and Caddy, each running a configuration given as text, in a
temporary directory, on loopback: the Deployment guides' recipes (tests/test_deployment_recipes.py).

Each runner starts its proxy in the foreground, checks the configuration first (so a
broken sample fails with the proxy's own message), reloads it the way its documentation
says to, and stops it. Everything a proxy writes (pid file, temporary files, its own
log) stays in the runner's directory.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.servers import OnLoopback, claim_server, free_port
from tests.services import NGINX, wait_for_port

HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
)
CADDY = shutil.which("caddy")
BINARIES = {"nginx": NGINX, "haproxy": HAPROXY, "caddy": CADDY}
PACKAGES = {"nginx": "nginx-light", "haproxy": "haproxy", "caddy": "caddy"}

VERSION_COMMANDS = {"nginx": ["-v"], "haproxy": ["-v"], "caddy": ["version"]}
VERSION_PATTERNS = {
    "nginx": r"nginx/(\d+\.\d+)",
    "haproxy": r"HAProxy version (\d+\.\d+)",
    "caddy": r"v?(\d+\.\d+)\.\d+",
}


def installed_version(proxy):
    """'1.22' for nginx 1.22.1: the major and minor version of the installed binary."""
    result = subprocess.run(
        [BINARIES[proxy], *VERSION_COMMANDS[proxy]], capture_output=True, text=True, timeout=10
    )
    found = re.search(VERSION_PATTERNS[proxy], result.stdout + result.stderr)
    return found.group(1) if found else None


class ConfigurationRefused(AssertionError):
    pass


class Proxy(OnLoopback):
    """One proxy process. `port` is where it listens; subclasses say how to run it."""

    name = ""

    def __init__(self, directory, port=None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process = None
        self.output_path = self.directory / "output.log"
        self._output = None

    def log(self, name="output.log"):
        path = self.directory / name
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_log(self, text, name="output.log", timeout=5):
        """The log once `text` is in it (a proxy writes a connection's line when it ends)."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log(name)):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared in {name}:\n{log[-3000:]}")
            time.sleep(0.05)
        return log

    def check(self, command):
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if result.returncode:
            raise ConfigurationRefused(
                f"{self.name} refused the configuration:\n{result.stdout}{result.stderr}"
            )

    def launch(self, command, env=None):
        claim_server(self.name)
        self._output = open(self.output_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, stdout=self._output, stderr=subprocess.STDOUT, env=env, cwd=self.directory
        )
        try:
            wait_for_port(self.port, timeout=15)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"{self.name} never listened:\n{self.log()[-3000:]}") from None

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._output:
            self._output.close()
            self._output = None


class NginxProxy(Proxy):
    """nginx with `site` (an http-context file, as in /etc/nginx/conf.d/) and `main` (the
    main context of nginx.conf: worker and events settings). Around them, only what a
    distribution's nginx.conf would give and paths in this directory."""

    name = "nginx"

    def __init__(self, directory, site, main="events {}", port=None):
        super().__init__(directory, port)
        self.site = site
        self.main = main

    def render(self):
        (self.directory / "site.conf").write_text(self.site + "\n")
        d = self.directory
        # Workers run as our own user: pytest's temporary directories are private to it.
        user = "user root root;" if os.geteuid() == 0 else ""
        (d / "nginx.conf").write_text(
            f"""{user}
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log info;
{self.main}
http {{
    include /etc/nginx/mime.types;
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/site.conf;
}}
"""
        )
        return d / "nginx.conf"

    def start(self):
        conf = self.render()
        self.check([NGINX, "-t", "-q", "-c", str(conf), "-p", str(self.directory)])
        self.launch([NGINX, "-c", str(conf), "-p", str(self.directory)])
        return self

    def reload(self):
        """`nginx -s reload`: SIGHUP to the master, which starts new workers and asks the
        old ones to finish what they have open. Returns once the new workers run."""
        done = self.log("error.log").count("reconfiguring")
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.log("error.log").count("start worker process") <= done or (
            self.log("error.log").count("reconfiguring") <= done
        ):
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not reload:\n" + self.log("error.log")[-3000:])
            time.sleep(0.05)
        time.sleep(0.2)  # the new workers' first accept()
        return self

    def stop(self, sig=signal.SIGQUIT):
        super().stop(sig)


class HAProxyProxy(Proxy):
    """HAProxy in master-worker mode (`-W`, as Debian's systemd unit runs it), in the
    foreground, with `config` as its whole configuration file."""

    name = "haproxy"

    def __init__(self, directory, config, port=None):
        super().__init__(directory, port)
        self.config = config

    def start(self):
        path = self.directory / "haproxy.cfg"
        path.write_text(self.config.rstrip("\n") + "\n")  # HAProxy needs the last LF
        self.check([HAPROXY, "-c", "-f", str(path)])
        self.launch([HAPROXY, "-W", "-db", "-f", str(path)])
        # The worker listens before the master is in its loop, ready for a reload signal:
        # a SIGUSR2 sent at once was once lost (no second worker ever came).
        self.wait_for_log("Loading success")
        time.sleep(0.3)
        return self

    def reload(self):
        """`systemctl reload haproxy`: SIGUSR2 to the master, which starts a new worker
        and tells the old one to stop accepting and finish (a soft stop)."""
        done = self.log().count("Loading success")
        self.process.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 10
        while self.log().count("Loading success") <= done:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError("HAProxy did not reload:\n" + self.log()[-3000:])
            time.sleep(0.05)
        return self


class CaddyProxy(Proxy):
    """Caddy running `caddyfile`, adapted to JSON by `caddy adapt` as `caddy run` does.
    The one change to the adapted configuration is the admin endpoint's address: each
    Caddy under test needs its own (the default, localhost:2019, is one per machine).
    Caddy's data and configuration folders (certificates, autosave) are in this directory."""

    name = "caddy"

    def __init__(self, directory, caddyfile, port=None):
        super().__init__(directory, port)
        self.caddyfile = caddyfile
        self.admin = f"127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            "HOME": str(self.directory),
            "XDG_DATA_HOME": str(self.directory / "data"),
            "XDG_CONFIG_HOME": str(self.directory / "config"),
        }

    def adapt(self):
        (self.directory / "Caddyfile").write_text(self.caddyfile + "\n")
        result = subprocess.run(
            [CADDY, "adapt", "--config", "Caddyfile", "--adapter", "caddyfile"],
            capture_output=True,
            text=True,
            cwd=self.directory,
            env=self.env,
            timeout=30,
        )
        if result.returncode:
            raise ConfigurationRefused(f"caddy refused the Caddyfile:\n{result.stderr}")
        config = json.loads(result.stdout)
        config["admin"] = {"listen": self.admin}
        (self.directory / "caddy.json").write_text(json.dumps(config, indent=1))

    def start(self):
        self.adapt()
        self.launch([CADDY, "run", "--config", "caddy.json"], env=self.env)
        return self

    def reload(self):
        """`caddy reload` (what `systemctl reload caddy` runs): the new configuration goes
        to the admin endpoint, which replaces the running one. --force: it is the same."""
        result = subprocess.run(
            [CADDY, "reload", "--config", "caddy.json", "--address", self.admin, "--force"],
            capture_output=True,
            text=True,
            cwd=self.directory,
            env=self.env,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        return self


def make_certificates(directory, name):
    """A private root CA, an intermediate CA it signs, and a certificate for `name` the
    intermediate signs, written as an ACME client such as certbot writes them:
    privkey.pem, cert.pem (the certificate alone), chain.pem (the intermediate) and
    fullchain.pem (both, certificate first). Clients trust root.pem only, as browsers
    trust only roots: a server must send the intermediate itself."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    signs = x509.KeyUsage(False, False, False, False, False, True, True, False, False)

    def issue(subject, public_key, issuer=None, signing_key=None, extensions=()):
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    root_key, intermediate_key, key = (ec.generate_private_key(ec.SECP256R1()) for _ in "abc")
    root = issue(
        "Recipes test root", root_key.public_key(), signing_key=root_key,
        extensions=[(x509.BasicConstraints(ca=True, path_length=1), True), (signs, True)],
    )  # fmt: skip
    intermediate = issue(
        "Recipes test intermediate", intermediate_key.public_key(), root, root_key,
        extensions=[(x509.BasicConstraints(ca=True, path_length=0), True), (signs, True)],
    )  # fmt: skip
    leaf = issue(
        name, key.public_key(), intermediate, intermediate_key,
        extensions=[
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (x509.SubjectAlternativeName([x509.DNSName(name)]), False),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        ],
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (directory / "root.pem").write_bytes(root.public_bytes(pem))
    (directory / "cert.pem").write_bytes(leaf.public_bytes(pem))
    (directory / "chain.pem").write_bytes(intermediate.public_bytes(pem))
    (directory / "fullchain.pem").write_bytes(
        leaf.public_bytes(pem) + intermediate.public_bytes(pem)
    )
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return directory
