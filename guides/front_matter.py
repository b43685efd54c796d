"""A guide file's front matter -> guide metadata, checked against the sections and tags.

Pure Python (PyYAML, no Django), like guides/markdown_blocks.py, which converts the body
below the front matter. The format is the writers' contract in guides/content/README.md.
"""

import re
from dataclasses import dataclass
from datetime import date

import yaml

from .text import slugify

SECTIONS = {
    "internals": "Protocol internals",
    "guides": "Hands-on guides",
    "comparisons": "Comparisons",
    "use-cases": "Use cases",
    "frameworks": "Framework integrations",
    "troubleshooting": "Troubleshooting",
    "reference": "Reference",
    "deployment": "Deployment and operations",
}
DIFFICULTIES = ("beginner", "intermediate", "advanced")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("title", "summary", "tags", "difficulty", "authors")


class ContentError(ValueError):
    """A guide file that does not follow the format; the message says what to fix."""


@dataclass(frozen=True)
class GuideSource:
    slug: str
    section: str
    title: str
    summary: str
    tags: tuple
    difficulty: str
    authors: tuple
    reviewed: date | None
    body: str


def split_front_matter(text):
    """'---\\n<yaml>\\n---\\n<body>' -> (dict, body)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ContentError("the file must start with front matter between two '---' lines")
    end = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise ContentError("the front matter has no closing '---' line")
    raw, body = text[4 : 4 + end.start()], text[4 + end.end() :]
    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"the front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise ContentError("the front matter must be a YAML mapping of field: value")
    return meta, body.lstrip("\n")


def _string_list(meta, name):
    value = meta.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ContentError(f"'{name}' must be a list such as [one, two]")
    return tuple(item.strip() for item in value if item.strip())


def parse_tags(text):
    """Read the tag vocabulary (guides/content/tags.yaml): {tag: what it covers}.
    Raises ContentError naming the first problem."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ContentError("tags.yaml must be a mapping of tag: what it covers")
    for tag, meaning in data.items():
        if not isinstance(tag, str) or not SLUG.match(tag):
            raise ContentError(f"the tag “{tag}” must be lower-case words joined by hyphens")
        if not isinstance(meaning, str) or not meaning.strip():
            raise ContentError(f"the tag “{tag}” needs a line saying what it covers")
    return {tag: " ".join(meaning.split()) for tag, meaning in data.items()}


def parse_guide(text, *, slug, section):
    """Read one guide file. Raises ContentError naming the first problem."""
    if not SLUG.match(slug):
        raise ContentError(f"the file name “{slug}” must be lower-case words joined by hyphens")
    if section not in SECTIONS:
        raise ContentError(f"“{section}” is not a section folder ({', '.join(SECTIONS)})")
    meta, body = split_front_matter(text)
    missing = [name for name in REQUIRED_FIELDS if not meta.get(name)]
    if missing:
        raise ContentError(f"the front matter is missing {', '.join(map(repr, missing))}")
    for name in ("title", "summary", "difficulty"):
        if not isinstance(meta[name], str):
            raise ContentError(f"'{name}' must be text")
    title = " ".join(meta["title"].split())
    if len(title) > 255:
        raise ContentError("'title' is longer than 255 characters")
    difficulty = meta["difficulty"].strip().lower()
    if difficulty not in DIFFICULTIES:
        raise ContentError(f"'difficulty' must be one of {', '.join(DIFFICULTIES)}")
    tags = tuple(dict.fromkeys(slugify(tag, fallback="") for tag in _string_list(meta, "tags")))
    if "" in tags:
        raise ContentError("every tag needs at least one letter or digit")
    reviewed = meta.get("reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = date.fromisoformat(reviewed.strip())
        except ValueError:
            raise ContentError("'reviewed' must be a date such as 2026-11-28") from None
    if reviewed is not None and not isinstance(reviewed, date):
        raise ContentError("'reviewed' must be a date such as 2026-11-28")
    if not body.strip():
        raise ContentError("the guide has no body after the front matter")
    return GuideSource(
        slug=slug,
        section=section,
        title=title,
        summary=" ".join(meta["summary"].split()),
        tags=tags,
        difficulty=difficulty,
        authors=_string_list(meta, "authors"),
        reviewed=reviewed,
        body=body,
    )
