"""The web quality checks find the faults they look for: crawls of small made-up sites,
and the Nu HTML Checker's report as it writes it."""

import json

import pytest

from tests.quality_tools import (
    CrawlTooLarge,
    Response,
    asset_problems,
    broken_links,
    crawl,
    css_references,
    js_imports,
    missing_anchors,
    vnu_problems,
)

BASE = "http://site.test"
HTML = "text/html; charset=utf-8"


def page(body, status=200, content_type=HTML):
    return (status, content_type, body)


def fake_fetch(pages):
    """A fetch() answering from {path: (status, content type, body)}; anything else 404s."""
    requested = []

    def fetch(url):
        requested.append(url)
        path = url.removeprefix(BASE)
        status, content_type, body = pages.get(path, (404, HTML, "<p>Not here</p>"))
        return Response(url, status, content_type, body.encode())

    fetch.requested = requested
    return fetch


def crawl_of(pages, starts=("/",)):
    return crawl(BASE, starts=starts, fetch=fake_fetch(pages))


def test_a_link_to_a_missing_page_is_reported_with_the_page_it_is_on():
    site = crawl_of(
        {"/": page('<a href="/gone/">Gone</a> <a href="/here/">Here</a>'), "/here/": page("")}
    )
    assert broken_links(site) == [f"{BASE}/: <a> {BASE}/gone/ answered 404"]


def test_a_link_to_a_redirect_is_reported_with_where_it_goes():
    def fetch(url):
        if url.endswith("/old"):
            return Response(url, 301, HTML, b"", f"{BASE}/new/")
        return Response(url, 200, HTML, b'<a href="/old">Old</a>')

    site = crawl(BASE, starts=("/",), fetch=fetch)
    assert broken_links(site) == [f"{BASE}/: <a> {BASE}/old answered 301 -> {BASE}/new/"]


def test_an_anchor_missing_from_its_target_page_is_reported():
    site = crawl_of(
        {
            "/": page('<a href="#main">Skip</a><main id="main"><a href="/g/#usage">Usage</a>'),
            "/g/": page('<h2 id="use">Use</h2>'),
        }
    )
    assert missing_anchors(site) == [f"{BASE}/: <a> {BASE}/g/#usage: no id 'usage' there"]


def test_a_link_within_an_error_page_is_checked_against_that_page():
    site = crawl_of({"/missing/": page('<a href="#main">Skip</a><p id="x">', 404)}, ("/missing/",))
    assert broken_links(site) == []
    assert missing_anchors(site) == [
        f"{BASE}/missing/: <a> {BASE}/missing/#main: no id 'main' there"
    ]


def test_a_stylesheet_served_as_the_wrong_type_is_reported():
    site = crawl_of(
        {
            "/": page('<link rel="stylesheet" href="/s/site.css"><script src="/s/a.js"></script>'),
            "/s/site.css": page("body{}", content_type="text/plain"),
            "/s/a.js": page("", content_type="text/javascript"),
        }
    )
    assert asset_problems(site) == [
        f"{BASE}/: <link[rel=stylesheet]> {BASE}/s/site.css is 'text/plain', not text/css",
        f"{BASE}/: <script> {BASE}/s/a.js is empty",
    ]


def test_modules_imported_by_a_script_are_fetched_and_checked():
    site = crawl_of(
        {
            "/": page('<script type="module" src="/s/app.js"></script>'),
            "/s/app.js": page(
                'import { a,\n  b } from "./lib.js";\nimport "./side.js";',
                content_type="text/javascript",
            ),
            "/s/lib.js": page("export const a = 1, b = 2;", content_type="text/javascript"),
        }
    )
    assert asset_problems(site) == [f"{BASE}/s/app.js: <js> {BASE}/s/side.js answered 404"]


def test_external_links_admin_pages_and_websocket_urls_are_not_fetched():
    fetch = fake_fetch(
        {
            "/": page(
                '<a href="https://example.org/">Out</a><a href="/admin/pages/">Admin</a>'
                '<a href="mailto:a@b.c">Mail</a><input value="ws://site.test/ws/echo/">'
                '<a href="ws://site.test/ws/echo/">Echo</a>'
            )
        }
    )
    crawl(BASE, starts=("/",), fetch=fetch)
    assert fetch.requested == [f"{BASE}/"]


def test_filters_are_each_checked_but_filters_of_filters_are_not_walked():
    filters = "".join(f'<a href="?tag=t{n}">t{n}</a>' for n in range(6))
    combined = "".join(f'<a href="?tag=t{n}&amp;page=2">more</a>' for n in range(6))
    fetch = fake_fetch({"/": page(filters)} | {f"/?tag=t{n}": page(combined) for n in range(6)})
    site = crawl(BASE, starts=("/",), fetch=fetch)
    assert sorted(fetch.requested) == [f"{BASE}/"] + [f"{BASE}/?tag=t{n}" for n in range(6)]
    assert broken_links(site) == []


def test_a_crawl_that_keeps_finding_pages_fails_instead_of_stopping_quietly():
    def endless(url):
        number = int(url.rsplit("/", 2)[-2] or 0)
        return Response(url, 200, HTML, f'<a href="/{number + 1}/">next</a>'.encode())

    with pytest.raises(CrawlTooLarge):
        crawl(BASE, starts=("/0/",), fetch=endless, max_fetches=50)


def test_css_urls_and_imports_are_found():
    css = '@import "base.css"; a { background: url(img/a.svg) } b { src: url("f.woff2") }'
    assert css_references(css) == ["base.css", "img/a.svg", "f.woff2"]


def test_dynamic_imports_are_found():
    assert js_imports('const m = await import("./chart.js");') == ["./chart.js"]


def vnu_report(*messages):
    return json.dumps({"version": "26.9.27", "messages": list(messages)})


def test_an_html_error_is_reported_with_its_page_and_line():
    report = vnu_report(
        {
            "type": "error",
            "url": "file:/tmp/page-3.html",
            "lastLine": 12,
            "message": "Duplicate ID “main”.",
        }
    )
    assert vnu_problems(report, {"file:/tmp/page-3.html": "/guides/"}) == [
        "/guides/:12: error: Duplicate ID “main”."
    ]


def test_warnings_fail_unless_accepted_on_purpose():
    report = vnu_report(
        {
            "type": "info",
            "subType": "warning",
            "url": "file:/tmp/a.html",
            "lastLine": 3,
            "message": "The “list” role is unnecessary for element “ul”.",
        },
        {
            "type": "info",
            "subType": "warning",
            "url": "file:/tmp/a.html",
            "lastLine": 9,
            "message": "Section lacks heading. Consider using “h2”-“h6” elements.",
        },
        {"type": "info", "url": "file:/tmp/a.html", "message": "Trailing slash on void elements."},
    )
    assert vnu_problems(report) == [
        "file:/tmp/a.html:9: warning: Section lacks heading. Consider using “h2”-“h6” elements."
    ]


def test_a_document_the_checker_could_not_read_is_a_problem():
    report = vnu_report(
        {
            "type": "non-document-error",
            "subType": "io",
            "url": "file:/tmp/x.html",
            "message": "No such file",
        }
    )
    assert vnu_problems(report) == ["file:/tmp/x.html:?: io: No such file"]
