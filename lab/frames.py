"""RFC 6455 frames, in plain Python: build them, take them apart, and say which rules they break.

No Django and no I/O, so the frame lab, the JSON API and later tools (the handshake
mirror, the self-test) share one codec, and tests call it directly.

- `encode(...)` builds the bytes of one frame, rule-breaking ones included (a lab must be
  able to show what a broken frame looks like).
- `decode(data, sender)` reads a stream of frames and never raises: it returns every
  frame with its fields annotated bit by bit, the messages they carry, every rule they
  break (with its RFC 6455 section) and, for a cut-off frame, how many bytes are missing.
- `parse_hex`, `parse_base64`: what people paste, into bytes, with errors a person can act on.
"""

import base64
import binascii
import os
import re
import struct
from dataclasses import dataclass, field

from lab.frame_rules import Problem, close_problems, frame_problems
from lab.rfc6455 import (
    CLIENT,
    CLOSE,
    CONTINUATION,
    LENGTH_FORMS,
    PING,
    PONG,
    TEXT,
    is_control,
    is_reserved,
    opcode_name,
    shortest_length_form,
)

# --- Input --------------------------------------------------------------------------------

HEX_NOISE = re.compile(r"0x|\\x|[\s:,;-]", re.IGNORECASE)
NOT_HEX = re.compile(r"[^0-9a-fA-F]")


def parse_hex(text):
    """Bytes from hex as people paste it: "81 05 48", "0x81 0x05", "\\x81\\x05", "81:05".
    Raises ValueError with a sentence saying what to fix."""
    digits = HEX_NOISE.sub("", text)
    bad = NOT_HEX.search(digits)
    if bad:
        raise ValueError(f"“{bad.group()}” is not a hex digit: use 0-9 and a-f.")
    if len(digits) % 2:
        raise ValueError(
            f"Hex needs two digits per byte, and there are {len(digits)} digits (an odd number)."
        )
    return bytes.fromhex(digits)


def parse_base64(text):
    """Bytes from standard or URL-safe base64, padding optional."""
    cleaned = re.sub(r"\s", "", text).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "That is not base64: use A-Z, a-z, 0-9, + and / (or - and _), then = padding."
        ) from None


def to_hex(data):
    return data.hex(" ")


# --- Encoding -----------------------------------------------------------------------------


def random_masking_key():
    """Four bytes from a strong source, as RFC 6455 10.3 asks: a key a page can predict
    would let it choose the bytes a proxy sees."""
    return os.urandom(4)


def apply_mask(data, key):
    """XORs `data` with the 4-byte `key` (masking and unmasking are the same operation)."""
    if not data:
        return b""
    repeated = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(data), "big"
    )


def encode(
    payload,
    opcode=TEXT,
    *,
    fin=True,
    rsv1=False,
    rsv2=False,
    rsv3=False,
    masking_key=None,
    length_form=None,
):
    """The bytes of one frame. `masking_key` (4 bytes) masks the payload; None sends it
    unmasked. `length_form` (7, 16 or 64) forces a length encoding, e.g. a non-minimal
    one to test a peer; None uses the shortest, as RFC 6455 5.2 requires."""
    if not 0 <= opcode <= 0xF:
        raise ValueError("An opcode is 4 bits: 0 to 15.")
    if masking_key is not None and len(masking_key) != 4:
        raise ValueError("A masking key is exactly 4 bytes.")
    length = len(payload)
    form = length_form or shortest_length_form(length)
    if form not in LENGTH_FORMS:
        raise ValueError("A length is encoded in 7, 16 or 64 bits.")
    if LENGTH_FORMS.index(form) < LENGTH_FORMS.index(shortest_length_form(length)):
        raise ValueError(f"A {length}-byte payload does not fit a {form}-bit length.")
    first = (fin << 7) | (rsv1 << 6) | (rsv2 << 5) | (rsv3 << 4) | opcode
    mask_bit = 0x80 if masking_key is not None else 0
    if form == 7:
        header = bytes([first, mask_bit | length])
    elif form == 16:
        header = bytes([first, mask_bit | 126]) + struct.pack("!H", length)
    else:
        header = bytes([first, mask_bit | 127]) + struct.pack("!Q", length)
    if masking_key is None:
        return header + payload
    return header + bytes(masking_key) + apply_mask(payload, masking_key)


# --- Decoding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a frame's header or body, for the annotated dump.

    `key` names it for programs and styles (fin, rsv1, opcode, mask, length,
    extended_length, masking_key, payload); `offset` and `size` place its bytes in the
    frame; `bits` is its bit pattern when it is narrower than its bytes (FIN is "1").
    """

    key: str
    label: str
    offset: int
    size: int
    value: str
    bits: str = ""


@dataclass
class Frame:
    offset: int  # where the frame starts in the decoded stream
    fin: bool
    rsv: tuple  # (rsv1, rsv2, rsv3)
    opcode: int
    masked: bool
    length: int  # the payload length the header announces
    length_form: int  # 7, 16 or 64
    masking_key: bytes | None
    data: bytes  # the frame's bytes as received (possibly cut off)
    payload: bytes  # unmasked; shorter than `length` when the frame is cut off
    fields: list = field(default_factory=list)
    missing: int = 0  # bytes still to come when the input ends inside this frame

    @property
    def complete(self):
        return self.missing == 0

    @property
    def opcode_name(self):
        return opcode_name(self.opcode)

    @property
    def is_control(self):
        return is_control(self.opcode)


@dataclass
class Message:
    """A data message (text or binary, possibly in several frames) or a control frame's
    payload. `text` is the decoded text of a text message, or of a close reason, when it
    is valid UTF-8; `close_code` is set for a close frame that carries one."""

    opcode: int
    frames: list  # indexes into Decoded.frames
    payload: bytes
    complete: bool
    text: str | None = None
    close_code: int | None = None

    @property
    def kind(self):
        return opcode_name(self.opcode)


@dataclass
class Decoded:
    frames: list
    messages: list
    problems: list
    missing: int = 0  # bytes missing from the last frame; 0 when the input ends cleanly
    # False when the input ends before the last frame's length: `missing` is then the
    # least that is missing (the rest of the header), and the payload may add more.
    missing_exact: bool = True

    @property
    def complete(self):
        return self.missing == 0


def _read_header(data, offset):
    """(Frame with header fields, header size), or for a header cut off by the end of
    the input (None, (bytes missing, whether that count is exact))."""
    available = len(data) - offset
    if available < 2:
        return None, (2 - available, False)
    first, second = data[offset], data[offset + 1]
    masked = bool(second & 0x80)
    length7 = second & 0x7F
    form = {126: 16, 127: 64}.get(length7, 7)
    extended = {7: 0, 16: 2, 64: 8}[form]
    header_size = 2 + extended + (4 if masked else 0)
    if available < header_size:
        if available < 2 + extended:
            return None, (header_size - available, False)
        length = _payload_length(data, offset, form, length7)
        return None, (header_size + length - available, True)
    length = _payload_length(data, offset, form, length7)

    key_at = offset + 2 + extended
    key = bytes(data[key_at : key_at + 4]) if masked else None
    frame = Frame(
        offset=offset,
        fin=bool(first & 0x80),
        rsv=(bool(first & 0x40), bool(first & 0x20), bool(first & 0x10)),
        opcode=first & 0x0F,
        masked=masked,
        length=length,
        length_form=form,
        masking_key=key,
        data=b"",
        payload=b"",
    )
    return frame, header_size


def _payload_length(data, offset, form, length7):
    if form == 7:
        return length7
    return struct.unpack_from("!H" if form == 16 else "!Q", data, offset + 2)[0]


def _fields(frame, header_size):
    first, second = frame.data[0], frame.data[1]
    fields = [
        Field(
            "fin",
            "FIN",
            0,
            1,
            "final fragment" if frame.fin else "more fragments follow",
            f"{first >> 7}",
        ),
    ]
    for number, bit in enumerate(frame.rsv, start=1):
        fields.append(
            Field(
                f"rsv{number}",
                f"RSV{number}",
                0,
                1,
                "set" if bit else "clear",
                f"{(first >> (7 - number)) & 1}",
            )
        )
    fields.append(
        Field(
            "opcode",
            "Opcode",
            0,
            1,
            f"0x{frame.opcode:X}: {frame.opcode_name}",
            f"{frame.opcode:04b}",
        )
    )
    fields.append(
        Field("mask", "MASK", 1, 1, "masked" if frame.masked else "not masked", f"{second >> 7}")
    )
    length7 = second & 0x7F
    if frame.length_form == 7:
        value = f"{frame.length} bytes"
    else:
        value = f"{length7}: a {frame.length_form}-bit length follows"
    fields.append(Field("length", "Payload length (7 bits)", 1, 1, value, f"{length7:07b}"))
    if frame.length_form != 7:
        size = frame.length_form // 8
        fields.append(
            Field(
                "extended_length",
                f"Extended payload length ({frame.length_form} bits)",
                2,
                size,
                f"{frame.length} bytes",
            )
        )
    if frame.masked:
        fields.append(
            Field("masking_key", "Masking key", header_size - 4, 4, to_hex(frame.masking_key))
        )
    body = len(frame.data) - header_size
    if frame.length:
        label = "Masked payload" if frame.masked else "Payload"
        value = f"{body} of {frame.length} bytes" if frame.missing else f"{body} bytes"
        fields.append(Field("payload", label, header_size, body, value))
    return fields


def _text(payload):
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode(data, sender=CLIENT):
    """Reads `data` as a stream of frames sent by `sender` ("client" or "server").
    Never raises: whatever the bytes, the answer says what they are."""
    data = bytes(data)
    frames, messages, problems = [], [], []
    offset, missing, missing_exact = 0, 0, True
    open_message = None  # the fragmented data message in progress
    closed = False
    while offset < len(data):
        index = len(frames)
        frame, header_size = _read_header(data, offset)
        if frame is None:
            missing, missing_exact = header_size
            frames.append(_cut_header(data, offset, missing, missing_exact))
            break
        end = offset + header_size + frame.length
        frame.data = data[offset:end]
        body = frame.data[header_size:]
        frame.missing = max(0, end - len(data))
        frame.payload = apply_mask(body, frame.masking_key) if frame.masked else body
        frame.fields = _fields(frame, header_size)
        frames.append(frame)
        problems += frame_problems(frame, index, sender)
        if closed:
            problems.append(
                Problem(
                    "frame-after-close",
                    "5.5.1",
                    "A frame follows the close frame: nothing may be sent after a close.",
                    index,
                )
            )
        if frame.missing:
            missing = frame.missing
        if frame.is_control:
            message = Message(frame.opcode, [index], frame.payload, frame.complete)
            if frame.opcode == CLOSE:
                closed = True
                if frame.complete:
                    problems += close_problems(frame.payload, index)
                if len(frame.payload) >= 2:
                    message.close_code = struct.unpack_from("!H", frame.payload)[0]
                    message.text = _text(frame.payload[2:])
            elif frame.opcode in (PING, PONG):
                message.text = _text(frame.payload)
            messages.append(message)
        elif frame.opcode == CONTINUATION:
            if open_message is None:
                problems.append(
                    Problem(
                        "continuation-without-message",
                        "5.4",
                        "A continuation frame arrived with no fragmented message in progress.",
                        index,
                    )
                )
            else:
                open_message.frames.append(index)
                open_message.payload += frame.payload
                if frame.fin or not frame.complete:
                    open_message = _finish(open_message, frame, problems)
        elif not is_reserved(frame.opcode):  # text or binary
            if open_message is not None:
                problems.append(
                    Problem(
                        "interleaved-message",
                        "5.4",
                        f"A new {frame.opcode_name} message starts before the fragmented "
                        f"{open_message.kind} message ended (FIN) with a continuation frame.",
                        index,
                    )
                )
                open_message = _finish(open_message, None, problems)
            message = Message(frame.opcode, [index], frame.payload, False)
            messages.append(message)
            open_message = message
            if frame.fin or not frame.complete:
                open_message = _finish(message, frame, problems)
        offset = end
    if open_message is not None:
        _finish(open_message, None, problems)
    return Decoded(frames, messages, problems, missing, missing_exact)


def _cut_header(data, offset, missing, exact):
    """A frame whose input ends before its header does: only the bytes that arrived."""
    cut = data[offset:]
    first = cut[0]
    frame = Frame(
        offset=offset,
        fin=bool(first & 0x80),
        rsv=(bool(first & 0x40), bool(first & 0x20), bool(first & 0x10)),
        opcode=first & 0x0F,
        masked=bool(cut[1] & 0x80) if len(cut) > 1 else False,
        length=0,
        length_form=7,
        masking_key=None,
        data=cut,
        payload=b"",
        missing=missing,
    )
    count = f"{missing} {'byte' if missing == 1 else 'bytes'}"
    value = f"{count} missing" if exact else f"at least {count} missing"
    frame.fields = [Field("header", "Header (cut off)", 0, len(cut), value)]
    return frame


def _finish(message, last_frame, problems):
    """Closes a data message: marks it complete when its last frame arrived whole, and
    checks a text message's UTF-8 over the whole message (a fragment may split a
    character). Returns None: no message is in progress any more."""
    message.complete = last_frame is not None and last_frame.fin and last_frame.complete
    if message.opcode == TEXT:
        message.text = _text(message.payload)
        if message.text is None and not _is_cut_utf8(message):
            problems.append(
                Problem(
                    "invalid-utf8",
                    "8.1",
                    "The text message is not valid UTF-8: the receiver must fail the "
                    "connection (close code 1007).",
                    message.frames[-1],
                )
            )
    return None


def _is_cut_utf8(message):
    """Whether the payload is valid UTF-8 that was only cut off by the end of the input."""
    if message.complete:
        return False
    try:
        message.payload.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.reason == "unexpected end of data"
    return True


# --- As data ------------------------------------------------------------------------------


def as_dict(decoded):
    """`decode`'s answer as plain JSON-ready data: bytes as spaced hex."""
    return {
        "frames": [
            {
                "offset": frame.offset,
                "size": len(frame.data),
                "fin": frame.fin,
                "rsv1": frame.rsv[0],
                "rsv2": frame.rsv[1],
                "rsv3": frame.rsv[2],
                "opcode": frame.opcode,
                "opcode_name": frame.opcode_name,
                "masked": frame.masked,
                "length": frame.length,
                "length_form": frame.length_form,
                "masking_key": to_hex(frame.masking_key) if frame.masking_key else None,
                "payload": to_hex(frame.payload),
                "missing": frame.missing,
                "fields": [
                    {
                        "key": f.key,
                        "label": f.label,
                        "offset": f.offset,
                        "size": f.size,
                        "bits": f.bits or None,
                        "value": f.value,
                    }
                    for f in frame.fields
                ],
            }
            for frame in decoded.frames
        ],
        "messages": [
            {
                "kind": message.kind,
                "frames": message.frames,
                "size": len(message.payload),
                "complete": message.complete,
                "text": message.text,
                "payload": to_hex(message.payload),
                "close_code": message.close_code,
            }
            for message in decoded.messages
        ],
        "problems": [
            {
                "rule": p.rule,
                "section": p.section,
                "message": p.message,
                "frame": p.frame,
            }
            for p in decoded.problems
        ],
        "missing": decoded.missing,
        "missing_exact": decoded.missing_exact,
    }
