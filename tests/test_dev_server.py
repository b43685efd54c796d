"""`make run`'s development server (runserver, DEBUG on) as a developer sees it: its log and
its error pages. The log is read from the server process's own output."""

import secrets
import urllib.request

import pytest

from tests.servers import get


@pytest.fixture(scope="module")
def dev_server(start_server):
    return start_server("runserver")


def log_after(server, path):
    """Requests `path`, then a marker path, and returns the log once the marker is in it:
    everything the first request printed is printed by then."""
    marker = f"/log-marker-{secrets.token_hex(4)}/"
    get(server.http_url + path)
    get(server.http_url + marker)
    return server.wait_for_log(marker)


def test_a_404_is_logged_once(dev_server):
    path = f"/no-such-page-{secrets.token_hex(4)}/"
    lines = [line for line in log_after(dev_server, path).splitlines() if path in line]
    assert len(lines) == 1, lines
    assert "404" in lines[0]


def test_the_startup_log_does_not_read_like_a_missing_dependency(dev_server):
    log = log_after(dev_server, "/")
    assert "HTTP/2" not in log
    assert "install" not in log


def test_the_technical_404_page_may_use_its_own_stylesheet_and_no_other_inline_style(
    dev_server,
):
    status, headers, html = get(dev_server.http_url + "/no-such-page/")
    assert status == 404
    assert "Page not found" in html  # Django's technical page: DEBUG is on
    style_src = next(
        part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.split()[0] == "style-src"
    )
    assert style_src[0] == "'self'"
    assert len(style_src) == 2 and style_src[1].startswith("'sha256-")


def test_a_page_that_exists_keeps_the_strict_policy(dev_server):
    status, headers, _ = get(dev_server.http_url + "/")
    assert status == 200
    assert "style-src 'self';" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("kind", ["runserver", "serve"])
def test_favicon_ico_is_an_icon(start_server, kind):
    server = start_server(kind)
    with urllib.request.urlopen(server.http_url + "/favicon.ico", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
        icon = response.read()
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
    assert int.from_bytes(icon[4:6], "little") >= 1  # images in it
