"""The frame codec (lab/frames.py): RFC 6455's own examples, every rule it checks with its
section, truncated input, and round trips; arbitrary bytes never make it raise."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab import frames
from lab.rfc6455 import BINARY, CLIENT, CLOSE, CONTINUATION, PING, PONG, SERVER, TEXT

KEY = bytes.fromhex("37fa213d")


def rfc(text):
    """Bytes written as RFC 6455 5.7 writes them: "0x81 0x05 0x48"."""
    return frames.parse_hex(text)


def rules(decoded):
    return [(problem.rule, problem.section) for problem in decoded.problems]


# --- RFC 6455 section 5.7 ---------------------------------------------------------------


def test_an_unmasked_hello_is_the_rfc_bytes():
    assert frames.encode(b"Hello") == rfc("0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f")


def test_a_masked_hello_is_the_rfc_bytes():
    expected = rfc("0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58")
    assert frames.encode(b"Hello", masking_key=KEY) == expected


def test_the_rfc_masked_hello_decodes_to_hello_from_a_client():
    decoded = frames.decode(rfc("0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58"), CLIENT)
    assert decoded.problems == []
    assert decoded.frames[0].masking_key == KEY
    assert decoded.messages[0].text == "Hello"


def test_the_rfc_fragmented_hello_is_one_text_message_in_two_frames():
    first, second = rfc("0x01 0x03 0x48 0x65 0x6c"), rfc("0x80 0x02 0x6c 0x6f")
    assert frames.encode(b"Hel", fin=False) == first
    assert frames.encode(b"lo", CONTINUATION) == second
    decoded = frames.decode(first + second, SERVER)
    assert decoded.problems == []
    assert [(m.kind, m.text, m.frames, m.complete) for m in decoded.messages] == [
        ("text", "Hello", [0, 1], True)
    ]


def test_the_rfc_unmasked_ping_and_masked_pong_carry_hello():
    ping = rfc("0x89 0x05 0x48 0x65 0x6c 0x6c 0x6f")
    pong = rfc("0x8a 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58")
    assert frames.encode(b"Hello", PING) == ping
    assert frames.encode(b"Hello", PONG, masking_key=KEY) == pong
    assert [(m.kind, m.text) for m in frames.decode(ping, SERVER).messages] == [("ping", "Hello")]
    assert [(m.kind, m.text) for m in frames.decode(pong, CLIENT).messages] == [("pong", "Hello")]


def test_256_bytes_of_binary_use_the_16_bit_length():
    frame = frames.encode(bytes(256), BINARY)
    assert frame[:4] == rfc("0x82 0x7E 0x0100")
    decoded = frames.decode(frame, SERVER)
    assert (decoded.frames[0].length_form, decoded.frames[0].length) == (16, 256)


def test_64_kib_of_binary_use_the_64_bit_length():
    frame = frames.encode(bytes(65536), BINARY)
    assert frame[:10] == rfc("0x82 0x7F 0x0000000000010000")
    decoded = frames.decode(frame, SERVER)
    assert (decoded.frames[0].length_form, decoded.frames[0].length) == (64, 65536)
    assert decoded.problems == []


# --- The annotated fields -----------------------------------------------------------------


def test_every_header_field_is_labelled_with_its_bits():
    decoded = frames.decode(rfc("0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58"))
    fields = {f.key: (f.offset, f.size, f.bits) for f in decoded.frames[0].fields}
    assert fields == {
        "fin": (0, 1, "1"),
        "rsv1": (0, 1, "0"),
        "rsv2": (0, 1, "0"),
        "rsv3": (0, 1, "0"),
        "opcode": (0, 1, "0001"),
        "mask": (1, 1, "1"),
        "length": (1, 1, "0000101"),
        "masking_key": (2, 4, ""),
        "payload": (6, 5, ""),
    }


def test_an_extended_length_is_its_own_field():
    decoded = frames.decode(frames.encode(bytes(300), BINARY), SERVER)
    extended = next(f for f in decoded.frames[0].fields if f.key == "extended_length")
    assert (extended.offset, extended.size, extended.value) == (2, 2, "300 bytes")


# --- Rules, each with its section ---------------------------------------------------------


def test_a_non_minimal_length_breaks_5_2():
    frame = frames.encode(b"Hello", length_form=16)
    assert rules(frames.decode(frame, SERVER)) == [("non-minimal-length", "5.2")]


def test_a_64_bit_length_with_its_top_bit_set_breaks_5_2():
    frame = rfc("0x82 0x7F 0x8000000000000000")
    assert ("length-high-bit", "5.2") in rules(frames.decode(frame, SERVER))


def test_a_control_frame_over_125_bytes_breaks_5_5():
    frame = frames.encode(bytes(126), PING)
    assert rules(frames.decode(frame, SERVER)) == [("control-too-long", "5.5")]


def test_a_fragmented_control_frame_breaks_5_5():
    frame = frames.encode(b"", PING, fin=False)
    assert rules(frames.decode(frame, SERVER)) == [("control-fragmented", "5.5")]


@pytest.mark.parametrize("opcode", [0x3, 0x7, 0xB, 0xF])
def test_a_reserved_opcode_breaks_5_2(opcode):
    frame = frames.encode(b"", opcode)
    assert rules(frames.decode(frame, SERVER)) == [("reserved-opcode", "5.2")]


@pytest.mark.parametrize("bit", ["rsv1", "rsv2", "rsv3"])
def test_a_reserved_bit_without_an_extension_breaks_5_2(bit):
    frame = frames.encode(b"Hello", **{bit: True})
    assert rules(frames.decode(frame, SERVER)) == [("reserved-bit", "5.2")]


def test_an_unmasked_frame_from_a_client_breaks_5_1():
    assert rules(frames.decode(frames.encode(b"Hello"), CLIENT)) == [("client-unmasked", "5.1")]


def test_a_masked_frame_from_a_server_breaks_5_1():
    frame = frames.encode(b"Hello", masking_key=KEY)
    assert rules(frames.decode(frame, SERVER)) == [("server-masked", "5.1")]


def test_invalid_utf8_in_a_text_frame_breaks_8_1():
    frame = frames.encode(b"\xff\xfe", TEXT)
    assert rules(frames.decode(frame, SERVER)) == [("invalid-utf8", "8.1")]


def test_a_character_split_between_fragments_is_valid_utf8():
    euro = "€".encode()
    stream = frames.encode(euro[:1], fin=False) + frames.encode(euro[1:], CONTINUATION)
    decoded = frames.decode(stream, SERVER)
    assert decoded.problems == []
    assert decoded.messages[0].text == "€"


def test_a_close_payload_of_one_byte_breaks_5_5_1():
    frame = frames.encode(b"\x03", CLOSE)
    assert rules(frames.decode(frame, SERVER)) == [("close-one-byte", "5.5.1")]


@pytest.mark.parametrize("code", [1004, 1005, 1006, 1015])
def test_a_close_code_that_must_never_be_sent_breaks_7_4_1(code):
    frame = frames.encode(code.to_bytes(2, "big"), CLOSE)
    assert rules(frames.decode(frame, SERVER)) == [("close-code-never-sent", "7.4.1")]


@pytest.mark.parametrize("code", [0, 999, 1016, 2999, 5000])
def test_a_close_code_outside_the_sendable_ranges_breaks_7_4_2(code):
    frame = frames.encode(code.to_bytes(2, "big"), CLOSE)
    assert rules(frames.decode(frame, SERVER)) == [("close-code-invalid", "7.4.2")]


@pytest.mark.parametrize("code", [1000, 1001, 1011, 1014, 3000, 4999])
def test_a_sendable_close_code_breaks_nothing(code):
    frame = frames.encode(code.to_bytes(2, "big") + b"bye", CLOSE)
    decoded = frames.decode(frame, SERVER)
    assert decoded.problems == []
    assert (decoded.messages[0].close_code, decoded.messages[0].text) == (code, "bye")


def test_a_close_reason_that_is_not_utf8_breaks_5_5_1():
    frame = frames.encode(b"\x03\xe8\xff", CLOSE)
    assert rules(frames.decode(frame, SERVER)) == [("close-reason-utf8", "5.5.1")]


def test_a_continuation_without_a_message_breaks_5_4():
    frame = frames.encode(b"lo", CONTINUATION)
    assert rules(frames.decode(frame, SERVER)) == [("continuation-without-message", "5.4")]


def test_a_new_message_inside_a_fragmented_one_breaks_5_4():
    stream = frames.encode(b"Hel", fin=False) + frames.encode(b"x", BINARY)
    assert rules(frames.decode(stream, SERVER)) == [("interleaved-message", "5.4")]


def test_a_ping_between_fragments_breaks_nothing():
    stream = (
        frames.encode(b"Hel", fin=False)
        + frames.encode(b"", PING)
        + frames.encode(b"lo", CONTINUATION)
    )
    decoded = frames.decode(stream, SERVER)
    assert decoded.problems == []
    assert [(m.kind, m.text) for m in decoded.messages] == [("text", "Hello"), ("ping", "")]


def test_a_frame_after_a_close_breaks_5_5_1():
    stream = frames.encode(b"\x03\xe8", CLOSE) + frames.encode(b"late")
    assert rules(frames.decode(stream, SERVER)) == [("frame-after-close", "5.5.1")]


def test_each_problem_names_the_frame_it_was_found_in():
    stream = frames.encode(b"ok") + frames.encode(b"", 0x3)
    assert [p.frame for p in frames.decode(stream, SERVER).problems] == [1]


# --- Truncated input ----------------------------------------------------------------------


def test_a_frame_cut_in_its_payload_says_how_many_bytes_are_missing():
    decoded = frames.decode(rfc("0x81 0x05 0x48 0x65"), SERVER)
    assert decoded.missing == 3
    assert decoded.frames[0].payload == b"He"
    assert decoded.messages[0].complete is False


def test_a_frame_cut_after_its_length_says_how_many_bytes_are_missing():
    decoded = frames.decode(rfc("0x81 0xFE 0x00 0x80 0x37"), CLIENT)  # 128 bytes, masked
    assert (decoded.missing, decoded.missing_exact) == (3 + 128, True)
    assert len(decoded.frames) == 1


def test_a_frame_cut_before_its_length_says_the_least_that_is_missing():
    decoded = frames.decode(rfc("0x81 0xFE 0x01"), CLIENT)  # 16-bit length, masked
    assert (decoded.missing, decoded.missing_exact) == (5, False)


def test_one_byte_is_a_frame_missing_at_least_one_more():
    decoded = frames.decode(b"\x81", SERVER)
    assert (decoded.missing, decoded.missing_exact) == (1, False)


def test_a_text_message_cut_inside_a_character_is_not_invalid_utf8():
    decoded = frames.decode(frames.encode("€".encode())[:-1], SERVER)
    assert decoded.problems == []
    assert decoded.missing == 1


def test_empty_input_is_no_frames():
    decoded = frames.decode(b"", CLIENT)
    assert (decoded.frames, decoded.messages, decoded.problems, decoded.missing) == ([], [], [], 0)


# --- Input parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["81 05 48", "0x81 0x05 0x48", "\\x81\\x05\\x48", "81:05:48", "8105\n48", "0X81,05,48"]
)
def test_hex_is_read_as_people_paste_it(text):
    assert frames.parse_hex(text) == b"\x81\x05\x48"


def test_odd_hex_says_the_digit_count_is_odd():
    with pytest.raises(ValueError, match="odd"):
        frames.parse_hex("81 0")


def test_a_non_hex_character_is_named():
    with pytest.raises(ValueError, match="“g” is not a hex digit"):
        frames.parse_hex("81 g5")


@pytest.mark.parametrize("text", ["SGVsbG8=", "SGVsbG8", "SGVs bG8="])
def test_base64_with_or_without_padding(text):
    assert frames.parse_base64(text) == b"Hello"


def test_bad_base64_is_refused():
    with pytest.raises(ValueError, match="not base64"):
        frames.parse_base64("SGV*bG8")


def test_a_masking_key_must_be_four_bytes():
    with pytest.raises(ValueError, match="4 bytes"):
        frames.encode(b"x", masking_key=b"\x01\x02\x03")


def test_a_payload_too_long_for_the_forced_length_form_is_refused():
    with pytest.raises(ValueError, match="does not fit a 7-bit length"):
        frames.encode(bytes(126), length_form=7)


# --- Properties ---------------------------------------------------------------------------

keys = st.none() | st.binary(min_size=4, max_size=4)
data_opcodes = st.sampled_from([TEXT, BINARY])


@given(st.binary(max_size=70_000), data_opcodes, keys)
def test_any_payload_round_trips(payload, opcode, key):
    sender = SERVER if key is None else CLIENT
    decoded = frames.decode(frames.encode(payload, opcode, masking_key=key), sender)
    assert decoded.frames[0].payload == payload
    assert decoded.frames[0].opcode == opcode
    assert decoded.missing == 0


@given(st.text(max_size=500), keys)
def test_any_text_round_trips_without_problems(text, key):
    sender = SERVER if key is None else CLIENT
    decoded = frames.decode(frames.encode(text.encode(), masking_key=key), sender)
    assert decoded.problems == []
    assert decoded.messages[0].text == text


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=6), keys)
def test_any_fragmentation_reassembles(pieces, key):
    stream = b"".join(
        frames.encode(
            piece,
            BINARY if number == 0 else CONTINUATION,
            fin=number == len(pieces) - 1,
            masking_key=key,
        )
        for number, piece in enumerate(pieces)
    )
    decoded = frames.decode(stream, SERVER if key is None else CLIENT)
    assert decoded.problems == []
    assert [m.payload for m in decoded.messages] == [b"".join(pieces)]


@given(st.binary(max_size=300), st.sampled_from([CLIENT, SERVER]))
def test_arbitrary_bytes_never_raise(data, sender):
    decoded = frames.decode(data, sender)
    assert sum(len(frame.data) for frame in decoded.frames) == len(data)


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=1, max_value=200))
def test_every_cut_of_a_valid_stream_reports_missing_bytes(payload, cut):
    frame = frames.encode(payload, BINARY, masking_key=KEY)
    cut = min(cut, len(frame) - 1)
    decoded = frames.decode(frame[:cut], CLIENT)
    if decoded.missing_exact:
        assert decoded.missing == len(frame) - cut
    else:
        assert 0 < decoded.missing <= len(frame) - cut
