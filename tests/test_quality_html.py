"""Valid HTML, CSS and SVG: every crawled page type through the Nu HTML Checker, in one run.

The pages are those the link crawl expanded (tests/quality_tools.py): the home page, the
library index and three of its filtered views, every section, every guide, search with
and without results, the echo tester and its limits, the finder's form, two results and
its error page, the protocol lab's index and the frame lab (empty, an encoded frame,
decoded frames, bad input), the 404 page; and the stylesheets and SVG images they load.
One Java process checks them all (starting the checker costs seconds; each document,
milliseconds).
"""

import subprocess
from urllib.parse import urlsplit

import pytest

from tests.quality_tools import START_PAGES, vnu_command, vnu_problems

KINDS = {"text/html": ("html", ".html"), "text/css": ("css", ".css"), "image/svg": ("svg", ".svg")}


@pytest.fixture(scope="module")
def checked(crawled_site, quality_tools, tmp_path_factory):
    """Per kind of document (html, css, svg): the documents, those the checker says it
    read, and its problems with them (one it cannot place counts against the HTML)."""
    folder = tmp_path_factory.mktemp("vnu")
    files, found = {}, {kind: [] for kind, _ in KINDS.values()}
    for number, (url, response) in enumerate(sorted(crawled_site.responses.items())):
        kind, suffix = next(
            (value for prefix, value in KINDS.items() if response.content_type.startswith(prefix)),
            (None, None),
        )
        if kind is None or (kind == "html" and url not in crawled_site.expanded):
            continue
        path = folder / f"document-{number}{suffix}"
        path.write_bytes(response.body)
        files[url] = path
        found[kind].append(url)
    result = subprocess.run(
        vnu_command(files.values()),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: it found errors
    read = set(result.stderr.split())  # --verbose names each file it checked
    names = {f"file:{path}": url for url, path in files.items()}
    problems = vnu_problems(result.stdout, names)
    checked = {}
    for kind, urls in found.items():
        mine = [p for p in problems if any(p.startswith(f"{url}:") for url in urls)]
        checked[kind] = {
            "documents": urls,
            "read": [url for url in urls if str(files[url]) in read],
            "problems": mine,
        }
    placed = {p for kind in checked.values() for p in kind["problems"]}
    checked["html"]["problems"] += [p for p in problems if p not in placed]
    return checked


def test_every_page_type_is_valid_html(checked):
    assert checked["html"]["problems"] == []


def test_the_checker_read_every_page_type(checked, crawled_site):
    pages = checked["html"]["documents"]
    paths = {urlsplit(url).path for url in pages}
    assert checked["html"]["read"] == pages
    assert {"/", "/guides/", "/guides/internals/", "/echo/", "/finder/", "/search/"} <= paths
    assert {"/tools/", "/tools/frames/", "/echo/limits/"} <= paths
    assert {crawled_site.base + path for path in START_PAGES} <= set(pages)
    assert sum(path.count("/") == 4 for path in paths) >= 30  # /guides/<section>/<guide>/


def test_stylesheets_and_svg_images_are_valid(checked):
    assert checked["css"]["documents"] and checked["svg"]["documents"]
    assert checked["css"]["problems"] + checked["svg"]["problems"] == []
