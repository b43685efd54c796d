"""Every kind of response carries the security headers: a page as Django renders it, the
same page from the response cache, the admin, a static file, a 404 and a 500, and HSTS
in production."""

import json
import os
import re
import secrets
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.urls import path

from tests.servers import shell

REQUIRED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


def boom(request):
    raise RuntimeError("an unexpected failure in a view")


# This module is also the URLconf of the server-error test: one view that fails.
urlpatterns = [path("boom/", boom)]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def page(served):
    # A query string of its own: rendered by Django now, not answered from the cache.
    return fetch(f"{served.http_url}/?fresh={secrets.token_hex(4)}")


def cached_page(served):
    for _ in range(40):
        status, headers = fetch(served.http_url + "/")
        if headers.get("cache-status", "").endswith("hit"):
            return status, headers
    raise AssertionError("the home page never came from the cache")


def admin(served):
    return fetch(served.http_url + "/admin/login/")


def static_file(served):
    with urllib.request.urlopen(served.http_url + "/", timeout=10) as response:
        html = response.read().decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    return fetch(served.http_url + stylesheet, {"Accept-Encoding": "br"})


def not_found(served):
    return fetch(f"{served.http_url}/no-such-page-{secrets.token_hex(4)}/")


def server_error(served, settings):
    # No database fixture: the 500 page must render without the database.
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/", HTTP_HOST="localhost")
    return response.status_code, {k.lower(): v for k, v in response.headers.items()}


@pytest.mark.parametrize(
    ("fetcher", "status"),
    [
        (page, 200),
        (cached_page, 200),
        (admin, 200),
        (static_file, 200),
        (not_found, 404),
        (server_error, 500),
    ],
    ids=["page", "cached page", "admin", "static file", "not found", "server error"],
)
def test_every_kind_of_response_carries_the_security_headers(served, settings, fetcher, status):
    got, headers = fetcher(served, settings) if fetcher is server_error else fetcher(served)
    assert got == status
    csp = dict(
        directive.strip().split(" ", 1)
        for directive in headers["content-security-policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    # Wagtail's admin scripts position its menus with style attributes: only there.
    assert csp["style-src"] == ("'self' 'unsafe-inline'" if fetcher is admin else "'self'")
    assert "unsafe-eval" not in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    for name, value in REQUIRED.items():
        assert headers[name] == value, name


def test_production_adds_hsts_to_every_secure_response():
    code = (
        "import json; from django.test import Client; "
        "r = Client().get('/healthz', secure=True, HTTP_HOST='websocket.example'); "
        "print(json.dumps(dict(r.headers)))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "websocket.example",
        "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",  # /healthz touches nothing
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    headers = {k.lower(): v for k, v in json.loads(shell(env, code).splitlines()[-1]).items()}
    hsts = headers["strict-transport-security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert "unsafe-inline" not in headers["content-security-policy"]
