"""check=browser samples run in Chromium, on their own guide's page, under the site's CSP.

A reader runs such a sample as a script of a page; here it is a script of its guide's page:
the test serves the sample at a same-origin URL (a Playwright route, so the server never
sees it) and adds a `<script src>` for it to the guide's page as `make serve` serves it.
The page's Content-Security-Policy stays in force: `script-src 'self'` admits the file,
and the sample's WebSockets must pass `connect-src` like any page script's. Nothing is
evaluated through DevTools and nothing bypasses the CSP.

`ws://localhost:8000` in the sample is pointed at the `served` echo service. Within five
seconds the sample must log at least once and raise no error (an uncaught exception, a
rejected promise or a console error such as a refused connection); every WebSocket it
opens must be answered by the echo service, see no socket error, and be closed by then:
a demo finishes what it starts. The last tests show the harness catching broken samples.
"""

import time

import pytest

from tests.guide_content import Sample, samples_checked_by

pytestmark = pytest.mark.browser

RUN_FOR_MS = 5000  # the writers' contract (guides/content/README.md)
GRACE_MS = 200
SAMPLE_PATH = "/guide-sample.js"  # routed in the test: never reaches the server


def sample_id(sample):
    return sample.id


class Sockets:
    """The WebSockets a page opens, as Chromium's network layer reports them."""

    def __init__(self, page):
        self.opened = []
        self.answered = []
        self.errors = []
        page.on("websocket", self.track)

    def track(self, socket):
        self.opened.append(socket)
        socket.on("framereceived", lambda _: self.answered.append(socket))
        socket.on("socketerror", lambda error: self.errors.append(f"{socket.url}: {error}"))

    def all_closed(self):
        return bool(self.opened) and all(socket.is_closed() for socket in self.opened)

    def still_open(self):
        return [socket.url for socket in self.opened if not socket.is_closed()]

    def unanswered(self):
        return [socket.url for socket in self.opened if socket not in self.answered]


def run_on_guide_page(sample, served, page, run_for_ms=RUN_FOR_MS):
    """Run the sample on its guide's page for up to `run_for_ms`, or until every socket
    it opened is closed. Returns (lines logged, sockets). Errors go to `console_errors`."""
    code = sample.code_for(served.ws_url)
    logged = []
    page.on("console", lambda message: message.type == "log" and logged.append(message.text))
    sockets = Sockets(page)
    page.route(
        served.http_url + SAMPLE_PATH,
        lambda route: route.fulfill(
            status=200, content_type="text/javascript; charset=utf-8", body=code
        ),
    )
    guide_page = page.goto(f"{served.http_url}/guides/{sample.guide}/")
    assert guide_page.status == 200
    assert "script-src 'self'" in guide_page.headers["content-security-policy"]

    page.add_script_tag(url=SAMPLE_PATH, type="module" if sample.is_module else "")
    deadline = time.monotonic() + run_for_ms / 1000
    while time.monotonic() < deadline and not sockets.all_closed():
        page.wait_for_timeout(100)
    page.wait_for_timeout(GRACE_MS)  # the close handlers' own logs and errors
    return logged, sockets


@pytest.mark.parametrize("sample", samples_checked_by("browser"), ids=sample_id)
def test_a_browser_sample_logs_and_raises_no_error_on_its_guide_page(
    sample, served, page, console_errors
):
    assert sample.language == "javascript", f"check=browser is for JavaScript: {sample.language}"
    logged, sockets = run_on_guide_page(sample, served, page)
    transcript = "\n".join(logged)
    assert console_errors == [], f"errors: {console_errors}\nlog:\n{transcript}"
    assert logged, "the sample logged nothing"
    assert sockets.errors == [], f"log:\n{transcript}"
    assert sockets.unanswered() == [], f"no message came back on these; log:\n{transcript}"
    assert sockets.still_open() == [], f"not closed within 5 s; log:\n{transcript}"


# The harness itself: a broken sample is caught, not waved through.

GUIDE = "guides/first-connection-in-the-browser"


def made_up_sample(code, filename=""):
    return Sample(GUIDE, 1, "javascript", filename, "browser", code)


def test_an_error_thrown_later_in_a_callback_is_caught(served, page, console_errors):
    sample = made_up_sample("console.log('start'); setTimeout(() => { throw new Error('late'); });")
    logged, _ = run_on_guide_page(sample, served, page, run_for_ms=500)
    assert logged == ["start"]
    assert console_errors == ["late"]


def test_a_socket_the_server_refuses_is_caught(served, page, console_errors):
    sample = made_up_sample(
        "const ws = new WebSocket('ws://localhost:8000/ws/nowhere/');\n"
        "ws.onclose = (event) => console.log('closed', event.code);"
    )
    logged, sockets = run_on_guide_page(sample, served, page)
    assert logged == ["closed 1006"]
    assert "Unexpected response code: 404" in console_errors[0]
    assert sockets.unanswered() == [served.ws_url + "/ws/nowhere/"]


def test_a_socket_that_opens_but_never_hears_back_is_caught(served, page, console_errors):
    sample = made_up_sample(
        "const ws = new WebSocket('ws://localhost:8000/ws/echo/');\n"
        "ws.onopen = () => { console.log('open'); ws.close(); };"
    )
    logged, sockets = run_on_guide_page(sample, served, page)
    assert (logged, console_errors) == (["open"], [])
    assert sockets.unanswered() == [served.ws_url + "/ws/echo/"]


def test_a_module_sample_may_await_at_the_top_level(served, page, console_errors):
    sample = made_up_sample("console.log(await Promise.resolve('awaited'));", "sample.mjs")
    logged, _ = run_on_guide_page(sample, served, page, run_for_ms=500)
    assert (logged, console_errors) == (["awaited"], [])
