"""A guide file -> metadata and blocks (guides/front_matter.py, guides/markdown_blocks.py),
two pure modules."""

from datetime import date
from pathlib import Path

import pytest

from guides.front_matter import ContentError, parse_guide
from guides.markdown_blocks import column_type, markdown_to_blocks

CONTENT = Path(__file__).resolve().parent.parent / "guides" / "content"

FRONT_MATTER = """---
title: The opening handshake
summary: >-
  How a connection starts,
  in one paragraph.
tags: [handshake, HTTP, security]
difficulty: intermediate
authors: [editors]
reviewed: 2026-11-28
---
"""


def guide(body="Some text.\n", front_matter=FRONT_MATTER, slug="opening-handshake"):
    return parse_guide(front_matter + body, slug=slug, section="internals")


def blocks(markdown, resolve=None):
    return markdown_to_blocks(markdown, resolve).blocks


def types(markdown):
    return [block["type"] for block in blocks(markdown)]


def test_front_matter_becomes_the_guide_metadata():
    source = guide()
    assert source.title == "The opening handshake"
    assert source.summary == "How a connection starts, in one paragraph."
    assert source.tags == ("handshake", "http", "security")
    assert source.difficulty == "intermediate"
    assert source.authors == ("editors",)
    assert source.reviewed == date(2026, 11, 28)
    assert (source.section, source.slug) == ("internals", "opening-handshake")


def test_a_missing_front_matter_field_is_named():
    with pytest.raises(ContentError, match="missing 'summary'"):
        guide(front_matter=FRONT_MATTER.replace("summary:", "summery:"))


def test_an_unknown_difficulty_is_refused_with_the_allowed_ones():
    with pytest.raises(ContentError, match="beginner, intermediate, advanced"):
        guide(front_matter=FRONT_MATTER.replace("intermediate", "expert"))


def test_reviewed_must_be_a_date():
    with pytest.raises(ContentError, match="'reviewed' must be a date"):
        guide(front_matter=FRONT_MATTER.replace("2026-11-28", "last week"))


def test_a_file_without_front_matter_is_refused():
    with pytest.raises(ContentError, match="must start with front matter"):
        parse_guide("# Just text\n", slug="x", section="guides")


def test_a_file_outside_the_five_section_folders_is_refused():
    with pytest.raises(ContentError, match="not a section folder"):
        parse_guide(FRONT_MATTER + "Text.", slug="x", section="drafts")


def test_headings_become_heading_blocks_with_unique_anchors():
    result = blocks("## Close codes\n\nText.\n\n### Close codes\n\n## Why `1006`?\n")
    headings = [b["value"] for b in result if b["type"] == "heading"]
    assert headings == [
        {"level": "h2", "text": "Close codes", "anchor": "close-codes"},
        {"level": "h3", "text": "Close codes", "anchor": "close-codes-2"},
        {"level": "h2", "text": "Why 1006?", "anchor": "why-1006"},
    ]


def test_an_explicit_anchor_on_a_heading_is_kept():
    [heading] = blocks("## The 101 response {#switching}\n")
    assert heading["value"]["anchor"] == "switching"
    assert heading["value"]["text"] == "The 101 response"


def test_paragraphs_and_lists_become_rich_text():
    [text] = blocks("Use **bold**, *italic* and `code`.\n\n- one\n- two\n")
    assert text["type"] == "text"
    assert "<strong>bold</strong>" in text["value"]
    assert "<em>italic</em>" in text["value"]
    assert "<code>code</code>" in text["value"]
    assert "<ul>\n<li>one</li>" in text["value"]


def test_raw_html_in_a_guide_is_shown_as_text_not_passed_through():
    [text] = blocks('A <script>alert("x")</script> tag.\n')
    assert "<script>" not in text["value"]
    assert "&lt;script&gt;" in text["value"]


def test_fenced_code_keeps_language_filename_highlight_and_check():
    [block] = blocks("```python filename=client.py highlight=1,3-4 check=syntax\nimport x\n```\n")
    assert block == {
        "type": "code",
        "value": {
            "language": "python",
            "filename": "client.py",
            "highlight": "1,3-4",
            "check": "syntax",
            "unchecked_because": "",
            "code": "import x",
        },
    }


def test_an_unchecked_sample_carries_the_reason_readers_are_given():
    [block] = blocks(
        '```rust check=none because="axum is not packaged in Debian 12"\nfn main() {}\n```\n'
    )
    assert block["value"]["unchecked_because"] == "axum is not packaged in Debian 12"


def test_a_reason_on_a_checked_sample_is_dropped_and_reported():
    conversion = markdown_to_blocks('```python because="no reason"\nprint(1)\n```\n')
    assert conversion.blocks[0]["value"]["unchecked_because"] == ""
    assert any("because= ignored" in warning for warning in conversion.warnings)


@pytest.mark.parametrize(
    ("language", "check"),
    [("python", "run"), ("javascript", "syntax"), ("go", "none"), ("text", "none")],
)
def test_each_language_has_the_documented_default_check(language, check):
    [block] = blocks(f"```{language}\nx\n```\n")
    assert block["value"]["check"] == check


def test_markdown_inside_a_code_fence_stays_code():
    result = blocks("```text\n## not a heading\n| a | b |\n|---|---|\n```\n")
    assert types("```text\n## not a heading\n```\n") == ["code"]
    assert result[0]["value"]["code"] == "## not a heading\n| a | b |\n|---|---|"


def test_a_diagram_fence_becomes_a_diagram_kept_verbatim_with_its_caption():
    source = '```diagram caption="Two frames, one message"\n  a ──► b\n\n  b ◄── a  \n```\n'
    assert blocks(source) == [
        {
            "type": "diagram",
            "value": {"text": "  a ──► b\n\n  b ◄── a  ", "caption": "Two frames, one message"},
        }
    ]


def test_a_diagram_needs_no_caption_and_an_unknown_option_is_reported():
    conversion = markdown_to_blocks("```diagram check=run\n+--+\n```\n")
    assert conversion.blocks == [{"type": "diagram", "value": {"text": "+--+", "caption": ""}}]
    assert conversion.warnings == ["unknown diagram option “check=run” ignored"]


def test_language_aliases_are_normalised():
    [block] = blocks("```js\nlet a;\n```\n")
    assert block["value"]["language"] == "javascript"


def test_an_unknown_language_is_shown_as_plain_text_and_reported():
    conversion = markdown_to_blocks("```brainfuck\n+++\n```\n")
    assert conversion.blocks[0]["value"]["language"] == "text"
    assert "brainfuck" in conversion.warnings[0]


def test_an_invalid_highlight_is_dropped_and_reported():
    conversion = markdown_to_blocks("```python highlight=abc\nx = 1\n```\n")
    assert conversion.blocks[0]["value"]["highlight"] == ""
    assert "highlight=abc" in conversion.warnings[0]


def test_consecutive_tab_fences_form_one_tabbed_block():
    markdown = (
        "```javascript tab=JavaScript\nnew WebSocket(url);\n```\n\n"
        "```python tab=Python\nconnect(url)\n```\n"
    )
    [block] = blocks(markdown)
    assert block["type"] == "code_tabs"
    assert [tab["label"] for tab in block["value"]["tabs"]] == ["JavaScript", "Python"]
    assert block["value"]["tabs"][1]["code"] == "connect(url)"


def test_prose_between_tab_fences_starts_a_new_group():
    markdown = (
        "```go tab=Go\na\n```\n\n```rust tab=Rust\nb\n```\n\nBetween.\n\n"
        "```go tab=Go\nc\n```\n\n```rust tab=Rust\nd\n```\n"
    )
    assert types(markdown) == ["code_tabs", "text", "code_tabs"]


def test_a_lone_tab_fence_is_a_plain_code_block():
    conversion = markdown_to_blocks("```go tab=Go\nx\n```\n\nText.\n")
    assert [b["type"] for b in conversion.blocks] == ["code", "text"]
    assert "lone tab=Go" in conversion.warnings[0]


def test_a_pipe_table_becomes_a_typed_table():
    [block] = blocks("| Code | Name |\n|---|---|\n| 1000 | Normal **closure** |\n| 1001 |\n")
    table = block["value"]["table"]
    assert block["type"] == "table"
    assert block["value"]["first_column_is_header"] is True
    assert [column["heading"] for column in table["columns"]] == ["Code", "Name"]
    assert [column["type"] for column in table["columns"]] == ["number", "text"]
    assert table["rows"][0]["values"] == ["1000", "<p>Normal <strong>closure</strong></p>"]
    assert table["rows"][1]["values"] == ["1001", ""]


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        (["1000", "1001", "4999"], "number"),
        (["-2", "0.5", "", "+7"], "number"),
        (["yes", "Partly", "", "NO"], "support"),
        (["1000", "1001\u20132999"], "text"),  # a range
        (["1,000"], "text"),  # thousands separators
        (["`1000`"], "text"),  # markup
        (["64 KiB"], "text"),  # a unit
        (["yes", "yes, since 58"], "text"),
        (["yes", "partial"], "text"),  # the word readers see is "partly"
        (["yes", "1"], "text"),
        (["", ""], "text"),
    ],
)
def test_a_column_is_typed_by_the_cells_that_are_not_empty(cells, kind):
    assert column_type(cells) == kind


def test_number_and_support_cells_are_stored_as_their_blocks_expect():
    [block] = blocks(
        "| Code | Wire | Note |\n|---|---|---|\n| 1000 | Yes | a |\n|  | partly | |\n"
        "| 1015 | no | b |\n"
    )
    table = block["value"]["table"]
    assert [column["type"] for column in table["columns"]] == ["number", "support", "text"]
    assert [row["values"] for row in table["rows"]] == [
        ["1000", "yes", "<p>a</p>"],
        [None, "partial", ""],
        ["1015", "no", "<p>b</p>"],
    ]


def test_a_table_without_rows_has_text_columns():
    [block] = blocks("| Code | Name |\n|---|---|\n")
    assert [column["type"] for column in block["value"]["table"]["columns"]] == ["text", "text"]


def test_guide_links_work_inside_table_cells():
    [block] = blocks(
        "| Term | Guide |\n|---|---|\n| Ping | [[heartbeats-and-idle-timeouts]] |\n",
        resolve=lambda slug: ({"href": f"/guides/guides/{slug}/"}, "Heartbeats"),
    )
    cell = block["value"]["table"]["rows"][0]["values"][1]
    assert cell == '<p><a href="/guides/guides/heartbeats-and-idle-timeouts/">Heartbeats</a></p>'


def test_pipes_inside_code_in_a_table_cell_do_not_split_it():
    [block] = blocks("| Pattern | Meaning |\n|---|---|\n| `a|b` | either |\n")
    assert block["value"]["table"]["rows"][0]["values"][0] == "<p><code>a|b</code></p>"


@pytest.mark.parametrize(
    ("marker", "kind"), [("NOTE", "note"), ("TIP", "tip"), ("WARNING", "warning")]
)
def test_admonitions_become_callouts(marker, kind):
    [block] = blocks(f"> [!{marker}]\n> Mind the `close` event.\n")
    assert block["type"] == "callout"
    assert block["value"]["kind"] == kind
    assert block["value"]["text"] == "<p>Mind the <code>close</code> event.</p>"


def test_a_quote_with_an_attribution_line_becomes_a_quote_block():
    [block] = blocks("> Be conservative in what you send.\n>\n> — Jon Postel\n")
    assert block == {
        "type": "quote",
        "value": {"text": "<p>Be conservative in what you send.</p>", "attribution": "Jon Postel"},
    }


def test_an_image_with_a_caption_becomes_a_figure_of_a_static_file():
    [block] = blocks('![A frame, bit by bit](/static/guides/diagrams/frame.svg "The frame")\n')
    assert block == {
        "type": "figure",
        "value": {
            "image": None,
            "static_path": "guides/diagrams/frame.svg",
            "alt": "A frame, bit by bit",
            "caption": "The frame",
        },
    }


def test_an_image_from_another_host_is_refused():
    with pytest.raises(ContentError, match="nothing is loaded from other hosts"):
        blocks("![Logo](https://example.com/logo.png)\n")


def test_a_related_paragraph_becomes_a_related_block_of_slugs():
    [block] = blocks("Related: [[chat]], [[notifications]],\n[[chat]]\n")
    assert block == {"type": "related", "value": {"guides": ["chat", "notifications"]}}


def test_a_sentence_starting_with_related_stays_prose():
    assert types("Related: see [[chat]] for more.\n") == ["text"]


def test_inline_guide_links_use_the_resolved_link_and_title():
    def resolve(slug):
        return ({"href": f"/guides/x/{slug}/"}, "Chat, end to end") if slug == "chat" else None

    [text] = blocks("See [[chat]] and `[[not-a-link]]`.\n", resolve)
    assert '<a href="/guides/x/chat/">Chat, end to end</a>' in text["value"]
    assert "<code>[[not-a-link]]</code>" in text["value"]


def test_an_unknown_inline_guide_link_is_plain_words_and_reported():
    conversion = markdown_to_blocks("Read [[scaling-out]] next.\n", lambda slug: None)
    assert conversion.blocks[0]["value"] == "<p>Read scaling out next.</p>"
    assert conversion.unresolved == ["scaling-out"]


@pytest.mark.parametrize(
    "path", sorted(CONTENT.glob("*/*.md")), ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_every_guide_in_the_repository_follows_the_format(path):
    source = parse_guide(path.read_text(), slug=path.stem, section=path.parent.name)
    conversion = markdown_to_blocks(source.body)
    kinds = {block["type"] for block in conversion.blocks}
    assert {"heading", "text"} <= kinds
    assert conversion.warnings == []


def test_links_go_only_to_the_web_mail_or_this_site():
    conversion = markdown_to_blocks(
        "[RFC](https://www.rfc-editor.org/rfc/rfc6455) [here](/guides/) [x](javascript:alert(1))\n"
    )
    html = conversion.blocks[0]["value"]
    assert '<a href="https://www.rfc-editor.org/rfc/rfc6455">RFC</a>' in html
    assert '<a href="/guides/">here</a>' in html
    assert "javascript:" not in html and "<span>x</span>" in html
    assert conversion.warnings == ["link to “javascript:alert(1)” removed"]


def test_an_image_inside_a_paragraph_from_another_host_is_left_out():
    conversion = markdown_to_blocks("Look: ![a tracker](https://example.com/t.gif) here.\n")
    assert conversion.blocks[0]["value"] == "<p>Look: <span>a tracker</span> here.</p>"
    assert "images must be under /static/" in conversion.warnings[0]
