"""The protocol lab's pages and the frame lab's JSON, through Django's test client."""

import html as html_module
import re
from urllib.parse import urlencode

import pytest

from lab.forms import MAX_INPUT_CHARACTERS

pytestmark = pytest.mark.django_db

HELLO_MASKED = "81 85 37 fa 21 3d 7f 9f 4d 51 58"
ENCODE_HELLO = {
    "mode": "encode",
    "payload": "Hello",
    "payload_format": "text",
    "opcode": "1",
    "fin": "on",
    "mask": "on",
    "masking_key": "37fa213d",
}


def frames_page(client, **params):
    return client.get("/tools/frames/?" + urlencode(params))


def api(client, **params):
    return client.get("/tools/frames/api/?" + urlencode(params))


def field_error(html, name):
    """The text of the error paragraph beside field `name`."""
    match = re.search(rf'<p id="id_{name}-error" class="field-error"( hidden)?>(.*?)</p>', html)
    return html_module.unescape(match.group(2)) if match else None


# --- Pages ---------------------------------------------------------------------------------


def test_the_tools_index_links_the_frame_lab_and_the_echo_limits(client):
    html = client.get("/tools/").content.decode()
    assert 'href="/tools/frames/"' in html
    assert 'href="/echo/limits/"' in html


def test_the_frame_lab_explains_the_format_and_links_the_three_guides(client):
    html = frames_page(client).content.decode()
    for guide in (
        "/guides/internals/frame-format/",
        "/guides/internals/fragmentation-and-control-frames/",
        "/guides/internals/closing-handshake-and-close-codes/",
    ):
        assert f'href="{guide}"' in html
    assert "126 says a 16-bit length follows" in html


def test_the_empty_frame_lab_shows_both_forms_and_no_result(client):
    response = frames_page(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="encode-form"' in html and 'id="decode-form"' in html
    assert 'id="result"' not in html


def test_the_header_links_the_tools(client):
    assert 'href="/tools/"' in client.get("/tools/frames/").content.decode()


# --- Encoding ------------------------------------------------------------------------------


def test_encoding_hello_with_the_rfc_key_shows_the_rfc_bytes(client):
    html = frames_page(client, **ENCODE_HELLO).content.decode()
    assert f'<code id="frame-hex">{HELLO_MASKED}</code>' in html


def test_the_encoded_frame_is_annotated_field_by_field(client):
    html = frames_page(client, **ENCODE_HELLO).content.decode()
    table = re.search(r'<table class="dump">.*?</table>', html, re.S).group(0)
    labels = re.findall(
        r'<th scope="row"><span class="swatch" aria-hidden="true"></span>(.*?)</th>', table
    )
    assert labels == [
        "FIN", "RSV1", "RSV2", "RSV3", "Opcode", "MASK",
        "Payload length (7 bits)", "Masking key", "Masked payload",
    ]  # fmt: skip
    assert "<code>0000101</code>" in table  # the length's 7 bits
    assert 'rowspan="5"' in table  # FIN, RSV1-3 and the opcode share byte 0


def test_the_encoded_frame_links_to_its_decoding_as_a_client_frame(client):
    html = frames_page(client, **ENCODE_HELLO).content.decode()
    link = html_module.unescape(re.search(r'<a href="([^"]+)">Decode these bytes</a>', html)[1])
    decoded = client.get(link).content.decode()
    assert "read as sent by the client" in decoded
    assert '<pre class="message__text">Hello</pre>' in decoded


def test_a_masked_frame_without_a_key_redirects_to_an_address_with_a_random_key(client):
    params = {**ENCODE_HELLO, "masking_key": ""}
    first, second = frames_page(client, **params), frames_page(client, **params)
    assert first.status_code == second.status_code == 302
    key = re.search(r"masking_key=([0-9a-f+]+)", first.url)[1].replace("+", "")
    assert len(key) == 8
    assert first.url != second.url
    assert client.get(first.url).status_code == 200


def test_an_encoded_control_frame_over_125_bytes_lists_the_rule_it_breaks(client):
    params = {**ENCODE_HELLO, "opcode": "9", "payload": "x" * 126}
    html = frames_page(client, **params).content.decode()
    assert 'data-rule="control-too-long"' in html
    assert 'href="https://www.rfc-editor.org/rfc/rfc6455#section-5.5"' in html


def test_a_hex_payload_is_encoded_as_binary_bytes(client):
    params = {**ENCODE_HELLO, "payload": "00 ff", "payload_format": "hex", "opcode": "2"}
    params.pop("mask")
    html = frames_page(client, **params).content.decode()
    assert '<code id="frame-hex">82 02 00 ff</code>' in html


def test_an_html_payload_is_shown_as_text(client):
    params = {**ENCODE_HELLO, "payload": "<script>alert(1)</script>"}
    html = frames_page(client, **params).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Bad input: 400 with the error beside the field ------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"payload": "abc", "payload_format": "hex"}, "payload", "odd number"),
        ({"payload": "S*V", "payload_format": "base64"}, "payload", "not base64"),
        ({"masking_key": "37 fa 21"}, "masking_key", "exactly 4 bytes"),
        ({"masking_key": "zz"}, "masking_key", "not a hex digit"),
        ({"payload": "x" * 4097}, "payload", "At most 4096 bytes"),
        ({"payload": "x" * (MAX_INPUT_CHARACTERS + 1)}, "payload", "At most 8192 characters"),
    ],
)
def test_bad_encode_input_is_refused_beside_its_field(client, params, field, message):
    response = frames_page(client, **{**ENCODE_HELLO, **params})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field)
    tag = re.search(rf'<(?:input|textarea)\b[^>]*\bid="id_{field}"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in tag


@pytest.mark.parametrize(
    ("hex_text", "message"),
    [
        ("81 0", "odd number"),
        ("81 zz", "“z” is not a hex digit"),
        ("", "This field is required"),
        ("0" * (MAX_INPUT_CHARACTERS + 2), "At most 8192 characters"),
    ],
)
def test_bad_decode_input_is_refused_beside_its_field(client, hex_text, message):
    response = frames_page(client, mode="decode", hex=hex_text, sender="client")
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), "hex")


def test_a_query_with_too_many_parameters_is_a_400_not_a_500(client):
    response = client.get("/tools/frames/?" + "&".join(f"a{n}=1" for n in range(1500)))
    assert response.status_code == 400


# --- Decoding ------------------------------------------------------------------------------


def test_decoding_a_fragmented_message_shows_each_frame_and_the_whole_message(client):
    html = frames_page(
        client, mode="decode", hex="0x01 0x03 0x48 0x65 0x6c 0x80 0x02 0x6c 0x6f", sender="server"
    ).content.decode()
    assert "2 frames, 1 message" in html
    assert "Frame 1: text, not final" in html and "Frame 2: continuation" in html
    assert '<pre class="message__text">Hello</pre>' in html
    assert "No rule broken" in html


def test_decoding_an_unmasked_frame_sent_by_the_client_names_section_5_1(client):
    response = frames_page(client, mode="decode", hex="81 05 48 65 6c 6c 6f", sender="client")
    html = response.content.decode()
    assert response.status_code == 200  # a broken frame is an answer, not an error
    assert 'data-rule="client-unmasked"' in html
    assert "RFC 6455 §5.1" in html


def test_decoding_a_cut_frame_says_how_many_bytes_are_missing(client):
    html = frames_page(client, mode="decode", hex="81 05 48 65", sender="server").content.decode()
    assert "3 bytes missing" in html


def test_decoding_a_close_frame_names_its_code(client):
    html = frames_page(client, mode="decode", hex="88 05 03 e8 62 79 65", sender="server")
    text = html.content.decode()
    assert "Close code <strong>1000</strong> (Normal closure), reason “bye”" in text


def test_many_frames_are_annotated_up_to_64_and_counted_beyond(client):
    html = frames_page(client, mode="decode", hex="82 00 " * 100, sender="server")
    text = html.content.decode()
    assert "100 frames, 100 messages" in text
    assert text.count('<table class="dump">') == 64
    assert "… and 36 more frames, not annotated here" in text


def test_a_text_payload_with_markup_is_escaped_when_decoded(client):
    payload = b"<b>hi</b>".hex()
    html = frames_page(
        client, mode="decode", hex=f"81 09 {payload}", sender="server"
    ).content.decode()
    assert "<b>hi</b>" not in html and "&lt;b&gt;hi&lt;/b&gt;" in html


# --- JSON ----------------------------------------------------------------------------------


def test_the_json_api_encodes_like_the_page(client):
    body = api(client, **ENCODE_HELLO).json()
    assert body["bytes"] == HELLO_MASKED
    assert body["sender"] == "client"
    assert body["messages"][0]["text"] == "Hello"
    assert [f["key"] for f in body["frames"][0]["fields"]][:2] == ["fin", "rsv1"]


def test_the_json_api_lists_the_rules_broken_with_their_sections(client):
    body = api(client, mode="decode", hex="81 05 48 65 6c 6c 6f", sender="client").json()
    assert body["problems"] == [
        {
            "rule": "client-unmasked",
            "section": "5.1",
            "message": "A client must mask every frame it sends.",
            "frame": 0,
        }
    ]


def test_the_json_api_answers_bad_input_with_400_and_the_field_errors(client):
    response = api(client, **{**ENCODE_HELLO, "masking_key": "01"})
    assert response.status_code == 400
    assert "exactly 4 bytes" in response.json()["errors"]["masking_key"][0]


def test_the_json_api_needs_a_mode(client):
    response = api(client, hex="81 00")
    assert response.status_code == 400
    assert response.json()["errors"] == {"mode": ["Say mode=encode or mode=decode."]}


def test_a_random_key_in_the_json_api_is_never_cached(client):
    response = api(client, **{**ENCODE_HELLO, "masking_key": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert len(response.json()["frames"][0]["masking_key"].split()) == 4


def test_the_page_links_its_result_as_json(client):
    html = frames_page(client, mode="decode", hex="81 00", sender="server").content.decode()
    link = html_module.unescape(re.search(r'<a href="([^"]+)">This result as JSON</a>', html)[1])
    assert client.get(link).json()["frames"][0]["opcode_name"] == "text"
