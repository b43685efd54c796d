"""The echo service's published limits (/echo/limits/): the configured figures, the
guarantees, and live figures that the response cache never serves stale."""

import re

import pytest
from websockets.sync.client import connect

from echo.limits import ConnectionCounter
from echo.views import duration_in_words
from tests.servers import get


def open_connections(html):
    return int(re.search(r'<dd id="open-connections">(\d+)</dd>', html)[1])


def test_the_total_counts_every_address():
    counter = ConnectionCounter()
    for address in ("192.0.2.1", "192.0.2.1", "198.51.100.7"):
        counter.acquire(address, 0)
    counter.release("192.0.2.1")
    assert counter.total == 2


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(4, "4 s"), (187, "3 min 07 s"), (7500, "2 h 05 min"), (86400 * 3 + 7200, "3 days 2 h")],
)
def test_uptime_is_said_in_its_two_largest_units(seconds, words):
    assert duration_in_words(seconds) == words


def test_the_page_lists_the_limits_as_configured(client, db, settings):
    settings.ECHO_MAX_MESSAGE_BYTES = 1000
    settings.ECHO_RATE_PER_SECOND = 7
    settings.ECHO_RATE_BURST = 9
    settings.ECHO_IDLE_TIMEOUT = 42
    settings.ECHO_MAX_CONNECTIONS_PER_ADDRESS = 3
    html = client.get("/echo/limits/").content.decode()
    assert "1000 bytes" in html
    assert "7 messages a second, in bursts of up to 9" in html
    assert "42 seconds without a message" in html
    assert "3 open at a time, per server process" in html


def test_a_limit_switched_off_says_none(client, db, settings):
    settings.ECHO_RATE_PER_SECOND = 0
    html = client.get("/echo/limits/").content.decode()
    row = re.search(r'<tr id="limit-rate">.*?</tr>', html)[0]
    assert "<td>None</td>" in row


def test_the_page_states_the_guarantees(client, db):
    html = client.get("/echo/limits/").content.decode()
    for guarantee in ("Pure echo.", "No greeting.", "No unsolicited messages."):
        assert guarantee in html


def test_the_page_says_its_figures_are_this_process(client, db):
    html = client.get("/echo/limits/").content.decode()
    assert "Both figures are this server process's" in html
    assert re.search(r'<time datetime="PT\d+S">', html)


def test_the_start_time_is_a_valid_datetime_to_the_second(client, db):
    html = client.get("/echo/limits/").content.decode()
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', html)


def test_the_page_is_never_cacheable(client, db):
    cache_control = client.get("/echo/limits/")["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_the_tester_links_the_limits_page(client, db):
    assert 'href="/echo/limits/"' in client.get("/echo/").content.decode()


@pytest.mark.parametrize("server_name", ["served", "runserver"])
def test_opening_a_connection_shows_in_the_next_two_requests(server_name, request, live_database):
    server = request.getfixturevalue(server_name)  # live_database: the server tier
    url = server.http_url + "/echo/limits/"
    _, _, before = get(url)
    with connect(server.ws_url + "/ws/echo/"):
        answers = [get(url), get(url)]
    for status, headers, html in answers:
        assert status == 200
        assert not headers.get("Cache-Status", "").endswith("hit")
        assert open_connections(html) == open_connections(before) + 1
