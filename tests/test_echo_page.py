"""The tester page as HTML: what a shared link fills in, escaping, the strict CSP rules,
the close-code table, and snippets that really run."""

import html
import io
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from echo import closecodes
from echo.limits import format_size
from tests.guide_content import CONTENT
from tests.servers import ROOT


@pytest.fixture
def home(db):
    call_command("setup_site", stdout=io.StringIO())


def rendered_tester(client, query="", **extra):
    response = client.get(f"/echo/{query}", **extra)
    assert response.status_code == 200
    return response.content.decode()


def field_error(page, field_id):
    match = re.search(rf'<p id="{field_id}-error" class="field-error"( hidden)?>(.*?)</p>', page)
    assert match, f"no error element for {field_id}"
    return None if match.group(1) else html.unescape(match.group(2))


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page):
    collector = TagCollector()
    collector.feed(page)
    return collector.tags


def test_the_url_defaults_to_this_sites_echo_endpoint(client, home):
    page = rendered_tester(client)
    assert 'value="ws://testserver/ws/echo/"' in page


def test_over_https_the_default_is_wss(client, home):
    page = rendered_tester(client, secure=True)
    assert 'value="wss://testserver/ws/echo/"' in page


def test_a_shared_link_fills_in_the_url_and_subprotocols(client, home):
    page = rendered_tester(client, "?url=wss://echo.example/socket&protocols=chat,%20v2")
    assert 'value="wss://echo.example/socket"' in page
    assert 'value="chat, v2"' in page
    assert field_error(page, "url") is None


def test_snippets_use_a_shared_links_url(client, home):
    page = rendered_tester(client, "?url=wss://echo.example/socket")
    assert "new WebSocket(&quot;wss://echo.example/socket&quot;)" in page


@pytest.mark.parametrize(
    "url", ["http://example.com/", "javascript:alert(1)", "ws://", "not a url"]
)
def test_a_shared_link_with_a_bad_url_is_explained_beside_the_field(client, home, url):
    page = rendered_tester(client, "?" + urllib.parse.urlencode({"url": url}))
    assert field_error(page, "url") == "Enter a WebSocket URL that starts with ws:// or wss://."
    assert 'id="url" name="url"' in page and 'aria-invalid="true"' in page


def test_a_bad_subprotocol_is_explained_beside_the_field(client, home):
    page = rendered_tester(client, "?protocols=good,%22bad%22")
    assert "is not a valid subprotocol name" in field_error(page, "protocols")


def test_a_bad_room_name_is_explained_beside_the_field(client, home):
    page = rendered_tester(client, "?room=no%20spaces")
    assert "1 to 64 letters" in field_error(page, "room-name")


def test_whatever_a_link_carries_is_escaped(client, home):
    attack = '"><script>alert(1)</script>'
    page = rendered_tester(client, "?" + urllib.parse.urlencode({"url": attack, "room": attack}))
    assert "<script>alert(1)</script>" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


def test_the_page_has_no_inline_script_style_or_event_handler(client, home):
    page = rendered_tester(client)
    for tag, attrs in tags(page):
        assert "style" not in attrs, f"<{tag} style=...>"
        assert not [name for name in attrs if name.startswith("on")], f"<{tag}> handler"
        if tag == "script":
            assert attrs.get("type") == "module" and attrs["src"].startswith("/static/")
    assert "<style" not in page


def test_the_page_lists_every_registered_close_code_with_its_meaning(client, home):
    page = rendered_tester(client)
    for code, (name, meaning) in closecodes.REGISTRY.items():
        assert f'<tr data-code="{code}"><td>{code}</td><td class="close-name">{name}</td>' in page
        assert html.escape(meaning) in page


def guide_links_in_the_close_code_table(page):
    table = BeautifulSoup(page, "html.parser").find(id="close-codes")
    return {
        int(row["data-code"]): [a["href"] for a in row.select("a")]
        for row in table.select("tr[data-code]")
    }


def test_the_close_code_table_links_each_code_to_its_troubleshooting_guide(client, home):
    links = guide_links_in_the_close_code_table(rendered_tester(client))
    assert links[1006] == ["/guides/troubleshooting/websocket-closed-with-1006/"]
    assert links[1001] == ["/guides/troubleshooting/disconnects-after-idle-seconds/"]
    assert links[1015] == ["/guides/troubleshooting/connection-refused-and-tls-errors/"]
    assert {code for code, hrefs in links.items() if hrefs} == set(closecodes.TROUBLESHOOTING)


def test_every_close_code_guide_is_a_troubleshooting_guide_of_the_library():
    # The pages exist once `load_guides` has run: tests/test_quality_links.py follows them.
    files = {path.stem for path in (CONTENT / "troubleshooting").glob("*.md")}
    assert set(closecodes.TROUBLESHOOTING.values()) - files == set()


def test_the_page_states_the_services_limits(client, home, settings):
    settings.ECHO_MAX_MESSAGE_BYTES = 128 * 1024
    settings.ECHO_RATE_PER_SECOND = 7
    page = rendered_tester(client)
    assert "messages up to 128 KiB" in page
    assert "7 messages a second" in page


@pytest.mark.parametrize(
    ("count", "words"),
    [(65536, "64 KiB"), (1024 * 1024, "1 MiB"), (512, "512 B"), (100_000, "100000 B")],
)
def test_a_limit_is_stated_in_whole_units_or_exactly_in_bytes(count, words):
    assert format_size(count) == words


def test_a_long_echo_url_on_the_page_may_wrap_only_between_its_parts(client, home, settings):
    settings.ALLOWED_HOSTS = ["echo.websocket-reference.example"]
    page = rendered_tester(client, HTTP_HOST="echo.websocket-reference.example")
    assert (
        "<code>ws://<wbr>echo<wbr>.websocket-reference<wbr>.example/<wbr>ws/<wbr>echo/</code>"
        in page
    )


def test_an_invalid_trusted_proxy_stops_the_site_from_starting():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: not an IP address or network: 'proxy.internal'" in result.stderr


# The snippets, run or parsed by the real tools


def snippet(page, key):
    match = re.search(
        rf'id="snippet-{key}".*?<code class="language-\w+" data-url="[^"]*">(.*?)</code>',
        page,
        re.DOTALL,
    )
    return html.unescape(match.group(1))


@pytest.fixture(scope="module")
def served_page(served):
    with urllib.request.urlopen(served.http_url + "/echo/") as response:
        return response.read().decode()


def test_the_python_snippet_gets_its_echo_from_the_live_service(served_page, tmp_path):
    script = tmp_path / "echo.py"
    script.write_text(snippet(served_page, "python"))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=30
    )
    assert result.stdout == "echo: Hello, echo!\n", result.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("key", ["browser", "node"])
def test_the_javascript_snippets_parse(served_page, tmp_path, key):
    script = tmp_path / "echo.mjs"
    script.write_text(snippet(served_page, key))
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("gofmt") is None, reason="Go is not installed")
def test_the_go_snippet_is_gofmt_clean(served_page, tmp_path):
    source = tmp_path / "main.go"
    source.write_text(snippet(served_page, "go"))
    result = subprocess.run(["gofmt", "-l", "-e", str(source)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
