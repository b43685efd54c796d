"""Import the Markdown guides of guides/content/ into Wagtail pages.

Idempotent, and never overwrites an editor's work. For every guide file, a
GuideImport row remembers the page, the section it was filed under, a fingerprint
of the content the loader generated, and the revision the loader published. On a
later run a guide is:

- created, when its file is new;
- left exactly as it is, when the generated content has the same fingerprint;
- updated (a new revision, published), when the file changed and nobody touched the
  page since the loader's own revision;
- left alone, and reported, when an editor changed it: a newer revision (draft or
  published), unpublished it, moved it, or deleted it.

Links between guides ([[slug]] and "Related:") become Wagtail page links, so new
pages are created first (as drafts with no revision) and filled in a second pass.
"""

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.html import escape
from wagtail.search import index

from .front_matter import SECTIONS, ContentError, parse_guide, parse_tags
from .markdown_blocks import markdown_to_blocks
from .models import (
    Author,
    GuideImport,
    GuideIndexPage,
    GuidePage,
    GuideSectionPage,
    search_indexing_deferred,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"

INDEX = {
    "title": "Guide library",
    "slug": "guides",
    "seo_title": "WebSocket guide library: internals, guides, comparisons, use cases",
    "intro": (
        "Everything on this site that you can read: how the protocol works byte by byte, "
        "hands-on guides from a first connection to production scale, honest comparisons "
        "with the alternatives, real-world patterns and framework integrations. Filter by "
        "section, tag or level, or search."
    ),
}
SECTION_INTROS = {
    "internals": "From the HTTP upgrade to the last close frame: the protocol byte by "
    "byte, with the RFC section for every claim.",
    "guides": "Hands-on guides from your first connection to production scale: "
    "reconnection, heartbeats, authentication, backpressure, security and scaling out.",
    "comparisons": "Not everything needs a WebSocket. Server-Sent Events, long polling, "
    "HTTP streaming, WebTransport, WebRTC, MQTT and gRPC, weighed honestly.",
    "use-cases": "Real-world patterns with their architecture, message shapes and "
    "pitfalls: chat, dashboards, games, collaborative editing, notifications, telemetry.",
    "frameworks": "WebSockets in the frameworks people use: Django Channels, FastAPI and "
    "Starlette, Node.js, Go, Rust, Java and the browser API itself.",
    "troubleshooting": "Start from the symptom: a 1006, a refused handshake, a connection "
    "that drops after a minute. How to confirm it, the causes in the order they turn out "
    "to be the answer, and the exact fix.",
    "reference": "The tables you come back to: every close code, every handshake header, "
    "the browser API, platform limits, URL schemes and ports, and a glossary.",
    "deployment": "WebSockets through nginx, HAProxy, Caddy, cloud load balancers and "
    "Kubernetes, TLS for wss://, and how to watch and load-test what you run. The proxy "
    "recipes are run against this site's echo service in our test suite.",
}


def fingerprint(data):
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


@dataclass
class Report:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    left_alone: list = field(default_factory=list)  # (slug, reason)
    errors: list = field(default_factory=list)  # (file, message)
    warnings: list = field(default_factory=list)  # (slug, message)
    notes: list = field(default_factory=list)  # tree and authors


@contextmanager
def search_index_deferred():
    """Wagtail indexes a page on every save; a guide is saved three or four times on
    import. Index each guide once, at the end, instead (most of the import's time)."""
    token = search_indexing_deferred.set(True)
    try:
        yield
    finally:
        search_indexing_deferred.reset(token)


def edited_since_import(record, page):
    """Why the loader must not touch this page, or '' when it still may."""
    if page is None:
        return "deleted in the admin; not recreated"
    if page.latest_revision_id != record.revision_id:
        return "changed in the admin since it was imported"
    if not page.live:
        return "unpublished in the admin"
    if page.get_parent().slug != record.section:
        return "moved in the admin"
    return ""


class GuideLoader:
    """`parent` is the page to create the library under when there is none yet (the
    site's home page); the loader never looks for it itself."""

    def __init__(self, content_dir=CONTENT_DIR, parent=None):
        self.content_dir = Path(content_dir)
        self.parent = parent
        self.report = Report()

    @transaction.atomic
    def run(self):
        sections = self.ensure_tree()
        authors = self.sync_authors()
        vocabulary = self.read_vocabulary()
        sources = self.read_sources()
        records = {record.slug: record for record in GuideImport.objects.select_related("page")}

        # Which files the loader may write, and the page each slug is (or will be).
        writable, pages = [], {}
        for slug, record in records.items():
            if record.page_id:
                pages[slug] = record.page
        for source in sources:
            record = records.get(source.slug)
            if record is not None:
                reason = edited_since_import(record, record.page)
                if reason:
                    self.report.left_alone.append((source.slug, reason))
                    continue
                writable.append((source, record, record.page))
                continue
            section = sections.get(source.section)
            if section is None:
                self.report.left_alone.append(
                    (source.slug, f"its section “{source.section}” was removed in the admin")
                )
                continue
            if section.get_children().filter(slug=source.slug).exists():
                self.report.left_alone.append(
                    (source.slug, "a page with this slug exists that the loader did not create")
                )
                continue
            with search_index_deferred():
                page = self.create_draft(section, source)
            pages[source.slug] = page
            writable.append((source, None, page))

        titles = {source.slug: source.title for source in sources}
        with search_index_deferred():
            for source, record, page in writable:
                self.write(source, record, page, pages, titles, sections, authors, vocabulary)
        written = set(self.report.created) | set(self.report.updated)
        for page in GuidePage.objects.filter(slug__in=written, import_record__isnull=False):
            index.insert_or_update_object(page)
        return self.report

    # The tree: index under the parent page, sections under the index.

    def ensure_tree(self):
        index = GuideIndexPage.objects.first()
        if index is None:
            if self.parent is None or not GuideIndexPage.can_create_at(self.parent):
                raise ContentError("there is no home page yet: run `manage.py setup_site` first")
            index = self.parent.add_child(instance=GuideIndexPage(**INDEX, live=False))
            index.save_revision().publish()
            self.report.notes.append("Created the guide library at /guides/.")
        sections = {}
        existing = {page.slug: page for page in GuideSectionPage.objects.child_of(index)}
        for slug, title in SECTIONS.items():
            section = existing.get(slug)
            if section is None:
                section = index.add_child(
                    instance=GuideSectionPage(
                        title=title, slug=slug, intro=SECTION_INTROS[slug], live=False
                    )
                )
                section.save_revision().publish()
                self.report.notes.append(f"Created the section {title}.")
            sections[slug] = section
        return sections

    # Authors: created from authors.yaml; updated only while nobody edited them.

    def sync_authors(self):
        path = self.content_dir / "authors.yaml"
        try:
            data = yaml.safe_load(path.read_text()) if path.exists() else {}
        except yaml.YAMLError as error:
            self.report.errors.append(("authors.yaml", f"not valid YAML: {error}"))
            data = {}
        authors = {author.key: author for author in Author.objects.all()}
        for key, entry in (data or {}).items():
            if not isinstance(entry, dict) or not entry.get("name"):
                self.report.errors.append(("authors.yaml", f"“{key}” needs at least a name"))
                continue
            wanted = {
                "name": " ".join(str(entry["name"]).split())[:120],
                "bio": " ".join(str(entry.get("bio") or "").split())[:600],
                "url": str(entry.get("url") or "")[:200],
            }
            new_print = fingerprint(wanted)
            author = authors.get(key)
            if author is None:
                authors[key] = Author.objects.create(
                    key=key, imported_fingerprint=new_print, **wanted
                )
                self.report.notes.append(f"Created the author {wanted['name']}.")
                continue
            current = {"name": author.name, "bio": author.bio, "url": author.url}
            if author.imported_fingerprint == new_print:
                continue
            if fingerprint(current) != author.imported_fingerprint:
                self.report.notes.append(
                    f"Author {author.name} was changed in the admin; left alone."
                )
                continue
            for name, value in wanted.items():
                setattr(author, name, value)
            author.imported_fingerprint = new_print
            author.save()
            self.report.notes.append(f"Updated the author {author.name}.")
        return authors

    # Tags: the vocabulary of tags.yaml, when there is one.

    def read_vocabulary(self):
        """{tag: meaning}, or None (any tag goes) for a folder without tags.yaml."""
        path = self.content_dir / "tags.yaml"
        if not path.exists():
            return None
        try:
            return parse_tags(path.read_text(encoding="utf-8"))
        except ContentError as error:
            self.report.errors.append(("tags.yaml", str(error)))
            return None

    # Guides

    def read_sources(self):
        sources, seen = [], {}
        for path in sorted(self.content_dir.glob("*/*.md")):
            name = f"{path.parent.name}/{path.name}"
            try:
                source = parse_guide(
                    path.read_text(encoding="utf-8"), slug=path.stem, section=path.parent.name
                )
            except (ContentError, UnicodeDecodeError) as error:
                self.report.errors.append((name, str(error)))
                continue
            if source.slug in seen:
                self.report.errors.append(
                    (name, f"the slug “{source.slug}” is already used by {seen[source.slug]}")
                )
                continue
            seen[source.slug] = name
            sources.append(source)
        return sources

    def create_draft(self, section, source):
        """A page row to link to; write() fills it in and publishes its first revision.
        Its body is only the summary: the real one is converted once, when every page it
        may link to exists."""
        blocks = [{"type": "text", "value": f"<p>{escape(source.summary)}</p>"}]
        return section.add_child(
            instance=GuidePage(
                title=source.title,
                slug=source.slug,
                summary=source.summary,
                difficulty=source.difficulty,
                body=blocks,
                live=False,
            )
        )

    def convert(self, source, pages, titles):
        def resolve(slug):
            page = pages.get(slug)
            if page is None or slug not in titles:
                return None
            return {"linktype": "page", "id": page.pk}, titles[slug]

        try:
            conversion = markdown_to_blocks(source.body, resolve)
        except ContentError as error:
            self.report.errors.append((f"{source.section}/{source.slug}.md", str(error)))
            return None
        for message in conversion.warnings:
            self.report.warnings.append((source.slug, message))
        unresolved = set(conversion.unresolved)
        for block in conversion.blocks:
            if block["type"] == "related":
                slugs = block["value"]["guides"]
                unresolved.update(slug for slug in slugs if slug not in pages)
                block["value"]["guides"] = [pages[slug].pk for slug in slugs if slug in pages]
        conversion.blocks = [
            block
            for block in conversion.blocks
            if block["type"] != "related" or block["value"]["guides"]
        ]
        for slug in sorted(unresolved):
            self.report.warnings.append(
                (source.slug, f"[[{slug}]] matches no guide; shown as plain text or left out")
            )
        return conversion

    def write(self, source, record, page, pages, titles, sections, authors, vocabulary):
        conversion = self.convert(source, pages, titles)
        if conversion is None:
            return
        unknown = [key for key in source.authors if key not in authors]
        for key in unknown:
            self.report.warnings.append((source.slug, f"unknown author “{key}” left out"))
        fields = {
            "title": source.title,
            "summary": source.summary,
            "difficulty": source.difficulty,
            "last_reviewed": source.reviewed,
            "body": conversion.blocks,
        }
        tags = [tag for tag in source.tags if vocabulary is None or tag in vocabulary]
        for tag in source.tags:
            if tag not in tags:
                self.report.warnings.append(
                    (source.slug, f"the tag “{tag}” is not in tags.yaml; left out")
                )
        author_keys = [key for key in source.authors if key in authors]
        new_print = fingerprint(
            {**fields, "tags": tags, "authors": author_keys, "section": source.section}
        )
        if record is not None and record.fingerprint == new_print:
            self.report.unchanged.append(source.slug)
            return

        page = GuidePage.objects.get(pk=page.pk)
        if record is not None and record.section != source.section:
            page.move(sections[source.section], pos="last-child")
            page.refresh_from_db()
        for name, value in fields.items():
            setattr(page, name, value)
        page.tags.set(tags)
        page.authors.set([authors[key] for key in author_keys])
        revision = page.save_revision(log_action=True)
        revision.publish()
        GuideImport.objects.update_or_create(
            slug=source.slug,
            defaults={
                "page": page,
                "section": source.section,
                "fingerprint": new_print,
                "revision": revision,
            },
        )
        (self.report.created if record is None else self.report.updated).append(source.slug)
