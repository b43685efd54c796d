"""The race page: its form, the finder's preset and the documented endpoints."""

import re

import pytest

from tests.finder_factories import make_query

pytestmark = pytest.mark.django_db


def test_the_page_offers_the_race_with_the_limits_and_every_lane(client):
    response = client.get("/tools/race/")
    html = response.content.decode()
    assert response.status_code == 200
    for lane in ("polling", "long_polling", "sse", "websocket"):
        assert f'data-lane="{lane}"' in html
    assert "Up to 20 events a second of up to 4096 bytes, for up to 60 seconds" in html


def test_a_preset_in_the_address_fills_the_form_and_highlights_its_lane(client):
    html = client.get("/tools/race/?rate=0.5&size=512&interval=2000&highlight=sse").content.decode()
    assert 'value="0.5"' in html
    assert 'value="512"' in html
    assert 'class="lane lane--sse lane--recommended"' in html
    assert html.count("lane--recommended") == 1


def test_a_preset_that_names_some_values_keeps_the_defaults_of_the_others(client):
    html = client.get("/tools/race/?rate=5&size=100&highlight=sse").content.decode()
    assert re.search(r'name="interval" value="1000"', html)
    assert re.search(r'name="duration" value="10"', html)
    assert "errorlist" not in html


def test_an_unknown_lane_to_highlight_highlights_none(client):
    html = client.get("/tools/race/?highlight=carrier-pigeon").content.decode()
    assert "lane--recommended" not in html


def test_a_preset_beyond_the_limits_shows_the_error_beside_its_field(client):
    html = client.get("/tools/race/?rate=500&size=256&duration=10&interval=1000").content.decode()
    assert "Ensure this value is less than or equal to 20" in html


def test_each_lane_is_documented_with_a_client_snippet_for_this_site(client):
    html = client.get("/tools/race/").content.decode()
    assert "http://testserver/tools/race/RACE_ID/events" in html
    assert "ws://testserver/ws/race/RACE_ID/" in html
    assert "Last-Event-ID" in html
    assert html.count('class="snippet__copy"') == 5


# From the protocol finder ------------------------------------------------------------------

TICKER = {"freshness": "subsecond", "rate": "high"}  # the finder picks Server-Sent Events
CALLS = {"direction": "peer_to_peer", "payload": "media"}  # ... and WebRTC here


def test_a_finder_result_offers_the_race_preset_for_its_answers(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**TICKER)).content.decode()
    assert "See it live" in html
    assert 'href="/tools/race/?rate=20&amp;size=256&amp;interval=500&amp;highlight=sse"' in html


def test_a_finder_result_whose_pick_is_no_lane_offers_no_race(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CALLS)).content.decode()
    assert re.search(r"<h1[^>]*>WebRTC[^<]*</h1>", html)
    assert "/tools/race/?" not in html
