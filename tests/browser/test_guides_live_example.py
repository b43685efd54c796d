"""Live examples in guides, run in Chromium under the site's CSP against `make serve`:
nothing connects until Run is pressed, the log shows what was sent and received, and
every socket the panel opened is closed when it says it has finished."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_quality_axe import SCHEMES, audit
from tests.quality_tools import AXE_JS
from tests.servers import manage, server_env

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

FIRST_CONNECTION = "/guides/guides/first-connection-in-the-browser/"
HANDSHAKE_GUIDE = "/guides/internals/opening-handshake/"
CLOSE_CODES = "/guides/internals/closing-handshake-and-close-codes/"
ROOM_GUIDE = "/guides/guides/two-sockets-in-a-room/"

CREATE_ROOM_GUIDE = """
from guides.models import GuideSectionPage
from tests.guides_factories import live_example, make_guide

make_guide(
    GuideSectionPage.objects.get(slug="guides"),
    "Two sockets in a room",
    body=[live_example(["hello, room"], endpoint="room", room="live-example-test")],
)
"""

# What /ws/inspect/ sends first (the mirror branch's format), with a header value that
# must stay text.
HANDSHAKE = {
    "type": "handshake",
    "request": {
        "line": "GET /ws/inspect/ HTTP/1.1",
        "headers": [
            ["Host", "127.0.0.1:8000"],
            ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
            ["X-Note", "<img src=x>"],
        ],
    },
    "response": {
        "status": 101,
        "accept": {
            "key": "dGhlIHNhbXBsZSBub25jZQ==",
            "guid": "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
            "concatenated": "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
            "sha1_hex": "b37a4f2cc0624f1690f64606cf385945b2bec4ea",
            "accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        },
        "subprotocol": "chat",
        "extensions": [],
    },
    "then": "echo",
}


class Sockets:
    """The WebSockets the page opens, as Chromium's network layer reports them."""

    def __init__(self, page):
        self.opened = []
        page.on("websocket", lambda socket: self.opened.append(socket))

    def all_closed(self):
        return all(socket.is_closed() for socket in self.opened)


def run_first_panel(page, url):
    """Open the guide, check nothing has connected, press Run and wait for the end."""
    sockets = Sockets(page)
    page.goto(url)
    panel = page.locator("[data-live-example]").first
    run = panel.get_by_role("button", name="Run")
    expect(run).to_be_visible()  # the module has set the panel up...
    assert sockets.opened == []  # ...and connected nothing on its own
    run.click()
    expect(panel).to_have_attribute("data-state", "finished")
    return panel, sockets


def test_the_first_connection_example_echoes_its_messages_and_closes_cleanly(
    served, page, console_errors
):
    panel, sockets = run_first_panel(page, served.http_url + FIRST_CONNECTION)
    sent = [code.inner_text() for code in panel.locator("[data-message]").all()]
    log = panel.locator("[data-log]")
    expect(log.locator("[data-direction=sent] code")).to_have_text(sent)
    expect(log.locator("[data-direction=received] code")).to_have_text(sent)
    assert log.locator("[data-direction=received] b").count() == 0  # markup stays text
    expect(log.locator("[data-direction=close]")).to_contain_text(
        "code 1000, reason (none), wasClean true"
    )
    assert len(sockets.opened) == 1
    assert sockets.opened[0].url == served.ws_url + "/ws/echo/"
    assert sockets.all_closed()
    assert console_errors == []


def test_the_close_codes_example_sees_its_4000_and_reason_come_back(served, page, console_errors):
    panel, sockets = run_first_panel(page, served.http_url + CLOSE_CODES)
    expect(panel.locator("[data-direction=close]")).to_contain_text(
        "code 4000, reason “done with the demo”, wasClean true"
    )
    assert sockets.all_closed()
    assert console_errors == []


def test_without_javascript_the_panel_shows_what_it_would_send_and_no_dead_button(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.http_url + CLOSE_CODES)
    panel = page.locator("[data-live-example]").first
    expect(panel.locator("[data-message]")).to_have_text(["last words before closing"])
    expect(panel).to_contain_text("Then closes with 4000 and the reason “done with the demo”.")
    expect(panel.get_by_role("link", name="Try it in the echo tester")).to_be_visible()
    expect(panel.get_by_role("button", name="Run")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_finished_live_example_has_no_accessibility_violations(
    served, browser, quality_tools, scheme
):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    panel, _ = run_first_panel(page, served.http_url + FIRST_CONNECTION)
    expect(panel.locator("[data-direction=close]")).to_have_count(1)
    violations = audit(page, AXE_JS.read_text(encoding="utf-8"), "first connection, run")
    context.close()
    assert violations == []


def test_a_room_example_relays_the_senders_message_to_the_receiver_only(
    served, live_database, page, console_errors
):
    manage("shell", "-c", CREATE_ROOM_GUIDE, env=server_env(live_database))
    panel, sockets = run_first_panel(page, served.http_url + ROOM_GUIDE)
    log = panel.locator("[data-log]")
    expect(log.locator("[data-direction=sent]")).to_contain_text("sender → sent hello, room")
    expect(log.locator("[data-direction=received]")).to_have_text(
        [re.compile(r"receiver ← received hello, room$")]
    )
    expect(log.locator("[data-direction=close]")).to_have_count(2)
    assert [socket.url for socket in sockets.opened] == [
        served.ws_url + "/ws/room/live-example-test/"
    ] * 2
    assert sockets.all_closed()
    assert console_errors == []


def test_a_handshake_report_is_shown_as_request_and_accept_steps_and_all_else_as_text(
    served, page, console_errors
):
    page.goto(served.http_url + FIRST_CONNECTION)
    module = page.locator('script[src*="guides/live"]').first.get_attribute("src")
    shown = page.evaluate(
        """async ([module, report]) => {
            const { messageView } = await import(module);
            const handshake = messageView(JSON.stringify(report));
            const other = messageView("<script>alert(1)</script>");
            return {
                kind: handshake.dataset.kind,
                request: handshake.querySelector(".handshake__request").textContent,
                steps: [...handshake.querySelectorAll("dd")].map((dd) => dd.textContent),
                answer: handshake.querySelector(".handshake__response").textContent,
                images: handshake.querySelectorAll("img").length,
                otherText: other.textContent,
                otherElements: other.children.length,
            };
        }""",
        [module, HANDSHAKE],
    )
    assert shown["kind"] == "handshake"
    assert shown["request"] == (
        "GET /ws/inspect/ HTTP/1.1\nHost: 127.0.0.1:8000\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nX-Note: <img src=x>"
    )
    accept = HANDSHAKE["response"]["accept"]
    assert shown["steps"] == [
        accept[name] for name in ("key", "guid", "concatenated", "sha1_hex", "accept")
    ]
    assert "101 Switching Protocols; subprotocol: chat; extensions: none." in shown["answer"]
    assert shown["images"] == 0
    assert (shown["otherText"], shown["otherElements"]) == ("<script>alert(1)</script>", 0)
    assert console_errors == []


def test_the_handshake_guide_runs_the_handshake_live_then_echoes(served, page, console_errors):
    panel, sockets = run_first_panel(page, served.http_url + HANDSHAKE_GUIDE)
    received = panel.locator("[data-direction=received]")
    handshake = received.first.locator("[data-kind=handshake]")
    expect(handshake.locator(".handshake__request")).to_contain_text("GET /ws/inspect/ HTTP/1.1")
    expect(handshake.locator(".handshake__request")).to_contain_text(
        re.compile(r"^Sec-WebSocket-Protocol: chat$", re.IGNORECASE | re.MULTILINE)
    )
    expect(handshake.locator("dd")).to_have_count(5)
    sent = [code.inner_text() for code in panel.locator("[data-message]").all()]
    expect(received.nth(1).locator("code")).to_have_text(sent[0])
    expect(panel.locator("[data-direction=close]")).to_contain_text("code 1000")
    assert sockets.all_closed()
    assert console_errors == []
