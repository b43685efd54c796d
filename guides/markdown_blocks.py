"""A guide's Markdown body -> StreamField block data.

The format is the writers' contract in guides/content/README.md. This module is pure
Python (Markdown, no Django): the load_guides command reads a file's front matter with
guides/front_matter.py, feeds the body here and turns the blocks into Wagtail pages.

Block data uses the raw StreamField shape of guides.blocks.GuideStreamBlock:
a list of {"type": name, "value": value}.
"""

import re
import shlex
from dataclasses import dataclass, field
from xml.etree import ElementTree

import markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from . import live
from .code import CHECK_VALUES, default_check, normalize_language, parse_line_spec
from .front_matter import ContentError
from .text import slugify, unique_anchors

CALLOUT_KINDS = {
    "NOTE": "note",
    "IMPORTANT": "note",
    "TIP": "tip",
    "WARNING": "warning",
    "CAUTION": "warning",
}


@dataclass
class Conversion:
    blocks: list = field(default_factory=list)
    references: list = field(default_factory=list)  # every [[slug]], in order
    unresolved: list = field(default_factory=list)  # [[slug]]s that matched no guide
    warnings: list = field(default_factory=list)


# Inline Markdown ---------------------------------------------------------------------

WIKI_LINK = r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)\]\]"


def humanize(slug):
    return slug.replace("-", " ")


class _GuideLinks(InlineProcessor):
    """[[slug]] -> a link to that guide, titled with its title; plain words when unknown."""

    def __init__(self, md, resolve, conversion):
        super().__init__(WIKI_LINK, md)
        self.resolve = resolve
        self.conversion = conversion

    def handleMatch(self, m, data):
        slug = m.group(1)
        self.conversion.references.append(slug)
        target = self.resolve(slug) if self.resolve else None
        if target is None:
            self.conversion.unresolved.append(slug)
            return humanize(slug), m.start(0), m.end(0)
        attrs, text = target
        link = ElementTree.Element("a", {key: str(value) for key, value in attrs.items()})
        link.text = text
        return link, m.start(0), m.end(0)


SAFE_LINK = re.compile(r"^(?:https?://|mailto:|/(?!/)|#|\?)", re.IGNORECASE)


class _SafeLinksAndImages(Treeprocessor):
    """Links only to http(s), mail and this site; images only from this site's /static/
    (nothing is loaded from other hosts). Anything else is kept as text and reported."""

    def __init__(self, md, conversion):
        super().__init__(md)
        self.conversion = conversion

    def run(self, root):
        for parent in root.iter():
            for child in list(parent):
                internal = child.get("linktype") == "page"  # A [[slug]] page link.
                if child.tag == "a" and not internal and not SAFE_LINK.match(child.get("href", "")):
                    self.conversion.warnings.append(f"link to “{child.get('href')}” removed")
                    child.attrib.pop("href", None)
                    child.tag = "span"
                elif child.tag == "img" and not child.get("src", "").startswith("/static/"):
                    self.conversion.warnings.append(
                        f"image {child.get('src')} removed: images must be under /static/"
                    )
                    alt = ElementTree.Element("span")
                    alt.text, alt.tail = child.get("alt", ""), child.tail
                    parent.insert(list(parent).index(child), alt)
                    parent.remove(child)


def _markdown(resolve, conversion):
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    # Raw HTML in a guide is shown as text, never passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.register(_GuideLinks(md, resolve, conversion), "guide_links", 185)
    md.treeprocessors.register(_SafeLinksAndImages(md, conversion), "safe_links", 0)
    return md


# Block scanning ----------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$")
EXPLICIT_ANCHOR = re.compile(r"\s*\{#(?P<anchor>[A-Za-z0-9][\w-]*)\}$")
TABLE_ROW = re.compile(r"^ {0,3}\|")
TABLE_SEPARATOR = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
IMAGE = re.compile(
    r'^ {0,3}!\[(?P<alt>[^\]]*)\]\(\s*(?P<src>\S+?)(?:\s+"(?P<caption>[^"]*)")?\s*\)\s*$'
)
RELATED = re.compile(r"^ {0,3}Related:\s*(?P<rest>.*)$")
CALLOUT = re.compile(r"^\[!(?P<kind>[A-Za-z]+)\]\s*$")
ATTRIBUTION = re.compile(r"^(?:—|―|--)\s*(?P<who>.+)$")


def _split_row(line):
    """Cells of a pipe-table row; pipes inside `code` and escaped \\| are kept."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, current, in_code = [], [], False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            current.append("|")
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current).strip())
    return cells


def _split_words(info):
    """An info string's words; quotes group words, as in reason="Done here"."""
    try:
        return shlex.split(info)
    except ValueError:
        return info.split()


def _parse_info(info, conversion):
    """'python filename=a.py highlight=2-3 tab=Python check=run' -> settings dict."""
    words = _split_words(info)
    language_name = words[0] if words and "=" not in words[0] else ""
    options = words[1:] if language_name else words
    language = normalize_language(language_name)
    if language is None:
        conversion.warnings.append(
            f"code language “{language_name}” is not supported; shown as plain text"
        )
        language = "text"
    settings = {
        "language": language,
        "filename": "",
        "highlight": "",
        "check": default_check(language),
        "because": "",
        "tab": "",
    }
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key not in settings or key == "language":
            conversion.warnings.append(f"unknown code block option “{option}” ignored")
            continue
        settings[key] = value.strip()
    if settings["highlight"]:
        try:
            parse_line_spec(settings["highlight"])
        except ValueError as error:
            conversion.warnings.append(f"highlight={settings['highlight']} ignored: {error}")
            settings["highlight"] = ""
    if settings["check"] not in CHECK_VALUES:
        conversion.warnings.append(f"check={settings['check']} is not one of {CHECK_VALUES}")
        settings["check"] = default_check(language)
    # because="..." says why a check=none sample is not checked; readers see it.
    settings["unchecked_because"] = settings.pop("because")[:200]
    if settings["unchecked_because"] and settings["check"] != "none":
        conversion.warnings.append(f"because= ignored: the sample is check={settings['check']}")
        settings["unchecked_because"] = ""
    settings["filename"] = settings["filename"][:200]
    settings["tab"] = settings["tab"][:40]
    return settings


LIVE_OPTIONS = ("endpoint", "room", "protocols", "close", "reason")
LIVE_FIELDS = {"close_code": "close", "close_reason": "reason", "protocols": "protocols"}


def live_example(info_words, lines, render, conversion):
    """A ```live fence -> live_example block data. The info string holds the settings
    (endpoint=, room=, protocols=, close=, reason=); each line of the fence is a message
    to send, and lines starting with `>` say what to notice (inline Markdown)."""
    settings = {"endpoint": "echo", "room": "", "protocols": "", "close": "", "reason": ""}
    for option in info_words:
        key, sep, value = option.partition("=")
        if not sep or key not in LIVE_OPTIONS:
            conversion.warnings.append(f"unknown live example option “{option}” ignored")
            continue
        settings[key] = value.strip()
    notice = [line.lstrip()[1:].strip() for line in lines if line.lstrip().startswith(">")]
    messages = [line for line in lines if line.strip() and not line.lstrip().startswith(">")]
    close = settings["close"]
    if close and not close.isdigit():
        raise ContentError(f"live example: close={close} is not a close code such as 4000")
    value = {
        "endpoint": settings["endpoint"],
        "room": settings["room"],
        "protocols": ", ".join(live.split_protocols(settings["protocols"])),
        "messages": messages,
        "notice": render(" ".join(notice)) if notice else "",
        "close_code": int(close) if close else None,
        "close_reason": settings["reason"],
    }
    problems = live.problems(value)
    if not value["notice"]:
        problems["notice"] = "add a line starting with > that says what to notice"
    if problems:
        field, message = next(iter(problems.items()))
        where = LIVE_FIELDS.get(field, field)
        raise ContentError(f"live example ({where}): {message}")
    return value


def diagram(info_words, lines, conversion):
    """A ```diagram fence -> diagram block data: the lines verbatim, and the caption= option."""
    caption = ""
    for option in info_words:
        key, sep, value = option.partition("=")
        if sep and key == "caption":
            caption = value.strip()
        else:
            conversion.warnings.append(f"unknown diagram option “{option}” ignored")
    if len(caption) > 200:
        conversion.warnings.append("a diagram caption is cut to 200 characters")
    return {"text": "\n".join(lines), "caption": caption[:200]}


NUMBER_CELL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# What a support column's cells may say, and the choice each is stored as
# (guides.blocks.SupportBlock shows "partial" as "Partly").
SUPPORT_CELLS = {"yes": "yes", "partly": "partial", "no": "no"}


def column_type(cells):
    """The type of a pipe table's column, from its cells as written in Markdown:
    "number" when every cell that is not empty is a plain number (1000, -2, 0.5; no
    thousands separators, units or markup), "support" when every one is yes, partly or
    no (in any case), and "text" otherwise, or when the column is empty."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if not filled:
        return "text"
    if all(NUMBER_CELL.match(cell) for cell in filled):
        return "number"
    if all(cell.lower() in SUPPORT_CELLS for cell in filled):
        return "support"
    return "text"


class _Converter:
    def __init__(self, body, resolve):
        self.lines = body.replace("\r\n", "\n").split("\n")
        self.conversion = Conversion()
        self.md = _markdown(resolve, self.conversion)
        self.prose = []
        self.tabs = []

    # Output helpers

    def emit(self, block_type, value):
        self.conversion.blocks.append({"type": block_type, "value": value})

    def render(self, text):
        self.md.reset()
        return self.md.convert(text).strip()

    def render_inline_text(self, text):
        """Inline Markdown reduced to plain text (headings, table headings, captions)."""
        html = self.render(text)
        plain = re.sub(r"<[^>]+>", "", html)
        return (plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')).replace(
            "&amp;", "&"
        )

    def flush_prose(self):
        text = "\n".join(self.prose).strip("\n")
        self.prose = []
        if text.strip():
            html = self.render(text)
            if html:
                self.emit("text", html)

    def flush_tabs(self):
        tabs, self.tabs = self.tabs, []
        if len(tabs) == 1:
            self.conversion.warnings.append(
                f"a lone tab={tabs[0]['tab']} block is shown as a plain code block"
            )
        if len(tabs) >= 2:
            self.emit(
                "code_tabs",
                {"tabs": [{"label": tab.pop("tab"), **tab} for tab in tabs]},
            )
        elif tabs:
            tabs[0].pop("tab")
            self.emit("code", tabs[0])

    def flush(self):
        self.flush_prose()
        self.flush_tabs()

    # Scanners: each consumes lines from index i and returns the next index.

    def fence(self, i, match):
        indent, fence = len(match["indent"]), match["fence"]
        info = match["info"].strip()
        kind = (info.split(maxsplit=1) or [""])[0]
        special = kind in ("live", "diagram")
        settings = {} if special else _parse_info(info, self.conversion)
        closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        code, i = [], i + 1
        while i < len(self.lines) and not closing.match(self.lines[i]):
            line = self.lines[i]
            code.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            i += 1
        if i >= len(self.lines):
            self.conversion.warnings.append("a code block has no closing fence")
        self.flush_prose()
        if special:
            self.flush_tabs()
            words = _split_words(info)[1:]
            if kind == "live":
                self.emit("live_example", live_example(words, code, self.render, self.conversion))
            else:
                self.emit("diagram", diagram(words, code, self.conversion))
            return i + 1
        settings["code"] = "\n".join(code)
        if settings["tab"]:
            self.tabs.append(settings)
        else:
            self.flush_tabs()
            settings.pop("tab")
            self.emit("code", settings)
        return i + 1

    def heading(self, i, match):
        self.flush()
        level = len(match["hashes"])
        text = match["text"]
        anchor = ""
        explicit = EXPLICIT_ANCHOR.search(text)
        if explicit:
            anchor = explicit["anchor"].lower()
            text = text[: explicit.start()]
        if level not in (2, 3):
            self.conversion.warnings.append(
                f"“{'#' * level} {text}”: only ## and ### headings are used; "
                f"shown as {'##' if level == 1 else '###'}"
            )
        plain = self.render_inline_text(text)
        value = {"level": "h2" if level <= 2 else "h3", "text": plain[:200]}
        value["anchor"] = anchor or slugify(plain)
        self.emit("heading", value)
        return i + 1

    def quote(self, i):
        self.flush()
        inner = []
        while i < len(self.lines) and self.lines[i].lstrip().startswith(">"):
            stripped = self.lines[i].lstrip()[1:]
            inner.append(stripped[1:] if stripped.startswith(" ") else stripped)
            i += 1
        while inner and not inner[0].strip():
            inner.pop(0)
        callout = CALLOUT.match(inner[0].strip()) if inner else None
        if callout and callout["kind"].upper() in CALLOUT_KINDS:
            kind = CALLOUT_KINDS[callout["kind"].upper()]
            self.emit("callout", {"kind": kind, "text": self.render("\n".join(inner[1:]))})
            return i
        if callout:
            self.conversion.warnings.append(f"[!{callout['kind']}] is not a callout kind")
        attribution = ""
        while inner and not inner[-1].strip():
            inner.pop()
        if inner and (who := ATTRIBUTION.match(inner[-1].strip())):
            attribution = self.render_inline_text(who["who"])
            inner.pop()
        self.emit("quote", {"text": self.render("\n".join(inner)), "attribution": attribution})
        return i

    def table(self, i):
        self.flush()
        header = _split_row(self.lines[i])
        i += 2
        cells = []
        while i < len(self.lines) and TABLE_ROW.match(self.lines[i]):
            row = _split_row(self.lines[i])
            cells.append((row + [""] * len(header))[: len(header)])
            i += 1
        types = [column_type(column) for column in zip(*cells, strict=True)] if cells else []
        types = types or ["text"] * len(header)
        rows = [
            {"values": [self.cell(kind, cell) for kind, cell in zip(types, row, strict=True)]}
            for row in cells
        ]
        columns = [
            {"type": kind, "heading": self.render_inline_text(h)}
            for kind, h in zip(types, header, strict=True)
        ]
        self.emit(
            "table",
            {
                "first_column_is_header": True,
                "table": {"columns": columns, "rows": rows, "caption": ""},
            },
        )
        return i

    def cell(self, kind, cell):
        """A cell's stored value in a column of `kind` (see column_type)."""
        if kind == "number":
            return cell or None
        if kind == "support":
            return SUPPORT_CELLS.get(cell.lower(), "")
        return self.render(cell) if cell else ""

    def image(self, i, match):
        self.flush()
        src = match["src"]
        if not src.startswith("/static/") or ".." in src:
            raise ContentError(
                f"image {src}: images must be files of this site under /static/ "
                "(nothing is loaded from other hosts)"
            )
        self.emit(
            "figure",
            {
                "image": None,
                "static_path": src.removeprefix("/static/"),
                "alt": match["alt"].strip(),
                "caption": (match["caption"] or "").strip(),
            },
        )
        return i + 1

    def related(self, i, match):
        paragraph = [match["rest"]]
        j = i + 1
        while j < len(self.lines) and self.lines[j].strip():
            paragraph.append(self.lines[j])
            j += 1
        text = " ".join(paragraph)
        slugs = re.findall(WIKI_LINK, text)
        if not slugs or re.sub(WIKI_LINK, "", text).strip(" ,;\t"):
            return None  # Not a list of guides only: ordinary prose.
        self.flush()
        self.conversion.references.extend(slugs)
        self.emit("related", {"guides": list(dict.fromkeys(slugs))})
        return j

    def run(self):
        lines, i = self.lines, 0
        while i < len(lines):
            line = lines[i]
            previous_blank = i == 0 or not lines[i - 1].strip()
            if self.tabs and line.strip() and not FENCE.match(line):
                self.flush_tabs()
            if match := FENCE.match(line):
                i = self.fence(i, match)
            elif match := HEADING.match(line):
                i = self.heading(i, match)
            elif line.lstrip().startswith(">") and previous_blank:
                i = self.quote(i)
            elif (
                TABLE_ROW.match(line)
                and i + 1 < len(lines)
                and TABLE_SEPARATOR.match(lines[i + 1])
                and "-" in lines[i + 1]
            ):
                i = self.table(i)
            elif (match := IMAGE.match(line)) and previous_blank:
                i = self.image(i, match)
            elif (
                (match := RELATED.match(line))
                and previous_blank
                and ((j := self.related(i, match)) is not None)
            ):
                i = j
            else:
                self.prose.append(line)
                i += 1
        self.flush()
        anchors = unique_anchors(
            [b["value"]["anchor"] for b in self.conversion.blocks if b["type"] == "heading"]
        )
        headings = (b for b in self.conversion.blocks if b["type"] == "heading")
        for block, anchor in zip(headings, anchors, strict=True):
            block["value"]["anchor"] = anchor
        return self.conversion


def markdown_to_blocks(body, resolve=None):
    """Convert a guide body. `resolve(slug)` returns (link attributes, link text) for a
    known guide, or None; the loader passes Wagtail page links, tests plain hrefs."""
    return _Converter(body, resolve).run()
