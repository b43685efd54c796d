"""The live example block: its checks (beside each field, as the admin shows them), its
Markdown fence, and the panel it renders with and without JavaScript."""

import pytest
from bs4 import BeautifulSoup
from wagtail.blocks.struct_block import StructBlockValidationError

from guides.blocks import LiveExampleBlock
from guides.front_matter import ContentError
from guides.markdown_blocks import markdown_to_blocks
from tests.guides_factories import live_example, make_guide, make_library


def clean(**settings):
    block = LiveExampleBlock()
    return block.clean(block.to_python(live_example(**settings)["value"]))


def field_error(field, **settings):
    with pytest.raises(StructBlockValidationError) as error:
        clean(**settings)
    assert list(error.value.block_errors) == [field]
    found = error.value.block_errors[field]
    # A list field's own errors (not its items') are its non-block errors.
    return " ".join(getattr(found, "non_block_errors", found.messages))


# Checks -------------------------------------------------------------------------------


def test_a_complete_echo_example_is_accepted():
    value = clean(protocols="chat, superchat", close_code=4000, close_reason="done")
    assert value["close_code"] == 4000


def test_a_room_name_with_a_space_is_refused_beside_the_room_field():
    assert "1 to 64 letters" in field_error("room", endpoint="room", room="my room")


def test_the_room_endpoint_needs_a_room_name():
    assert "1 to 64 letters" in field_error("room", endpoint="room", room="")


def test_a_room_name_longer_than_64_characters_is_refused():
    assert "at most 64 characters" in field_error("room", endpoint="room", room="r" * 65)


def test_a_close_code_browsers_may_not_send_is_refused_beside_the_field():
    assert "1000 or a code from 3000 to 4999" in field_error("close_code", close_code=1001)


def test_close_codes_1000_and_3000_to_4999_are_accepted():
    for code in (1000, 3000, 4999):
        assert clean(close_code=code)["close_code"] == code


def test_a_close_reason_over_123_bytes_of_utf8_is_refused():
    # 62 two-byte characters: 62 characters, 124 bytes.
    assert "124 bytes long" in field_error("close_reason", close_code=4000, close_reason="é" * 62)


def test_a_close_reason_without_a_code_is_refused():
    assert "give the code too" in field_error("close_reason", close_reason="bye")


def test_a_subprotocol_with_a_space_is_refused():
    assert "not a valid subprotocol name" in field_error("protocols", protocols="chat, my proto")


def test_an_echo_example_needs_a_message_to_send():
    assert "at least one message" in field_error("messages", messages=())


def test_an_inspect_example_may_send_nothing_and_only_show_the_handshake():
    assert clean(endpoint="inspect", messages=())["endpoint"] == "inspect"


# Markdown ------------------------------------------------------------------------------

FENCE = """Before.

```live endpoint=room room=lobby protocols=chat close=4000 reason="done here"
first message
{"type": "ping"}
> The *receiver* gets each message;
> the sender never does.
```
"""


def test_a_live_fence_becomes_a_live_example_block_with_one_message_per_line():
    block = markdown_to_blocks(FENCE).blocks[1]
    assert block == {
        "type": "live_example",
        "value": {
            "endpoint": "room",
            "room": "lobby",
            "protocols": "chat",
            "messages": ["first message", '{"type": "ping"}'],
            "notice": "<p>The <em>receiver</em> gets each message; the sender never does.</p>",
            "close_code": 4000,
            "close_reason": "done here",
        },
    }


def test_a_live_fence_is_not_a_code_sample():
    assert [block["type"] for block in markdown_to_blocks(FENCE).blocks] == [
        "text",
        "live_example",
    ]


def test_a_live_fence_with_a_bad_room_name_is_refused_naming_the_option():
    with pytest.raises(ContentError, match=r"live example \(room\): Room names are 1 to 64"):
        markdown_to_blocks(FENCE.replace("room=lobby", "room=lob/by"))


def test_a_live_fence_with_a_bad_close_code_is_refused_naming_the_option():
    with pytest.raises(ContentError, match=r"live example \(close\): Browsers may close"):
        markdown_to_blocks(FENCE.replace("close=4000", "close=1006"))


def test_a_live_fence_without_a_notice_is_refused():
    with pytest.raises(ContentError, match="what to notice"):
        markdown_to_blocks("```live\nhello\n```\n")


def test_an_unknown_live_fence_option_is_reported_and_ignored():
    conversion = markdown_to_blocks("```live colour=blue\nhello\n> Look.\n```\n")
    assert conversion.warnings == ["unknown live example option “colour=blue” ignored"]
    assert conversion.blocks[0]["value"]["endpoint"] == "echo"


# Rendering -----------------------------------------------------------------------------


@pytest.fixture
def library(db):
    return make_library()


def rendered_panel(client, library, **settings):
    guide = make_guide(library["guides"], body=[live_example(**settings)])
    response = client.get(guide.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_without_javascript_the_panel_lists_the_messages_and_links_to_the_preset_tester(
    client, library
):
    page = rendered_panel(
        client, library, messages=["hello", "again"], protocols="chat", close_code=4000
    )
    panel = page.select_one("[data-live-example]")
    assert [code.get_text() for code in panel.select("[data-message]")] == ["hello", "again"]
    assert "Then closes with 4000." in panel.get_text(" ", strip=True)
    assert panel.select_one("[data-tester-link]")["href"] == "/echo/?protocols=chat"
    assert panel.select_one("[data-run]").has_attr("hidden")  # shown by the script only


def test_a_room_panel_links_to_the_tester_in_that_room(client, library):
    page = rendered_panel(client, library, endpoint="room", room="lobby")
    panel = page.select_one("[data-live-example]")
    assert panel["data-path"] == "/ws/room/lobby/"
    assert panel.select_one("[data-tester-link]")["href"] == "/echo/?room=lobby"


def test_messages_and_reason_are_escaped_in_the_panel(client, library):
    page = rendered_panel(
        client,
        library,
        messages=["<script>alert(1)</script>"],
        close_code=4000,
        close_reason='"><b>x',
    )
    panel = page.select_one("[data-live-example]")
    assert panel.select("script") == []
    assert panel.select_one("[data-message]").get_text() == "<script>alert(1)</script>"
    assert panel["data-close-reason"] == '"><b>x'
    assert panel.select("b") == []


def test_the_live_example_script_is_loaded_only_on_pages_with_the_block(client, library):
    with_block = rendered_panel(client, library)
    without = make_guide(library["guides"], "No live example")
    plain = BeautifulSoup(client.get(without.url).content, "html.parser")
    assert with_block.select('script[src*="guides/live"]')
    assert plain.select('script[src*="guides/live"]') == []
