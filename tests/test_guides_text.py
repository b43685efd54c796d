"""Pure helpers of the guide library: anchors, reading time, search marks, highlighting."""

import pytest

from guides import code, text


def test_slugify_makes_short_ascii_anchors():
    assert (
        text.slugify("Close codes: 1000\u20131015 (\u00fcberblick)")
        == "close-codes-1000-1015-uberblick"
    )


def test_slugify_falls_back_when_nothing_is_left():
    assert text.slugify("—!?") == "section"


def test_unique_anchors_number_the_repeats():
    assert text.unique_anchors(["a", "b", "a", "a"]) == ["a", "b", "a-2", "a-3"]


def test_a_row_is_named_by_its_first_column_heading_and_first_cell():
    assert text.row_anchor("Code", "<p>1006</p>", 1) == "code-1006"
    assert text.row_anchor("Header", "<p><code>Sec-WebSocket-Key</code></p>", 4) == (
        "header-sec-websocket-key"
    )
    assert text.row_anchor("", "Ping &amp; pong", 2) == "ping-pong"


def test_a_row_with_an_empty_first_cell_is_named_by_its_position():
    assert text.row_anchor("Code", "", 3) == "code-row-3"
    assert text.row_anchor("", "—", 5) == "row-5"


def test_row_anchors_are_unique_on_the_page_and_clear_of_headings_and_page_ids():
    tables = [("Code", ["1000", "1006", "1006"]), ("Code", ["1006"]), ("", ["main"])]
    assert text.row_anchors(tables, taken=["code-1000"]) == [
        ["code-1000-2", "code-1006", "code-1006-2"],
        ["code-1006-3"],
        ["main-2"],
    ]


def test_reading_time_is_whole_minutes_and_at_least_one():
    assert text.reading_minutes(10) == 1
    assert text.reading_minutes(2200) == 10


def test_searchable_words_leave_out_tokens_of_symbols_and_emoji():
    assert text.searchable_words('🔌 websocket ? "close" — codes!') == "websocket close codes!"


def test_searchable_words_of_only_symbols_are_empty():
    assert text.searchable_words("🔌 ? — _") == ""


def test_count_words_ignores_markup():
    assert text.count_words("<p>Two <b>words</b></p>") == 2


def test_marking_terms_escapes_everything_else():
    marked = text.mark_terms('<script>alert("frame")</script> Frames', "frame")
    assert marked == (
        "&lt;script&gt;alert(&quot;<mark>frame</mark>&quot;)&lt;/script&gt; <mark>Frame</mark>s"
    )


def test_marking_terms_treats_the_query_as_text_not_a_pattern():
    assert text.mark_terms("a.b (c)", ".* (c") == "a.b (<mark>c</mark>)"


def test_marking_terms_only_matches_at_word_starts():
    assert text.mark_terms("ping and mapping", "ping") == "<mark>ping</mark> and mapping"


def test_marking_terms_with_an_empty_query_just_escapes():
    assert text.mark_terms("<b>", "") == "&lt;b&gt;"


def test_a_diagram_that_fits_the_column_keeps_the_normal_size():
    assert text.diagram_columns("┌" + "─" * 78 + "┐\nshort") is None


def test_a_wider_diagram_is_drawn_for_its_widest_line_rounded_up_to_ten_columns():
    assert text.diagram_columns("x" * 81) == 90
    assert text.diagram_columns("a\n" + "─" * 110 + "   \nb") == 110


def test_wide_characters_take_two_columns_and_combining_marks_none():
    assert text.text_columns("日本") == 4
    assert text.text_columns("e\u0301") == 1


def test_a_diagram_wider_than_the_last_step_is_drawn_at_the_last_step():
    assert text.diagram_columns("x" * 500) == text.DIAGRAM_MAX_COLUMNS


def test_line_spec_expands_ranges_in_order():
    assert code.parse_line_spec("7, 3,5-6") == (3, 5, 6, 7)


@pytest.mark.parametrize("spec", ["a", "3-", "5-2", "0", "1;2", "99999"])
def test_line_spec_refuses_what_is_not_lines(spec):
    with pytest.raises(ValueError, match="“"):
        code.parse_line_spec(spec)


def test_highlighting_tokenises_and_marks_the_chosen_lines():
    html = code.highlight("import os\nx = 1\n", "python", "2")
    assert '<span class="kn">import</span>' in html
    assert html.splitlines()[1].startswith('<span class="hll">')


def test_highlighting_escapes_the_code():
    assert "&lt;/script&gt;" in code.highlight("</script>", "text")


def test_highlighting_is_memoised_per_process():
    code.highlight.cache_clear()
    code.highlight("x = 1", "python")
    code.highlight("x = 1", "python")
    assert code.highlight.cache_info().hits == 1


def test_code_keys_change_with_language_lines_and_code():
    keys = {
        code.code_key("x", "python"),
        code.code_key("x", "text"),
        code.code_key("x", "python", "1"),
        code.code_key("y", "python"),
    }
    assert len(keys) == 4


def test_unique_anchors_avoid_the_ids_the_page_uses_itself():
    assert text.unique_anchors(["main", "toc-title"]) == ["main-2", "toc-title-2"]


def test_title_first_ranks_a_title_with_every_word_above_one_with_some_above_none():
    query = "closing handshake"
    keys = [
        text.title_first(query, "The closing handshake and close codes", ""),
        text.title_first(query, "The opening handshake", "How a connection is closed."),
        text.title_first(query, "Designing messages", "Closing a connection cleanly."),
        text.title_first(query, "Designing messages", "Nothing relevant."),
    ]
    assert keys == sorted(keys) and len(set(keys)) == 4


def test_title_first_matches_words_by_their_start_whatever_the_case():
    assert text.title_first("Heartbeat", "Heartbeats, ping/pong and idle timeouts", "") == (0, 1)
    assert text.title_first("beat", "Heartbeats", "") == (1, 1)
