"""The rules of RFC 6455 a frame can break, each with the section that states it.

Plain Python: `lab.frames.decode` calls these for every frame it reads.
"""

import struct
from dataclasses import dataclass

from lab.rfc6455 import (
    CLIENT,
    DEFINED_CLOSE_CODES,
    MAX_CONTROL_PAYLOAD,
    NEVER_SENT_CLOSE_CODES,
    SERVER,
    is_reserved,
    shortest_length_form,
)


@dataclass(frozen=True)
class Problem:
    """A rule the bytes break. `rule` is a stable name (for programs); `section` the RFC
    6455 section that states it; `message` says what is wrong in these bytes."""

    rule: str
    section: str
    message: str
    frame: int | None = None  # index of the frame it was found in; None for the stream


def frame_problems(frame, index, sender):
    """The rules one frame breaks on its own."""
    found = []

    def problem(rule, section, message):
        found.append(Problem(rule, section, message, index))

    if is_reserved(frame.opcode):
        problem(
            "reserved-opcode",
            "5.2",
            f"Opcode 0x{frame.opcode:X} is reserved for future "
            f"{'control' if frame.is_control else 'data'} frames: the receiver must fail "
            "the connection.",
        )
    for number, bit in enumerate(frame.rsv, start=1):
        if bit:
            problem(
                "reserved-bit",
                "5.2",
                f"RSV{number} is set, but no extension was negotiated that gives it a meaning.",
            )
    if frame.length_form == 64 and frame.length >> 63:
        problem("length-high-bit", "5.2", "The most significant bit of a 64-bit length must be 0.")
    if frame.length_form != shortest_length_form(frame.length):
        problem(
            "non-minimal-length",
            "5.2",
            f"A {frame.length}-byte payload must use the "
            f"{shortest_length_form(frame.length)}-bit length form, not the "
            f"{frame.length_form}-bit one: the minimal number of bytes must be used.",
        )
    if frame.is_control and frame.length > MAX_CONTROL_PAYLOAD:
        problem(
            "control-too-long",
            "5.5",
            f"A control frame's payload is at most {MAX_CONTROL_PAYLOAD} bytes; this "
            f"{frame.opcode_name} frame has {frame.length}.",
        )
    if frame.is_control and not frame.fin:
        problem(
            "control-fragmented",
            "5.5",
            f"Control frames must not be fragmented: this {frame.opcode_name} frame has FIN clear.",
        )
    if sender == CLIENT and not frame.masked:
        problem("client-unmasked", "5.1", "A client must mask every frame it sends.")
    if sender == SERVER and frame.masked:
        problem("server-masked", "5.1", "A server must not mask any frame it sends.")
    return found


def close_problems(payload, index):
    if len(payload) == 1:
        return [
            Problem(
                "close-one-byte",
                "5.5.1",
                "A close payload is empty or starts with a 2-byte code; this one is 1 byte.",
                index,
            )
        ]
    if len(payload) < 2:
        return []
    code = struct.unpack_from("!H", payload)[0]
    found = []
    if code in NEVER_SENT_CLOSE_CODES:
        found.append(
            Problem(
                "close-code-never-sent",
                "7.4.1",
                f"Close code {code} ({NEVER_SENT_CLOSE_CODES[code]}) must never be sent in a "
                "close frame: it only reports an event to the application.",
                index,
            )
        )
    elif not (code in DEFINED_CLOSE_CODES or 3000 <= code <= 4999):
        found.append(
            Problem(
                "close-code-invalid",
                "7.4.2",
                f"Close code {code} is not one an endpoint may send: use 1000-1003, "
                "1007-1014 or 3000-4999.",
                index,
            )
        )
    try:
        payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        found.append(Problem("close-reason-utf8", "5.5.1", "The close reason is not UTF-8.", index))
    return found
