"""The protocol lab under both servers: `make run` (runserver, DEBUG on) and `make serve`
(uvicorn, DEBUG off, fingerprinted static files, the response cache)."""

import re
from urllib.parse import urlencode

import pytest

from tests.servers import get

ENCODE = {"mode": "encode", "payload": "Hello", "fin": "on", "mask": "on"}  # text by default


@pytest.fixture(params=["served", "runserver"])
def server(request, live_database):
    """`live_database` files these tests in the server tier, which `getfixturevalue` hides."""
    return request.getfixturevalue(request.param)


def test_an_encoded_frame_with_a_random_key_is_answered_at_its_own_address(server):
    status, _, html = get(server.http_url + "/tools/frames/?" + urlencode(ENCODE))
    assert status == 200  # after the redirect to the address naming the key
    assert re.search(r'<code id="frame-hex">81 85( [0-9a-f]{2}){9}</code>', html)


def test_the_frame_labs_script_and_stylesheet_load(server):
    _, _, html = get(server.http_url + "/tools/frames/")
    for asset in re.findall(r'(?:src|href)="(/static/lab/[^"]+)"', html):
        status, headers, _ = get(server.http_url + asset)
        content_type = {name.lower(): value for name, value in headers.items()}["content-type"]
        assert status == 200, asset
        assert content_type.startswith(("text/css", "text/javascript")), asset


def test_bad_input_is_a_400_page(server):
    status, _, html = get(server.http_url + "/tools/frames/?mode=decode&hex=8&sender=client")
    assert status == 400
    assert "odd number" in html
