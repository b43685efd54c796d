"""Static files as `make serve` ships them: fingerprinted, pre-compressed with Brotli and
gzip, and served by WhiteNoise with far-future caching for fingerprinted names only."""

import gzip
import json
import re
import urllib.request

import brotli
import pytest

OWN_ASSETS = re.compile(r"^(css|js|echo|finder|guides|img|lab|race)/")
FOREVER = 10 * 365 * 24 * 60 * 60


def own_assets(static_root):
    """{name: fingerprinted name} for this site's own CSS and JavaScript."""
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return {
        name: hashed
        for name, hashed in paths.items()
        if OWN_ASSETS.match(name) and name.endswith((".css", ".js"))
    }


def fetch(url, accept_encoding=None):
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_every_stylesheet_and_script_of_ours_is_stored_with_brotli_and_gzip_copies(static_root):
    assets = own_assets(static_root)
    assert "css/site.css" in assets
    for name, hashed in assets.items():
        original = (static_root / hashed).read_bytes()
        if len(original) < 1024:
            continue  # too small to gain from compression
        assert brotli.decompress((static_root / f"{hashed}.br").read_bytes()) == original, name
        assert gzip.decompress((static_root / f"{hashed}.gz").read_bytes()) == original, name


@pytest.mark.parametrize(("accept_encoding", "coding"), [("br", "br"), ("gzip", "gzip")])
def test_a_fingerprinted_stylesheet_is_served_compressed_and_cached_for_ever(
    served, static_root, accept_encoding, coding
):
    hashed = own_assets(static_root)["css/site.css"]
    headers, body = fetch(f"{served.http_url}/static/{hashed}", accept_encoding)
    assert headers["content-encoding"] == coding
    assert "Accept-Encoding" in headers["vary"]
    assert headers["cache-control"] == f"max-age={FOREVER}, public, immutable"
    decode = brotli.decompress if coding == "br" else gzip.decompress
    assert decode(body) == (static_root / hashed).read_bytes()


def test_an_unfingerprinted_name_is_revalidated_within_the_hour(served):
    headers, _ = fetch(f"{served.http_url}/static/css/site.css")
    assert headers["cache-control"] == "max-age=3600, public"
