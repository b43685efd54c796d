"""The annotated hex dump of a frame, as rows and segments a template renders. Plain Python.

The table (one row per field, the bytes a field shares with others spanning its rows) is
what a screen reader reads; the strip above it shows the same bytes side by side, each
segment coloured and captioned by field.
"""

from dataclasses import dataclass

from .frames import to_hex

PREVIEW_BYTES = 48  # of a payload, in the dump; the full payload is below it and in the JSON


@dataclass
class Row:
    key: str
    label: str
    bits: str
    value: str
    place: str  # "byte 0", "bytes 2 to 3"
    hex: str
    rowspan: int = 1
    spanned: bool = False  # its bytes and hex are in the row above (rowspan)


@dataclass
class Segment:
    keys: list
    caption: str
    hex: str


def place(offset, size):
    if size == 1:
        return f"byte {offset}"
    return f"bytes {offset} to {offset + size - 1}"


def preview(data):
    """Spaced hex, cut after PREVIEW_BYTES with the count of the rest."""
    if len(data) <= PREVIEW_BYTES:
        return to_hex(data)
    return f"{to_hex(data[:PREVIEW_BYTES])} … {len(data) - PREVIEW_BYTES} more bytes"


def _bytes(frame, field):
    return frame.data[field.offset : field.offset + field.size]


def rows(frame):
    """One row per field; fields in the same byte (FIN, RSV1-3 and the opcode; MASK and
    the 7-bit length) share one bytes-and-hex cell spanning their rows."""
    found, first = [], None
    for field in frame.fields:
        row = Row(
            field.key,
            field.label,
            field.bits,
            field.value,
            place(field.offset, field.size),
            preview(_bytes(frame, field)),
        )
        if first is not None and first.place == row.place:
            first.rowspan += 1
            row.spanned = True
        else:
            first = row
        found.append(row)
    return found


def segments(frame):
    """The frame's bytes in order, one segment per byte range, captioned by its fields."""
    found, last = [], None
    for field in frame.fields:
        name = field.label.split(" (")[0]
        if (field.offset, field.size) == last:
            found[-1].keys.append(field.key)
            found[-1].caption += f" · {name}"
        else:
            found.append(Segment([field.key], name, preview(_bytes(frame, field))))
        last = (field.offset, field.size)
    return found
