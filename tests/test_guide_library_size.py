"""The starter library cannot silently shrink or thin out.

The guide files are read with the loader's own parser (tests/guide_content.py), so these
are the guides `make run` publishes. Each test checks one rule for every guide and lists
all the guides that break it.

Words are counted in the prose a reader reads: paragraphs, lists, headings, callouts,
quotes, table cells and figure captions, as the parser renders them, with the markup
removed. Code samples, the front matter (title and summary), the References list and the
Related links are left out. A word is what `wc -w` counts, but only when it contains a
letter or a digit: `Sec-WebSocket-Accept` and `RFC 6455` are one and two words, and a
lone dash is none.
"""

import re
from collections import Counter
from datetime import date
from html import unescape
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from guides.front_matter import DIFFICULTIES, SECTIONS, parse_tags
from tests.guide_content import CONTENT, guides

MIN_GUIDES = 65
MIN_PER_SECTION = 5
MIN_WORDS, MAX_WORDS = 600, 2500
MIN_TAGS, MAX_TAGS = 2, 6  # the writers' contract, guides/content/README.md
MIN_PRIMARY_REFERENCES = 2
# The tag vocabulary, guides/content/tags.yaml: short enough to scan, each tag a real filter.
MIN_VOCABULARY, MAX_VOCABULARY = 20, 30
MIN_GUIDES_PER_TAG = 3

# Primary sources: the standards themselves, MDN, and the official documentation of the
# software a guide discusses. Blogs, Q&A sites, vendors' articles and code hosts are not.
STANDARDS = {
    "www.rfc-editor.org",
    "rfc-editor.org",
    "datatracker.ietf.org",
    "www.ietf.org",
    "www.iana.org",
    "www.w3.org",
    "docs.oasis-open.org",
    "developer.mozilla.org",
}
STANDARDS_SUFFIX = ".spec.whatwg.org"
OFFICIAL_DOCS = {
    "docs.python.org",
    "docs.djangoproject.com",
    "channels.readthedocs.io",
    "asgi.readthedocs.io",
    "websockets.readthedocs.io",
    "fastapi.tiangolo.com",
    "www.starlette.io",
    "www.uvicorn.org",
    "nodejs.org",
    "socket.io",
    "go.dev",
    "pkg.go.dev",
    "docs.rs",
    "tokio.rs",
    "docs.spring.io",
    "jakarta.ee",
    "tomcat.apache.org",
    "grpc.io",
    "nginx.org",
    "redis.io",
    "mqtt.org",
    # proxies, clouds and platforms (the Deployment and Troubleshooting sections)
    "docs.haproxy.org",
    "www.haproxy.com",
    "caddyserver.com",
    "www.envoyproxy.io",
    "doc.traefik.io",
    "developers.cloudflare.com",
    "docs.aws.amazon.com",
    "kubernetes.io",
    "kubernetes.github.io",
    "learn.microsoft.com",
    "developer.apple.com",
    "developer.android.com",
    "square.github.io",
    "the-guild.dev",
    "graphql.org",
    "spec.graphql.org",
    "kafka.apache.org",
    "curl.se",
    "www.openssl.org",
    "docs.openssl.org",
    "chromium.googlesource.com",
    "www.chromium.org",
    "webkit.org",
    "firefox-source-docs.mozilla.org",
    "web.dev",
    "letsencrypt.org",
    "prometheus.io",
    "opentelemetry.io",
    "k6.io",
    "grafana.com",
}

TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"\w")


def plain(html):
    return unescape(TAG.sub(" ", html))


def prose(guide):
    """The texts of a guide's prose blocks, References section excluded."""
    in_references = False
    for block in guide.blocks:
        kind, value = block["type"], block["value"]
        if kind == "heading":
            in_references = value["level"] == "h2" and value["text"] == "References"
            if not in_references:
                yield value["text"]
        elif in_references:
            continue
        elif kind == "text":
            yield plain(value)
        elif kind == "callout":
            yield plain(value["text"])
        elif kind == "quote":
            yield plain(value["text"])
            yield value["attribution"]
        elif kind == "table":
            yield from (column["heading"] for column in value["table"]["columns"])
            for row in value["table"]["rows"]:
                # Number cells are stored as "1000" (None when empty), support cells as
                # "yes", "partial" or "no".
                yield from (plain(value) for value in row["values"] if value is not None)
        elif kind in ("figure", "diagram"):
            yield value["caption"]


def count_words(text):
    return sum(1 for token in text.split() if WORD.search(token))


def prose_words(guide):
    return sum(count_words(text) for text in prose(guide))


def references(guide):
    """The links listed under the guide's `## References` heading, which ends the guide."""
    start = next(
        (
            i
            for i, block in enumerate(guide.blocks)
            if block["type"] == "heading" and block["value"]["text"] == "References"
        ),
        None,
    )
    if start is None:
        return []
    html = "".join(block["value"] for block in guide.blocks[start + 1 :] if block["type"] == "text")
    return [link["href"] for link in BeautifulSoup(html, "html.parser").select("li a[href]")]


def is_primary(url):
    host = urlsplit(url).hostname or ""
    return host in STANDARDS or host in OFFICIAL_DOCS or host.endswith(STANDARDS_SUFFIX)


def test_the_library_has_at_least_sixty_five_guides():
    assert len(guides()) >= MIN_GUIDES


def test_every_section_has_at_least_five_guides():
    per_section = Counter(guide.source.section for guide in guides())
    counts = {section: per_section[section] for section in SECTIONS}
    assert {section: n for section, n in counts.items() if n < MIN_PER_SECTION} == {}


def test_every_guide_has_600_to_2500_words_of_prose():
    counts = {guide.name: prose_words(guide) for guide in guides()}
    assert {name: n for name, n in counts.items() if not MIN_WORDS <= n <= MAX_WORDS} == {}


def test_every_guide_has_a_summary_tags_a_difficulty_and_a_review_date():
    incomplete = {}
    for guide in guides():
        source = guide.source
        missing = [
            *(["summary"] if not source.summary else []),
            *(
                [f"{MIN_TAGS}-{MAX_TAGS} tags"]
                if not MIN_TAGS <= len(source.tags) <= MAX_TAGS
                else []
            ),
            *(["difficulty"] if source.difficulty not in DIFFICULTIES else []),
            *(["reviewed date"] if not isinstance(source.reviewed, date) else []),
        ]
        if missing:
            incomplete[guide.name] = missing
    assert incomplete == {}


def vocabulary():
    return parse_tags((CONTENT / "tags.yaml").read_text(encoding="utf-8"))


def test_every_tag_a_guide_carries_is_in_the_vocabulary():
    known = vocabulary()
    outside = {guide.name: [t for t in guide.source.tags if t not in known] for guide in guides()}
    assert {name: tags for name, tags in outside.items() if tags} == {}


def test_the_tag_vocabulary_is_short_and_every_tag_in_it_is_shared_by_three_guides():
    known = vocabulary()
    assert MIN_VOCABULARY <= len(known) <= MAX_VOCABULARY
    counts = Counter(tag for guide in guides() for tag in guide.source.tags)
    assert {tag: counts[tag] for tag in known if counts[tag] < MIN_GUIDES_PER_TAG} == {}


def test_every_guide_ends_with_a_references_heading():
    endings = {}
    for guide in guides():
        headings = [b["value"] for b in guide.blocks if b["type"] == "heading"]
        last = headings[-1] if headings else {}
        if (last.get("level"), last.get("text")) != ("h2", "References"):
            endings[guide.name] = last.get("text")
    assert endings == {}


def test_every_guide_lists_at_least_two_primary_sources_in_its_references():
    too_few = {}
    for guide in guides():
        primary = [url for url in references(guide) if is_primary(url)]
        if len(primary) < MIN_PRIMARY_REFERENCES:
            too_few[guide.name] = primary
    assert too_few == {}


def test_guides_use_only_h2_and_h3_headings():
    # The parser shows other levels as h2/h3 and says so in a warning.
    offending = {
        guide.name: [w for w in guide.conversion.warnings if "headings are used" in w]
        for guide in guides()
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_loader_has_nothing_to_warn_about_in_any_guide():
    warnings = {guide.name: guide.conversion.warnings for guide in guides()}
    assert {name: found for name, found in warnings.items() if found} == {}


def test_every_related_guide_and_guide_link_names_an_existing_guide():
    slugs = {guide.source.slug for guide in guides()}
    dangling = {}
    for guide in guides():
        named = [
            *guide.conversion.references,
            *(
                slug
                for block in guide.blocks
                if block["type"] == "related"
                for slug in block["value"]["guides"]
            ),
        ]
        unknown = sorted(set(named) - slugs)
        if unknown:
            dangling[guide.name] = unknown
    assert dangling == {}
