"""Web quality helpers for the tests: a same-site crawler and the Nu HTML Checker's verdict.

Plain Python with no Django: the crawler speaks HTTP to a running server and the checks
are pure functions of what it fetched, so tests/test_quality_tools.py can prove each
check fails on a broken site without starting one.

Crawl limits (docs/web-quality.md):
- Same origin only; external links are not fetched (the machine has no network, and
  another site's uptime is not ours to test). /admin/ and /django-admin/ are skipped.
- Every link, form action and asset found on an expanded page is fetched once.
- A page is expanded (its links followed) when it is HTML answered 200 and, for a URL
  with a query string, when it is among the first MAX_QUERY_VARIANTS query variants of
  its path met in breadth-first order. From a query variant, links to other variants of
  the same path (a filter added to a filter) are not followed: every one of the library's
  tag, section and difficulty filters is checked, their combinations are not.
- More than MAX_FETCHES fetches fails the crawl instead of truncating it silently.
"""

import json
import re
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

from tests.finder_factories import make_query

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"

# Where the crawl starts: the home page, and the pages no link reaches (the answers to
# GET forms, and error pages), each with the status it answers.
START_PAGES = {
    "/": 200,
    "/search/?q=websocket": 200,
    "/search/?q=zzyzx-nothing-matches": 200,
    "/finder/result/?"
    + make_query(direction="both", clients=("browser", "mobile"), delivery="catch_up"): 200,
    "/finder/result/?" + make_query(direction="server_to_client", freshness="minutes"): 200,
    "/finder/result/?direction=sideways&rate=": 400,
    # The frame lab: an encoded frame, frames that break rules and end cut off, bad hex.
    "/tools/frames/?mode=encode&payload=Hello&payload_format=text&opcode=1&fin=on&mask=on"
    "&masking_key=37+fa+21+3d": 200,
    "/tools/frames/?mode=decode&hex=01+03+48+65+6c+89+00+80+02+6c+6f+88+01+00+81+05+48"
    "&sender=client": 200,
    "/tools/frames/?mode=decode&hex=8&sender=client": 400,
    "/no-such-page/": 404,
}

SKIPPED_PREFIXES = ("/admin/", "/django-admin/")
MAX_QUERY_VARIANTS = 3
MAX_FETCHES = 1000

# Deliberate redirects a link may point at: none today. Internal links should name the
# final address; add one here, with its reason, only when a redirect is the point.
DELIBERATE_REDIRECTS = {}

# Link types that name something the page itself loads, rather than a page to visit.
ASSET_RELS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload"}
EXPECTED_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/",
    ".woff2": "font/woff2",
    ".xml": "xml",
}
EXPANDED_TYPES = ("text/html", "text/css", "javascript", "atom+xml")
# "#" and "#top" scroll to the top of any page (HTML's "indicated part of the document").
TOP_FRAGMENTS = {"", "top"}


@dataclass
class Response:
    url: str
    status: int
    content_type: str = ""
    body: bytes = b""
    location: str = ""

    @property
    def is_html(self):
        return self.content_type.startswith("text/html")

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Link:
    source: str
    target: str  # absolute, with its fragment
    kind: str  # "page" or "asset"
    tag: str  # where it was found: a, link[rel=stylesheet], script, img, form, css, js...


@dataclass
class Site:
    base: str
    responses: dict = field(default_factory=dict)  # URL without fragment -> Response
    links: list = field(default_factory=list)
    expanded: list = field(default_factory=list)  # URLs whose links were followed
    sitemap: Response | None = None  # fetched as the crawl ends: the site of that moment


# --- Parsing ----------------------------------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []  # (url, kind, tag)
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag in ("a", "area") and attrs.get("href") is not None:
            self.found.append((attrs["href"], "page", tag))
        elif tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            feed = "alternate" in rels and attrs.get("type")  # a feed or a JSON twin
            kind = "asset" if rels & ASSET_RELS or feed else "page"
            self.found.append((attrs["href"], kind, f"link[rel={' '.join(sorted(rels))}]"))
        elif tag in ("script", "img", "source", "audio", "video", "iframe") and attrs.get("src"):
            self.found.append((attrs["src"], "asset", tag))
        elif tag == "use" and attrs.get("href"):
            self.found.append((attrs["href"], "asset", tag))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.found.append((attrs.get("action") or "", "page", tag))
        elif tag == "meta" and attrs.get("property") in ("og:url", "og:image"):
            kind = "page" if attrs["property"] == "og:url" else "asset"
            self.found.append((attrs.get("content") or "", kind, f"meta[{attrs['property']}]"))
        for srcset in (attrs.get("srcset"), attrs.get("imagesrcset")):
            for candidate in (srcset or "").split(","):
                if candidate.strip():
                    self.found.append((candidate.split()[0], "asset", f"{tag}[srcset]"))


def parse_html(text):
    """(links as (href, kind, tag), ids) of an HTML document."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.found, parser.ids


CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")
JS_IMPORT = re.compile(
    r"""(?:\bimport|\bexport)\s[^;"'`]*?\bfrom\s*(["'])([^"']+)\1"""
    r"""|\bimport\s*(["'])([^"']+)\3"""
    r"""|\bimport\(\s*(["'])([^"']+)\5\s*\)""",
    re.DOTALL,
)


def css_references(text):
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(text) if m.group(2) or m.group(4)]


def js_imports(text):
    return [m.group(2) or m.group(4) or m.group(6) for m in JS_IMPORT.finditer(text)]


def feed_links(text):
    """The entry and self links of an Atom feed, or the <loc>s of a sitemap."""
    root = ElementTree.fromstring(text)  # noqa: S314 (our own server's feed)
    found = [el.get("href") for el in root.iter() if el.tag.endswith("}link") and el.get("href")]
    found += [el.text.strip() for el in root.iter() if el.tag.endswith("}loc") and el.text]
    return found


# --- Crawling ----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url):
    """GET one URL without following redirects."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with _opener.open(request, timeout=30) as response:
            return Response(
                url, response.status, response.headers.get("Content-Type", ""), response.read()
            )
    except urllib.error.HTTPError as error:
        return Response(
            url,
            error.code,
            error.headers.get("Content-Type", ""),
            error.read(),
            urljoin(url, error.headers.get("Location", "")) if error.headers["Location"] else "",
        )


class CrawlTooLarge(Exception):
    pass


def same_site(base, url):
    a, b = urlsplit(base), urlsplit(url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def skipped(url):
    return urlsplit(url).path.startswith(SKIPPED_PREFIXES)


def references(response):
    """The (href, kind, tag) an expanded response refers to, by its type."""
    if response.is_html:
        return parse_html(response.text)[0]
    if "css" in response.content_type:
        return [(href, "asset", "css") for href in css_references(response.text)]
    if "javascript" in response.content_type:
        return [(href, "asset", "js") for href in js_imports(response.text)]
    if "xml" in response.content_type:
        return [(href, "page", "feed") for href in feed_links(response.text)]
    return []


def crawl(base, starts=tuple(START_PAGES), fetch=fetch, max_fetches=MAX_FETCHES):
    """Every page and asset reachable from `starts` on the site at `base`, per the limits.
    A start page is expanded whatever its status (a 404 page's links must work too)."""
    site = Site(base.rstrip("/"))
    seeds = [urljoin(base, start) for start in starts]
    queue = deque(seeds)
    queued = set(queue)
    variants = {}  # path -> expanded query strings
    while queue:
        url = queue.popleft()
        if len(site.responses) >= max_fetches:
            raise CrawlTooLarge(f"more than {max_fetches} URLs; last queued {url}")
        response = site.responses[url] = fetch(url)
        if response.status != 200 and url not in seeds:
            continue
        if not expandable(url, response, variants):
            continue
        site.expanded.append(url)
        for href, kind, tag in references(response):
            if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            target = urljoin(url, href)
            if urlsplit(target).scheme not in ("http", "https"):
                continue  # ws:, wss: (the echo tester's endpoint) and other schemes
            if not same_site(base, target) or skipped(target):
                continue
            bare = urldefrag(target).url
            if combination(url, bare):
                continue
            site.links.append(Link(url, target, kind, tag))
            if bare not in queued:
                queued.add(bare)
                queue.append(bare)
    return site


def combination(source, target):
    """Whether `target` is another query variant of the same path as the query variant
    `source` (a filter added to a filter): not walked."""
    a, b = urlsplit(source), urlsplit(target)
    return bool(a.query and b.query and a.path == b.path and a.query != b.query)


def expandable(url, response, variants):
    """Whether to follow a fetched URL's own links: HTML, CSS, JavaScript and feeds, and
    of a path's query variants only the first MAX_QUERY_VARIANTS."""
    if not any(kind in response.content_type for kind in EXPANDED_TYPES):
        return False
    parts = urlsplit(url)
    if not parts.query:
        return True
    seen = variants.setdefault(parts.path, [])
    if len(seen) >= MAX_QUERY_VARIANTS:
        return False
    seen.append(parts.query)
    return True


# --- Checks: each a list of problems, empty when all is well ------------------------------


def broken_links(site):
    problems = set()
    for link in site.links:
        if link.kind != "page":
            continue
        response = site.responses[urldefrag(link.target).url]
        if response.status == 200:
            continue
        if response.url == link.source and link.target != link.source:
            continue  # "#fragment": a link within the page, whatever the page's status
        path = urlsplit(response.url).path
        if response.status in (301, 302, 307, 308) and DELIBERATE_REDIRECTS.get(path):
            continue
        where = f" -> {response.location}" if response.location else ""
        problems.add(f"{link.source}: <{link.tag}> {link.target} answered {response.status}{where}")
    return sorted(problems)


def missing_anchors(site):
    ids = {}
    problems = set()
    for link in site.links:
        bare, fragment = urldefrag(link.target)
        if link.kind != "page" or fragment.lower() in TOP_FRAGMENTS:
            continue
        response = site.responses[bare]
        if not response.is_html or (response.status != 200 and bare != link.source):
            continue  # reported by broken_links
        if bare not in ids:
            ids[bare] = parse_html(response.text)[1]
        if unquote(fragment) not in ids[bare]:
            problems.add(f"{link.source}: <{link.tag}> {link.target}: no id {fragment!r} there")
    return sorted(problems)


def asset_problems(site):
    problems = set()
    for link in site.links:
        if link.kind != "asset":
            continue
        response = site.responses[urldefrag(link.target).url]
        name = f"{link.source}: <{link.tag}> {link.target}"
        if response.status != 200:
            problems.add(f"{name} answered {response.status}")
        elif not response.body:
            problems.add(f"{name} is empty")
        else:
            suffix = Path(urlsplit(link.target).path).suffix.lower()
            expected = EXPECTED_TYPES.get(suffix)
            if expected and expected not in response.content_type:
                problems.add(f"{name} is {response.content_type!r}, not {expected}")
    return sorted(problems)


# --- The Nu HTML Checker --------------------------------------------------------------------

# Warnings accepted on purpose, each with its reason. Errors are never accepted.
ACCEPTED_WARNINGS = {
    # Lists styled without bullets lose their list semantics in WebKit (VoiceOver);
    # role="list" gives them back. The checker calls it redundant; for Safari it is not.
    re.compile(r"^The “list” role is unnecessary for element “[ou]l”\.$"): "WebKit",
}


def vnu_problems(report, names=None):
    """The errors and the unaccepted warnings in the checker's JSON report, one line each,
    naming the document (by `names`, file URL -> page URL, when given) and the line."""
    names = names or {}
    problems = []
    for message in json.loads(report)["messages"]:
        if message["type"] == "info":
            if message.get("subType") != "warning":
                continue  # plain information, not a finding
            if any(pattern.match(message["message"]) for pattern in ACCEPTED_WARNINGS):
                continue
            kind = "warning"
        else:  # error (subType fatal when parsing stopped), non-document-error
            kind = message.get("subType") or message["type"]
        url = message.get("url", "")
        where = f"{names.get(url, url)}:{message.get('lastLine', '?')}"
        problems.append(f"{where}: {kind}: {message['message']}")
    return problems


def vnu_command(paths):
    """The checker over many files in one Java process: JSON on stdout, and on stderr
    (--verbose) the name of each file it read."""
    return [
        "java",
        "-Xss1m",
        "-jar",
        str(VNU_JAR),
        "--format",
        "json",
        "--stdout",
        "--verbose",
        "--also-check-css",
        "--also-check-svg",
        *map(str, paths),
    ]
