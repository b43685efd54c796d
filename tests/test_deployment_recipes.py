"""The Deployment guides' proxy configurations, run in the real proxies in front of the
site's echo service, with a real WebSocket client going through them.

**What runs.** The samples marked `check=nginx`, `check=haproxy` or `check=caddy` in
guides/content/deployment/, read with the loader's own parser (tests/guide_content.py):
the configuration on the page, found by its `filename=`. Debian's packages run them
(nginx-light 1.22, haproxy 2.6, caddy 2.6); the page names the version, and
`test_the_version_the_page_names_is_the_one_installed` keeps that true. A proxy that is
not installed skips its tests with the package to install; under CI=true it fails them.

**What changes before it runs.** Only what a reader changes too, spelled out per recipe
below: the listening address (`listen 80`, `bind :80`, the site address `example.com`
becomes `http://example.com:<port>`), the upstream servers (`127.0.0.1:8001` and `:8002`,
both pointed at one echo process), file paths (the access log, the certificates) and, for
HAProxy, the syslog socket, which this machine lacks (the log goes to stderr, kept in a
file). Every text replaced must be in the sample, so a guide edited out from under this
test fails here instead of running something else. Proxy plumbing that is not in the
samples stays outside them: the wrapping nginx.conf (pid file, temporary paths), and
Caddy's admin endpoint (one per Caddy, so a port of its own).

**The upstream.** `manage.py serve` processes of our own (`start_server`) that accept
the guides' host names (`DJANGO_ALLOWED_HOSTS`) and trust 127.0.0.1 as their proxy. The
client connects to 127.0.0.1 but speaks to example.com: the Host header, the SNI and the
certificate say example.com, as they would for a reader's site.

**What each proxy must do.** The 101 upgrade; a text and a binary message echoed, one
of them 60,000 bytes (more than any proxy buffer); the Host the client sent, and the
client's own address in X-Forwarded-For even when the client sent a forged one; a close
with code 1000 and a reason, returned intact; a line in the access log with the status
and how long the connection lived; a plain request through the same configuration.

**Idle timeouts, honestly.** The guides set the proxy's idle timeout to an hour, longer
than the application's own (the echo service closes an idle connection after 300 s with
1001 and a reason), and promise two things:

1. The application decides: its idle close, 1001 with its reason, reaches the client
   through the proxy. Tested with the configuration as written (an hour) in front of an
   echo process whose idle timeout is 1 s.
2. The proxy closes a connection that stays silent for its timeout, and traffic (a ping
   answered by a pong) keeps a connection open past it. An hour cannot be waited for in
   CI, so this runs a time-scaled copy in which the lines that set the idle timeout, and
   only those, say 1 s instead of 1 h: a silent connection is cut, without a close frame
   (the client sees 1006), about a second in, while a connection that pings every 0.25 s
   is still echoing at 2.5 s.

Reloads are scaled the same way: nginx's `worker_shutdown_timeout` and HAProxy's
`hard-stop-after` say 2 s instead of 10 min. An open WebSocket survives the reload, is
served by the old process until that drain time ends, and is then cut; Caddy 2.6 has no
drain time and closes open WebSockets with 1001 at once.

**TLS** (tls-for-wss): the nginx terminating configuration with a certificate made here
(a root, an intermediate, the certificate: clients trust only the root), a wss client
with SNI through it, HTTP/2 offered by ALPN yet no WebSocket over HTTP/2 (no RFC 8441
setting), the redirect and HSTS; and HAProxy passing TLS through untouched, routed by
SNI, refusing a client that sends none.

Each proxy's tests take a few seconds: the waits are the scaled timeouts, run side by side.
"""

import asyncio
import json
import re
import socket
import ssl
import time
import urllib.request
from dataclasses import dataclass, field

import pytest
import websockets

from guides.code import TESTED_PROXIES
from tests.conftest import require
from tests.guide_content import guide_samples, guides
from tests.proxies import (
    BINARIES,
    PACKAGES,
    CaddyProxy,
    HAProxyProxy,
    NginxProxy,
    installed_version,
    make_certificates,
)
from tests.servers import free_port

SITE = "example.com"  # the guides' name for the reader's site
TLS_SITE = "ws.example.com"
ECHO_ENV = {
    "DJANGO_ALLOWED_HOSTS": f"{SITE},{TLS_SITE},127.0.0.1,localhost",
    "TRUSTED_PROXIES": "127.0.0.1",
}
APP_IDLE_CLOSE = (1001, "Idle for 1 seconds.")  # the echo service's, with ECHO_IDLE_TIMEOUT=1
SCALED_TIMEOUT = 1.0  # seconds: the guides' hour, time-scaled
# The guides' ten minutes of drain after a reload, time-scaled: long enough for the checks
# made on the old connection meanwhile, on a busy machine.
SCALED_DRAIN = 2
HEARTBEAT = 0.25


@dataclass(frozen=True)
class Recipe:
    """One configuration sample and what the test changes in it before running it."""

    proxy: str  # its check= value: nginx, haproxy or caddy
    guide: str
    filename: str
    # Text in the sample -> what replaces it; {port}, {upstream}, {directory} and the
    # names given to `configure` are filled in.
    addresses: dict
    idle_timeout: dict = field(default_factory=dict)  # -> the time-scaled copy
    drain: dict = field(default_factory=dict)  # a reload's drain time -> scaled
    log: str = "output.log"  # the file in the proxy's directory with the access log

    @property
    def id(self):
        return f"{self.guide}/{self.filename}"

    def sample(self):
        """The code of the sample on the page, as the loader reads it."""
        found = [
            sample
            for guide in guides()
            if guide.name == self.guide
            for sample in guide_samples(guide)
            if sample.filename == self.filename
        ]
        assert len(found) == 1, f"{self.guide} has {len(found)} samples named {self.filename}"
        assert found[0].check == self.proxy, f"{self.id} says check={found[0].check}"
        return found[0].code

    def configure(self, *changes, **values):
        """The sample with its addresses replaced, and each of `changes` applied."""
        code = self.sample()
        for replacements in (self.addresses, *changes):
            for old, new in replacements.items():
                assert old in code, f"{self.id} no longer has {old!r}: update {__name__}"
                for name, value in values.items():
                    new = new.replace(f"{{{name}}}", str(value))
                code = code.replace(old, new)
        return code


NGINX_MAIN = Recipe(
    "nginx",
    "deployment/nginx",
    "nginx.conf",
    addresses={},
    drain={"worker_shutdown_timeout 10m;": f"worker_shutdown_timeout {SCALED_DRAIN}s;"},
)
NGINX = Recipe(
    "nginx",
    "deployment/nginx",
    "websocket.conf",
    addresses={
        "listen 80;": "listen 127.0.0.1:{port};",
        "server 127.0.0.1:8001": "server {upstream}",
        "server 127.0.0.1:8002": "server {upstream}",
        "/var/log/nginx/": "{directory}/",
    },
    idle_timeout={
        "proxy_read_timeout 1h;": "proxy_read_timeout 1s;",
        "proxy_send_timeout 1h;": "proxy_send_timeout 1s;",
    },
    log="websocket.log",  # its drain time is in the main context: NGINX_MAIN
)
HAPROXY = Recipe(
    "haproxy",
    "deployment/haproxy",
    "haproxy.cfg",
    addresses={
        "bind :80": "bind 127.0.0.1:{port}",
        "127.0.0.1:8001": "{upstream}",
        "127.0.0.1:8002": "{upstream}",
        "log /dev/log local0": "log stderr format raw local0",
    },
    idle_timeout={"timeout tunnel 1h": "timeout tunnel 1s"},
    drain={"hard-stop-after 10m": f"hard-stop-after {SCALED_DRAIN}s"},
)
CADDY = Recipe(
    "caddy",
    "deployment/caddy",
    "Caddyfile",
    addresses={
        f"{SITE} {{": f"http://{SITE}:{{port}} {{",
        "127.0.0.1:8001": "{upstream}",
        "127.0.0.1:8002": "{upstream}",
        "/var/log/caddy/": "{directory}/",
    },
    idle_timeout={"read_timeout 1h": "read_timeout 1s"},
    log="websocket.log",
)
RECIPES = [NGINX, HAPROXY, CADDY]

TLS_NGINX = Recipe(
    "nginx",
    "deployment/tls-for-wss",
    "wss.conf",
    addresses={
        "listen 443 ssl http2;": "listen 127.0.0.1:{port} ssl http2;",
        "listen 80;": "listen 127.0.0.1:{http_port};",
        "/etc/letsencrypt/live/ws.example.com/": "{certificates}/",
        "127.0.0.1:8001": "{upstream}",
    },
)
TLS_PASSTHROUGH = Recipe(
    "haproxy",
    "deployment/tls-for-wss",
    "haproxy-passthrough.cfg",
    addresses={"bind :443": "bind 127.0.0.1:{port}", "10.0.0.21:443": "{upstream}"},
)
ALL_RECIPES = [NGINX_MAIN, *RECIPES, TLS_NGINX, TLS_PASSTHROUGH]


def installed(proxy):
    require(
        BINARIES[proxy], f"{proxy} is not installed (Debian: apt-get install {PACKAGES[proxy]})"
    )


# The recipes and the pages


def test_every_proxy_checked_sample_is_a_recipe_this_module_runs():
    checked = {
        f"{guide.name}/{sample.filename}"
        for guide in guides()
        for sample in guide_samples(guide)
        if sample.check in TESTED_PROXIES
    }
    assert checked == {recipe.id for recipe in ALL_RECIPES}


@pytest.mark.parametrize("proxy", TESTED_PROXIES)
def test_the_version_the_page_names_is_the_one_installed(proxy):
    installed(proxy)
    named = TESTED_PROXIES[proxy].rpartition(" ")[2]
    assert installed_version(proxy) == named, (
        f"the pages say {TESTED_PROXIES[proxy]}: update TESTED_PROXIES in guides/code.py "
        "and the guides' Verified notes"
    )


# Running a recipe


@pytest.fixture(scope="module")
def echo(start_server):
    """The upstream as deployed: the echo service's default limits (idle: 300 s)."""
    return start_server("serve", **ECHO_ENV)


@pytest.fixture(scope="module")
def quick_idle_echo(start_server):
    """An upstream that closes a connection idle for 1 s, with 1001 and its reason."""
    return start_server("serve", ECHO_IDLE_TIMEOUT="1", **ECHO_ENV)


RUNNERS = {"nginx": NginxProxy, "haproxy": HAProxyProxy, "caddy": CaddyProxy}


@pytest.fixture
def run(tmp_path):
    """Starts a recipe's proxy in front of `upstream`: run(recipe, upstream, *changes)."""
    started = []

    def run(recipe, upstream, *changes, main_changes=(), port=None, **values):
        installed(recipe.proxy)
        directory = tmp_path / f"{recipe.proxy}-{len(started)}"
        directory.mkdir()
        port = port or free_port()
        config = recipe.configure(
            *changes, port=port, upstream=upstream, directory=directory, **values
        )
        if recipe.proxy == "nginx":
            main = NGINX_MAIN.configure(*main_changes) if recipe.guide == NGINX.guide else None
            proxy = NginxProxy(directory, config, main or "events {}", port=port)
        else:
            proxy = RUNNERS[recipe.proxy](directory, config, port=port)
        started.append(proxy)
        return proxy.start()

    yield run
    for proxy in started:
        proxy.stop()


def address(server):
    return f"127.0.0.1:{server.port}"


def through(proxy, path="/ws/echo/", **options):
    """A client of ws://example.com:<port>, whose address is the proxy's on loopback."""
    options = {"ping_interval": None, "open_timeout": 5, "proxy": None, **options}
    return websockets.connect(
        f"ws://{SITE}:{proxy.port}{path}", host="127.0.0.1", port=proxy.port, **options
    )


async def closed(ws, within):
    """Waits for the connection to end: (how long it took, the close frame received)."""
    started = time.monotonic()
    with pytest.raises(websockets.ConnectionClosed) as ended:
        while True:
            await asyncio.wait_for(ws.recv(), within)
    return time.monotonic() - started, ended.value.rcvd


by_proxy = pytest.mark.parametrize("recipe", RECIPES, ids=lambda recipe: recipe.proxy)


@by_proxy
async def test_a_websocket_upgrades_through_the_proxy_and_echoes_both_ways(recipe, run, echo):
    proxy = run(recipe, address(echo))
    async with through(proxy) as ws:
        assert ws.response.status_code == 101
        await ws.send("through the proxy")
        assert await ws.recv() == "through the proxy"
        large = bytes(range(256)) * 234 + b"end"  # 60,000 bytes: more than a proxy buffer
        await ws.send(large)
        assert await ws.recv() == large


@by_proxy
async def test_the_application_sees_the_sites_host_and_the_clients_own_address(recipe, run, echo):
    proxy = run(recipe, address(echo))
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    async with through(proxy, "/ws/inspect/", additional_headers=forged) as ws:
        seen = json.loads(await ws.recv())["request"]
    headers = {}
    for name, value in seen["headers"]:
        headers.setdefault(name.lower(), []).append(value)
    assert headers["host"][0].partition(":")[0] == SITE
    assert headers["x-forwarded-for"] == ["127.0.0.1"]
    assert headers["x-forwarded-proto"] == ["http"]


@by_proxy
async def test_the_applications_idle_close_reaches_the_client_with_its_reason(
    recipe, run, quick_idle_echo
):
    """The configuration as written: the proxy waits an hour, the application 1 s."""
    proxy = run(recipe, address(quick_idle_echo))
    async with through(proxy) as ws:
        took, frame = await closed(ws, within=5)
    assert (frame.code, frame.reason) == APP_IDLE_CLOSE
    assert 0.8 < took < 4


@by_proxy
async def test_the_proxy_cuts_a_silent_connection_at_its_idle_timeout_but_not_one_that_pings(
    recipe, run, echo
):
    """A time-scaled copy: the idle timeout lines say 1 s where the guide says 1 h."""
    proxy = run(recipe, address(echo), recipe.idle_timeout)

    async def silent():
        async with through(proxy) as ws:
            return await closed(ws, within=5)

    async def pinging():
        async with through(proxy, ping_interval=HEARTBEAT, ping_timeout=2) as ws:
            await asyncio.sleep(2.5 * SCALED_TIMEOUT)
            await ws.send("still here")
            return await ws.recv()

    (took, frame), answer = await asyncio.gather(silent(), pinging())
    assert frame is None, f"the proxy sent a close frame: {frame}"  # cut: 1006 for the client
    assert 0.7 * SCALED_TIMEOUT < took < 2.5 * SCALED_TIMEOUT
    assert answer == "still here"


@by_proxy
async def test_a_close_with_a_reason_comes_back_intact(recipe, run, echo):
    proxy = run(recipe, address(echo))
    reason = "done: 完了 ✓"
    async with through(proxy) as ws:
        await ws.send("last words")
        assert await ws.recv() == "last words"
        await ws.close(1000, reason)
        frame = ws.protocol.close_rcvd
    assert (frame.code, frame.reason) == (1000, reason)


def logged_duration(recipe, log):
    """The duration the proxy logged for the WebSocket to /ws/echo/, in seconds."""
    if recipe.proxy == "caddy":
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        [entry] = [line for line in lines if line.get("request", {}).get("uri") == "/ws/echo/"]
        assert entry["request"]["headers"]["Upgrade"] == ["websocket"]
        assert entry["status"] == 0  # Caddy 2.6 logs a hijacked connection's status as 0
        return entry["duration"]
    if recipe.proxy == "haproxy":  # option httplog: ... Tq/Tw/Tc/Tr/Tt status bytes ...
        found = re.search(r"/(\d+) 101 \d+ .*\"GET /ws/echo/ HTTP/1.1\"", log)
        return int(found.group(1)) / 1000
    found = re.search(r"\"GET /ws/echo/ HTTP/1.1\" 101 (\d+\.\d+) ", log)
    return float(found.group(1))


@by_proxy
async def test_the_access_log_has_a_line_per_websocket_with_how_long_it_lived(recipe, run, echo):
    proxy = run(recipe, address(echo))
    async with through(proxy) as ws:
        await ws.send("logged")
        await ws.recv()
        await asyncio.sleep(0.6)
    log = proxy.wait_for_log("/ws/echo/", recipe.log)
    assert 0.6 <= logged_duration(recipe, log) < 5, log[-2000:]


@by_proxy
def test_plain_requests_go_through_the_same_configuration(recipe, run, echo):
    proxy = run(recipe, address(echo))
    request = urllib.request.Request(
        f"{proxy.http_url}/healthz", headers={"Host": f"{SITE}:{proxy.port}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@by_proxy
async def test_what_a_reload_does_to_an_open_websocket(recipe, run, echo):
    """nginx and HAProxy: the old process keeps serving it until the drain time (scaled
    to 2 s) ends, then cuts it. Caddy 2.6: closed at once with 1001."""
    proxy = run(recipe, address(echo), recipe.drain, main_changes=[NGINX_MAIN.drain])
    async with through(proxy) as ws:
        reloaded = time.monotonic()
        proxy.reload()
        async with through(proxy) as fresh:
            await fresh.send("after the reload")
            assert await fresh.recv() == "after the reload"
        if recipe.proxy == "caddy":
            took, frame = await closed(ws, within=5)
            assert frame.code == 1001
            assert took < 1
            return
        await ws.send("still served by the old process")
        assert await ws.recv() == "still served by the old process"
        _, frame = await closed(ws, within=10)
    assert frame is None  # cut: 1006 for the client
    assert SCALED_DRAIN * 0.8 < time.monotonic() - reloaded < SCALED_DRAIN + 3


# TLS for wss


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certificates"), TLS_SITE)


def client_context(certificates, alpn=("http/1.1",)):
    """What a browser does: trust the roots it knows, check the name, offer ALPN."""
    context = ssl.create_default_context(cafile=str(certificates / "root.pem"))
    context.set_alpn_protocols(list(alpn))
    return context


def through_tls(proxy, context, path="/ws/echo/", **options):
    options = {"ping_interval": None, "open_timeout": 5, "proxy": None, **options}
    return websockets.connect(
        f"wss://{TLS_SITE}:{proxy.port}{path}",
        host="127.0.0.1",
        port=proxy.port,
        ssl=context,
        **options,
    )


@pytest.fixture
def tls_nginx(run, echo, certificates):
    return run(TLS_NGINX, address(echo), http_port=free_port(), certificates=certificates)


async def test_nginx_terminates_tls_for_a_wss_client_that_sends_sni(tls_nginx, certificates):
    async with through_tls(tls_nginx, client_context(certificates), "/ws/inspect/") as ws:
        tls = ws.transport.get_extra_info("ssl_object")
        assert tls.server_hostname == TLS_SITE  # sent as SNI
        assert tls.version() == "TLSv1.3"  # on nginx 1.22 only with the guide's ssl_protocols
        assert tls.selected_alpn_protocol() == "http/1.1"
        seen = json.loads(await ws.recv())["request"]
        assert ["x-forwarded-proto", "https"] in seen["headers"]
        await ws.send("over wss")
        assert await ws.recv() == "over wss"
        await ws.close(1000, "secure goodbye")
        assert ws.protocol.close_rcvd.reason == "secure goodbye"


def test_a_server_that_sends_only_its_certificate_fails_clients_that_trust_only_the_root(
    run, echo, certificates
):
    """The mistake the guide warns of: cert.pem where fullchain.pem belongs."""
    proxy = run(
        TLS_NGINX,
        address(echo),
        {"/fullchain.pem;": "/cert.pem;"},
        http_port=free_port(),
        certificates=certificates,
    )
    context = client_context(certificates)
    with (
        pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"),
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=TLS_SITE),
    ):
        pass


def http2_server_settings(port, context):
    """The ALPN protocol chosen for a client offering h2 first, and the SETTINGS the
    server sends on that HTTP/2 connection (RFC 9113 section 6.5): {identifier: value}."""

    def read(tls, size):
        data = b""
        while len(data) < size:
            chunk = tls.recv(size - len(data))
            assert chunk, "the server closed the connection"
            data += chunk
        return data

    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=TLS_SITE) as tls,
    ):
        chosen = tls.selected_alpn_protocol()
        if chosen != "h2":
            return chosen, None
        empty_settings = (0).to_bytes(3, "big") + bytes([0x4, 0x0]) + (0).to_bytes(4, "big")
        tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + empty_settings)
        while True:
            header = read(tls, 9)
            length, kind, flags = int.from_bytes(header[:3], "big"), header[3], header[4]
            payload = read(tls, length)
            if kind == 0x4 and not flags & 0x1:  # SETTINGS, not an acknowledgement
                return chosen, {
                    int.from_bytes(payload[i : i + 2], "big"): int.from_bytes(
                        payload[i + 2 : i + 6], "big"
                    )
                    for i in range(0, length, 6)
                }


SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8  # RFC 8441 section 3


def test_nginx_offers_http2_to_pages_but_never_websockets_over_it(tls_nginx, certificates):
    context = client_context(certificates, alpn=("h2", "http/1.1"))
    chosen, settings = http2_server_settings(tls_nginx.port, context)
    assert chosen == "h2"
    assert settings is not None
    assert SETTINGS_ENABLE_CONNECT_PROTOCOL not in settings


def test_plain_http_is_redirected_to_https_which_carries_hsts(tls_nginx, certificates):
    http_port = int(re.search(r"listen 127.0.0.1:(\d+);", tls_nginx.site).group(1))
    with socket.create_connection(("127.0.0.1", http_port), timeout=5) as plain:
        plain.sendall(f"GET /ws/echo/ HTTP/1.1\r\nHost: {TLS_SITE}\r\n\r\n".encode())
        head = plain.recv(4096).decode()
    assert head.startswith("HTTP/1.1 301")
    assert f"Location: https://{TLS_SITE}/ws/echo/\r\n" in head

    context = client_context(certificates)
    with (
        socket.create_connection(("127.0.0.1", tls_nginx.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=TLS_SITE) as tls,
    ):
        tls.sendall(
            f"GET /healthz HTTP/1.1\r\nHost: {TLS_SITE}\r\nConnection: close\r\n\r\n".encode()
        )
        head = tls.recv(4096).decode()
    assert head.startswith("HTTP/1.1 200")
    assert "Strict-Transport-Security: max-age=63072000\r\n" in head


async def test_haproxy_passes_tls_through_to_the_server_the_sni_names(run, tls_nginx, certificates):
    passthrough = run(TLS_PASSTHROUGH, address(tls_nginx))
    async with through_tls(passthrough, client_context(certificates), "/ws/inspect/") as ws:
        seen = json.loads(await ws.recv())["request"]
        # nginx terminated TLS behind HAProxy: it says https, and the client is HAProxy.
        assert ["x-forwarded-proto", "https"] in seen["headers"]
        await ws.send("routed by SNI")
        assert await ws.recv() == "routed by SNI"


@pytest.mark.parametrize("server_name", [None, "other.example.com"], ids=["no SNI", "other name"])
def test_haproxy_refuses_a_tls_client_whose_sni_names_no_backend(
    run, tls_nginx, certificates, server_name
):
    passthrough = run(TLS_PASSTHROUGH, address(tls_nginx))
    context = client_context(certificates)
    context.check_hostname = False  # the client must get no certificate at all
    with (
        pytest.raises(OSError),
        socket.create_connection(("127.0.0.1", passthrough.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_name),
    ):
        pass
