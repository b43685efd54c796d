"""StreamField blocks of a guide body: each owns its template, icon, help text and checks."""

import copy
import re
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html
from wagtail.rich_text.rewriters import extract_attrs

from . import live
from .code import (
    CHECKS,
    LANGUAGE_LABELS,
    LANGUAGES,
    TESTED_PROXIES,
    code_key,
    highlight,
    parse_line_spec,
)
from .text import diagram_columns, plain_text, row_anchors

INLINE_FEATURES = ["bold", "italic", "code", "link"]
TEXT_FEATURES = [*INLINE_FEATURES, "ol", "ul"]
FIGURE_RENDITION = "max-1200x1200"

anchor_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lower-case letters, digits and hyphens, e.g. close-codes."
)
static_image_validator = RegexValidator(
    r"^(?!/)(?!.*\.\.)[\w./-]+\.(?:svg|png|jpe?g|webp|gif|avif)$",
    "A path inside static/, e.g. guides/diagrams/frame.svg.",
)

_PAGE_LINK = re.compile(r"<a(\b[^>]*\blinktype\s*=\s*[\"']page[\"'][^>]*)>")


def expand_rich_text(source, page_links):
    """Rich text from the database as HTML. Internal page links whose URLs the page
    fetched in one query (GuidePage.linked_pages) are filled in without a query each;
    anything else goes through Wagtail's own rewriting."""

    def replace(match):
        attrs = extract_attrs(match.group(1))
        url = page_links.get(str(attrs.get("id")))
        if url is None:
            return match.group(0)
        return format_html('<a href="{}">', url)

    if page_links:
        source = _PAGE_LINK.sub(replace, source)
    return expand_db_html(source)


class GuideRichTextBlock(blocks.RichTextBlock):
    """Rich text whose internal links are resolved in bulk for the whole page."""

    def __init__(self, features=None, **kwargs):
        super().__init__(features=features or TEXT_FEATURES, **kwargs)

    def render_basic(self, value, context=None):
        page_links = (context or {}).get("page_links")
        if page_links is None:
            return super().render_basic(value, context)
        return mark_safe(expand_rich_text(value.source, page_links))  # noqa: S308 (editor HTML, Wagtail's own whitelist)


class HeadingBlock(blocks.StructBlock):
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section (h2)"), ("h3", "Subsection (h3)")],
        default="h2",
        help_text="Sections appear in the table of contents; subsections nest under them.",
    )
    text = blocks.CharBlock(max_length=200)
    anchor = blocks.CharBlock(
        required=False,
        max_length=80,
        validators=[anchor_validator],
        help_text=(
            "The #fragment that links here. Leave blank to derive it from the heading when "
            "saved; changing it later breaks links to this section."
        ),
    )

    class Meta:
        icon = "title"
        template = "guides/blocks/heading.html"
        form_classname = "struct-block heading-block"
        preview_value = {"level": "h2", "text": "The opening handshake", "anchor": ""}
        description = "A section heading with a stable anchor; it builds the table of contents."


class VerbatimTextBlock(blocks.TextBlock):
    """A TextBlock whose form keeps leading and trailing whitespace: Django's CharField
    strips it, which cut the indentation of a sample's first line on every save."""

    @cached_property
    def field(self):
        field = super().field
        field.strip = False
        return field


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=LANGUAGES, default="python")
    filename = blocks.CharBlock(
        required=False, max_length=200, help_text="Optional, shown above the code, e.g. client.py."
    )
    highlight = blocks.CharBlock(
        required=False,
        max_length=100,
        label="Highlighted lines",
        help_text="Optional line numbers to emphasise, e.g. 3,5-7.",
    )
    check = blocks.ChoiceBlock(
        choices=CHECKS,
        default="none",
        help_text="How the test suite checks this sample. Unchecked samples say so to readers.",
    )
    unchecked_because = blocks.CharBlock(
        required=False,
        max_length=200,
        label="Why it is not checked",
        help_text="For an unchecked sample, shown to readers after “not checked by our test "
        "suite”, e.g. “Spring is not packaged in Debian 12”.",
    )
    code = VerbatimTextBlock(help_text="Paste the code exactly; indentation is kept.")

    class Meta:
        icon = "code"
        template = "guides/blocks/code.html"
        preview_value = {
            "language": "python",
            "filename": "echo.py",
            "highlight": "2",
            "check": "none",
            "code": "async def echo(websocket):\n    async for message in websocket:\n"
            "        await websocket.send(message)",
        }
        description = "Source code, highlighted on the server, with a copy button."

    def clean(self, value):
        value = super().clean(value)
        try:
            parse_line_spec(value.get("highlight"))
        except ValueError as error:
            raise StructBlockValidationError(
                block_errors={"highlight": ValidationError(str(error))}
            ) from None
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        language = value.get("language") or "text"
        stored = getattr((parent_context or {}).get("page"), "highlighted_code", None) or {}
        key = code_key(value.get("code", ""), language, value.get("highlight", ""))
        html = stored.get(key)
        if html is None:
            html = highlight(value.get("code", ""), language, value.get("highlight", ""))
        context["highlighted"] = mark_safe(html)  # noqa: S308 (Pygments escapes the code)
        context["language_label"] = LANGUAGE_LABELS.get(language, language)
        # A configuration the test suite runs in a real proxy: which one, and its version.
        context["tested_in"] = TESTED_PROXIES.get(value.get("check"))
        return context


class CodeTabBlock(CodeBlock):
    label = blocks.CharBlock(max_length=40, help_text="The tab's name, e.g. Python.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_blocks = {"label": self.child_blocks.pop("label"), **self.child_blocks}

    class Meta:
        icon = "code"
        template = "guides/blocks/code.html"
        label = "Tab"


class CodeTabsBlock(blocks.StructBlock):
    tabs = blocks.ListBlock(CodeTabBlock(), min_num=2, max_num=8, collapsed=True)

    class Meta:
        icon = "code"
        template = "guides/blocks/code_tabs.html"
        label = "Code in tabs"
        description = "The same sample in several languages, one tab each."


class DiagramBlock(blocks.StructBlock):
    """A text diagram (boxes and arrows, a byte layout, a sequence chart): shown verbatim
    in monospace and scaled to fit the column, with no "checked" label, because it is a
    picture, not a sample to run."""

    text = VerbatimTextBlock(help_text="The diagram exactly as drawn; spacing is kept.")
    caption = blocks.CharBlock(
        required=False, max_length=200, help_text="Optional: what the diagram shows."
    )

    class Meta:
        icon = "image"
        template = "guides/blocks/diagram.html"
        preview_value = {
            "text": "client                       server\n"
            "  |-- GET /ws/echo/ Upgrade ---->|\n"
            "  |<-- 101 Switching Protocols --|",
            "caption": "The opening handshake",
        }
        description = "A text diagram in monospace, never clipped: it shrinks to fit."

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["columns"] = diagram_columns(value.get("text", ""))
        return context


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", "Note"), ("tip", "Tip"), ("warning", "Warning")], default="note"
    )
    text = GuideRichTextBlock()

    class Meta:
        icon = "warning"
        template = "guides/blocks/callout.html"
        preview_value = {
            "kind": "tip",
            "text": "<p>Reconnect in the <code>close</code> handler.</p>",
        }
        description = "A note, tip or warning set apart from the text."


class LiveExampleBlock(blocks.StructBlock):
    """A compact tester preset by the editor, run in place by static/guides/live.js when
    the reader clicks Run (never on page load). Without JavaScript it lists what it
    would send and links to the full tester."""

    endpoint = blocks.ChoiceBlock(choices=live.ENDPOINTS, default="echo")
    room = blocks.CharBlock(
        required=False,
        max_length=64,
        label="Room name",
        help_text="For the room endpoint: 1 to 64 letters, digits, - and _.",
    )
    protocols = blocks.CharBlock(
        required=False,
        max_length=200,
        label="Subprotocols",
        help_text="Optional, comma-separated, offered in this order, e.g. chat, superchat.",
    )
    messages = blocks.ListBlock(
        blocks.TextBlock(label="Message"),
        label="Messages to send",
        help_text="Sent in order, each after the answer to the one before.",
    )
    notice = GuideRichTextBlock(
        features=INLINE_FEATURES,
        label="What to notice",
        help_text="One or two sentences telling the reader what the run shows.",
    )
    close_code = blocks.IntegerBlock(
        required=False,
        help_text="Optional: close with this code at the end (1000, or 3000 to 4999). "
        "Without it the example closes with 1000.",
    )
    close_reason = blocks.CharBlock(
        required=False, max_length=123, help_text="Optional, with a close code: at most 123 bytes."
    )

    class Meta:
        icon = "media"
        template = "guides/blocks/live_example.html"
        label = "Live example"
        preview_value = {
            "endpoint": "echo",
            "protocols": "chat",
            "messages": ["Hello", "Goodbye"],
            "notice": "<p>Each message comes back unchanged, a few milliseconds later.</p>",
            "close_code": 4000,
            "close_reason": "done",
        }
        description = "A small WebSocket run readers start with a button: echo, room or handshake."

    def clean(self, value):
        value = super().clean(value)
        errors = live.problems(value)
        if errors:
            block_errors = {
                name: (
                    ListBlockValidationError(non_block_errors=[message])
                    if name == "messages"
                    else ValidationError(message)
                )
                for name, message in errors.items()
            }
            raise StructBlockValidationError(block_errors=block_errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        protocols = live.split_protocols(value.get("protocols"))
        context["protocols"] = protocols
        context["messages"] = [message for message in value.get("messages") or () if message]
        context["path"] = (
            f"/ws/room/{value['room']}/"
            if value["endpoint"] == "room"
            else f"/ws/{value['endpoint']}/"
        )
        query = {"protocols": ", ".join(protocols)} if protocols else {}
        if value["endpoint"] == "room":
            query["room"] = value["room"]
        context["tester_url"] = reverse("echo:tester") + (f"?{urlencode(query)}" if query else "")
        return context


SUPPORT_CHOICES = [("yes", "Yes"), ("partial", "Partly"), ("no", "No")]
SUPPORT_RANKS = {"yes": 2, "partial": 1, "no": 0}  # How a support column sorts: yes first.


def number_text(value):
    """A number cell as written: Decimal("1000") is 1000 and Decimal("1E+3") too (never
    an exponent); Decimal("2.50") keeps its places. None is an empty cell."""
    if value is None or value == "":
        return ""
    try:
        return format(Decimal(value), "f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def cell_label(kind, value):
    """A cell's plain text, from its stored or its Python value: what names a row."""
    if kind == "number":
        return number_text(value)
    if kind == "support":
        return dict(SUPPORT_CHOICES).get(value, "")
    return plain_text(getattr(value, "source", value))


def first_column(kinds_and_headings, rows):
    """(first column's heading, [each row's first cell as text]): what a table's row ids
    are made of (guides.text.row_anchors). `rows` are lists of cell values."""
    if not kinds_and_headings:
        return "", []
    kind, heading = kinds_and_headings[0]
    return heading, [cell_label(kind, row[0] if row else "") for row in rows]


class SupportBlock(blocks.ChoiceBlock):
    """A comparison-table cell: does this option have the feature?"""

    def __init__(self, **kwargs):
        super().__init__(choices=SUPPORT_CHOICES, **kwargs)

    class Meta:
        template = "guides/blocks/support_cell.html"


class GuideTableBlock(blocks.StructBlock):
    table = TypedTableBlock(
        [
            ("text", GuideRichTextBlock(features=INLINE_FEATURES)),
            ("number", blocks.DecimalBlock(required=False)),
            ("support", SupportBlock(required=False)),
        ],
        help_text="Choose a type per column: text, a number, or yes / partly / no.",
    )
    first_column_is_header = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text="The first column names each row (read out as a row header).",
    )

    class Meta:
        icon = "table"
        template = "guides/blocks/table.html"
        label = "Table"
        description = (
            "A typed table, e.g. for comparisons. Readers can sort it by any column, and "
            "link to a row (when the first column names the rows)."
        )

    def get_context(self, value, parent_context=None):
        """Columns with their types, and rows with their cells' sort keys and, when the
        first column is a header, the row's id and the label of its link. The ids come
        from GuidePage.table_row_anchors, unique on the page, found by the `block_id`
        the page template passes; elsewhere (a preview of the block) from this table."""
        context = super().get_context(value, parent_context)
        table = value["table"]
        kinds = [column["block"].name for column in table.columns]
        heading, labels = first_column(
            [(kind, column["heading"]) for kind, column in zip(kinds, table.columns, strict=True)],
            [row["values"] for row in table.row_data],
        )
        anchors = [""] * len(labels)
        if value.get("first_column_is_header") and labels:
            parent = parent_context or {}
            anchors = (parent.get("table_row_anchors") or {}).get(parent.get("block_id"))
            if anchors is None or len(anchors) != len(labels):
                anchors = row_anchors([(heading, labels)])[0]
        rows = []
        for bound_cells, anchor, label in zip(table.rows, anchors, labels, strict=True):
            cells = []
            for kind, cell in zip(kinds, bound_cells, strict=False):
                entry = {"type": kind, "value": cell}
                if kind == "number":
                    entry["text"] = entry["sort"] = number_text(cell.value)
                elif kind == "support":
                    entry["sort"] = str(SUPPORT_RANKS.get(cell.value, ""))
                cells.append(entry)
            rows.append({"cells": cells, "anchor": anchor, "label": label})
        context["columns"] = [
            {"heading": column["heading"], "type": kind}
            for column, kind in zip(table.columns, kinds, strict=True)
        ]
        context["rows"] = rows
        return context


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """Loads every image of a body, with its rendition, in two queries."""

    def bulk_to_python(self, values):
        objects = self.model_class.objects.prefetch_renditions(FIGURE_RENDITION).in_bulk(
            [value for value in values if value is not None]
        )
        return [objects.get(value) for value in values]


class FigureBlock(blocks.StructBlock):
    image = PrefetchingImageChooserBlock(
        required=False, help_text="An uploaded image, or leave empty and give a static file."
    )
    static_path = blocks.CharBlock(
        required=False,
        max_length=200,
        validators=[static_image_validator],
        label="Static file",
        help_text="A diagram shipped with the site, e.g. guides/diagrams/frame.svg.",
    )
    alt = blocks.CharBlock(
        max_length=300,
        label="Alternative text",
        help_text="What the image shows, for screen readers.",
    )
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "guides/blocks/figure.html"
        label = "Image or diagram"

    def clean(self, value):
        value = super().clean(value)
        has_image, path = value.get("image") is not None, value.get("static_path")
        if has_image == bool(path):
            raise StructBlockValidationError(
                block_errors={"image": ValidationError("Choose an image or give a static file.")}
            )
        if path and finders.find(path) is None:
            raise StructBlockValidationError(
                block_errors={"static_path": ValidationError(f"There is no static/{path}.")}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        path = value.get("static_path")
        if path:
            try:
                context["static_url"] = static(path)
            except ValueError:  # Not collected (manifest storage): skip the image, keep the page.
                context["static_url"] = ""
        return context


class QuoteBlock(blocks.StructBlock):
    text = GuideRichTextBlock(features=INLINE_FEATURES)
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "guides/blocks/quote.html"


# Set by read_with_guides while a page's body is read: the guides its related-guides
# blocks choose, already loaded by the page ({id: guide, or None if not a guide}).
_loaded_guides = ContextVar("loaded_guides", default=None)


def read_with_guides(stream_value, guides):
    """Convert every block of `stream_value` now, its related-guides blocks taking their
    guides from `guides` ({id: guide or None}) instead of a query of their own: the page
    loads them in the query that resolves its links (GuidePage.linked_pages)."""
    token = _loaded_guides.set(guides)
    try:
        for _ in stream_value:
            pass
    finally:
        _loaded_guides.reset(token)


class GuideChooserBlock(blocks.PageChooserBlock):
    """A chosen guide, loaded with only what a link to it shows. Its body, the largest
    column by far, took a fifth of a guide's render to load and decode; the forty other
    columns of a page another tenth, most of it in building the query. Anything else
    (the admin's chooser shows more) loads when first read."""

    LINK_FIELDS = ("title", "url_path", "summary", "live")

    def __init__(self, **kwargs):
        super().__init__(page_type="guides.GuidePage", **kwargs)

    def bulk_to_python(self, values):
        ids = [value for value in values if value is not None]
        guides = _loaded_guides.get()
        if guides is None or not all(value in guides for value in ids):
            guides = self.model_class.objects.only(*self.LINK_FIELDS).in_bulk(ids)
        result, seen = [], set()
        for value in values:
            guide = guides.get(value)
            result.append(copy.copy(guide) if guide is not None and value in seen else guide)
            seen.add(value)
        return result


class RelatedGuidesBlock(blocks.StructBlock):
    guides = blocks.ListBlock(GuideChooserBlock(), min_num=1)

    class Meta:
        icon = "link"
        template = "guides/blocks/related.html"
        label = "Related guides"
        description = "Links to other guides, with their summaries."

    def get_context(self, value, parent_context=None):
        """The live guides chosen, less those the page's pager already links to
        (GuidePage.get_context names them), so that no guide is offered twice."""
        context = super().get_context(value, parent_context=parent_context)
        in_pager = (parent_context or {}).get("guides_in_pager", ())
        context["guides"] = [
            guide for guide in value["guides"] if guide and guide.live and guide.pk not in in_pager
        ]
        return context


class GuideStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock(group="Text")
    text = GuideRichTextBlock(group="Text", label="Rich text")
    callout = CalloutBlock(group="Text")
    quote = QuoteBlock(group="Text")
    code = CodeBlock(group="Code")
    code_tabs = CodeTabsBlock(group="Code")
    diagram = DiagramBlock(group="Media and data")
    live_example = LiveExampleBlock(group="Code")
    table = GuideTableBlock(group="Media and data")
    figure = FigureBlock(group="Media and data")
    related = RelatedGuidesBlock(group="Links")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        seen_h2 = False
        anchors = {}
        for index, child in enumerate(value):
            if child.block_type != "heading":
                continue
            level, anchor = child.value["level"], child.value["anchor"]
            if level == "h3" and not seen_h2:
                errors[index] = ValidationError(
                    "A subsection (h3) must follow a section (h2): headings go in order."
                )
            seen_h2 = seen_h2 or level == "h2"
            if anchor and anchor in anchors:
                errors[index] = ValidationError(
                    f"Another heading already uses the anchor “{anchor}”."
                )
            anchors.setdefault(anchor, index)
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value
