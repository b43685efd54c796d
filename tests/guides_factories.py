"""Factories for the guide library: plain functions building pages and body blocks."""

import io
from dataclasses import dataclass
from datetime import date

from django.core.management import call_command

from guides.front_matter import SECTIONS
from guides.models import Author, GuideIndexPage, GuidePage, GuideSectionPage
from guides.text import slugify
from website.models import HomePage


@dataclass
class Library:
    index: GuideIndexPage
    sections: dict

    def __getitem__(self, slug):
        return self.sections[slug]


def make_library():
    """The home page, /guides/ and its sections, all published."""
    call_command("setup_site", stdout=io.StringIO())
    home = HomePage.objects.get()
    index = home.add_child(
        instance=GuideIndexPage(title="Guide library", slug="guides", intro="Every guide.")
    )
    sections = {
        slug: index.add_child(
            instance=GuideSectionPage(title=title, slug=slug, intro=f"About {title.lower()}.")
        )
        for slug, title in SECTIONS.items()
    }
    return Library(index, sections)


def make_author(key="ada", name="Ada Example", bio="Runs real-time systems.", url=""):
    return Author.objects.create(key=key, name=name, bio=bio, url=url)


def make_guide(
    section,
    title="The opening handshake",
    *,
    slug=None,
    summary="How a WebSocket connection starts.",
    difficulty="beginner",
    tags=(),
    authors=(),
    body=None,
    reviewed=date(2026, 11, 1),
    publish=True,
):
    page = GuidePage(
        title=title,
        slug=slug or slugify(title),
        summary=summary,
        difficulty=difficulty,
        last_reviewed=reviewed,
        body=body if body is not None else [paragraph("<p>Some text.</p>")],
        live=False,
    )
    section.add_child(instance=page)
    page.tags.set(list(tags))
    page.authors.set(list(authors))
    revision = page.save_revision()
    if publish:
        revision.publish()
    return GuidePage.objects.get(pk=page.pk)


# Body blocks, in the raw StreamField shape.


def heading(text, level="h2", anchor=""):
    return {"type": "heading", "value": {"level": level, "text": text, "anchor": anchor}}


def paragraph(html):
    return {"type": "text", "value": html}


def code(source, language="python", filename="", highlight="", check="run"):
    return {
        "type": "code",
        "value": {
            "language": language,
            "filename": filename,
            "highlight": highlight,
            "check": check,
            "code": source,
        },
    }


def code_tabs(*tabs):
    """tabs: (label, language, source) triples."""
    return {
        "type": "code_tabs",
        "value": {
            "tabs": [
                {
                    "label": label,
                    "language": language,
                    "filename": "",
                    "highlight": "",
                    "check": "syntax",
                    "code": source,
                }
                for label, language, source in tabs
            ]
        },
    }


def diagram(text, caption=""):
    return {"type": "diagram", "value": {"text": text, "caption": caption}}


def callout(html, kind="note"):
    return {"type": "callout", "value": {"kind": kind, "text": html}}


def quote(html, attribution=""):
    return {"type": "quote", "value": {"text": html, "attribution": attribution}}


def table(headings, rows, caption="", types=None, first_column_is_header=True):
    """A table block; `types` gives each column's type (text, number or support), text
    by default. Text cells are wrapped in <p>; number and support cells are stored as
    given ("1000", "yes")."""
    types = types or ["text"] * len(headings)
    return {
        "type": "table",
        "value": {
            "first_column_is_header": first_column_is_header,
            "table": {
                "columns": [
                    {"type": kind, "heading": h} for kind, h in zip(types, headings, strict=True)
                ],
                "rows": [
                    {
                        "values": [
                            f"<p>{cell}</p>" if kind == "text" else cell
                            for kind, cell in zip(types, row, strict=True)
                        ]
                    }
                    for row in rows
                ],
                "caption": caption,
            },
        },
    }


def related(*pages):
    return {"type": "related", "value": {"guides": [page.pk for page in pages]}}


def page_link(page, text):
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


def guide_form_data(title="Heartbeats through proxies", slug="heartbeats-through-proxies", **extra):
    """What the admin's guide form posts: several block types, tags, a review date."""
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    body = streamfield(
        [
            ("heading", {"level": "h2", "text": "Why proxies drop idle sockets", "anchor": ""}),
            ("text", rich_text("<p>Idle connections are closed by <b>proxies</b>.</p>")),
            (
                "code",
                {
                    "language": "python",
                    "filename": "ping.py",
                    "highlight": "1",
                    "check": "run",
                    "code": "await websocket.ping()",
                },
            ),
            ("callout", {"kind": "tip", "text": rich_text("<p>Ping every 20 seconds.</p>")}),
        ]
    )
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Keep WebSocket connections alive through proxies and load balancers.",
            "body": body,
            "difficulty": "intermediate",
            "tags": "heartbeats, proxies",
            "last_reviewed": "2026-11-02",
            "comments": inline_formset([]),
            **extra,
        }
    )


def live_example(
    messages=("hello",),
    endpoint="echo",
    room="",
    protocols="",
    notice="<p>Each message comes back unchanged.</p>",
    close_code=None,
    close_reason="",
):
    return {
        "type": "live_example",
        "value": {
            "endpoint": endpoint,
            "room": room,
            "protocols": protocols,
            "messages": list(messages),
            "notice": notice,
            "close_code": close_code,
            "close_reason": close_reason,
        },
    }
