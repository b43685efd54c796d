"""The transport race's rules, in plain Python: no Django, no I/O, tested directly.

- `Limits` and `parse_spec`: what a visitor may ask for (rate, size, duration), with a
  plain-words error per field.
- `event_json`, `sse_frame`, `parse_last_event_id`: the events and how they are framed.
- `finder_preset`: the race that matches a protocol finder's answers.
"""

import json
import math
from dataclasses import dataclass

# The four lanes, in the order the page shows them.
LANES = ("polling", "long_polling", "sse", "websocket")

MIN_RATE = 0.2  # one event every five seconds
MIN_BYTES = 64  # an event's sequence number and timestamp fit in this
MIN_SECONDS = 2
# A few letters repeated: readable in a network panel, not random bytes that no
# compression would touch, nor one letter that every compressor would erase.
FILLER = "transport-race:"


@dataclass(frozen=True)
class Limits:
    """The most a visitor may ask for: events a second, bytes an event, seconds a race."""

    max_rate: float
    max_bytes: int
    max_seconds: int


@dataclass(frozen=True)
class Spec:
    """One race: `rate` events a second of `size` bytes each, for `duration` seconds."""

    rate: float
    size: int
    duration: int

    @property
    def total(self):
        """How many events the race sends: one at once, then one every 1/rate seconds."""
        return max(1, math.floor(self.rate * self.duration))


def _number(value, kind):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
    number = kind(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _whole(value):
    """An integer, accepting 3 and "3" and 3.0 but not 3.5."""
    number = _number(value, float)
    if number != int(number):
        raise ValueError
    return int(number)


def parse_spec(data, limits):
    """(Spec, {}) when `data` (a mapping of strings or numbers) asks for a race within
    `limits`, else (None, {field: message}) naming every field that is wrong."""
    checks = {
        "rate": (
            lambda v: _number(v, float),
            MIN_RATE,
            limits.max_rate,
            f"Events a second: a number from {MIN_RATE:g} to {limits.max_rate:g}.",
        ),
        "size": (
            _whole,
            MIN_BYTES,
            limits.max_bytes,
            f"Bytes an event: a whole number from {MIN_BYTES} to {limits.max_bytes}.",
        ),
        "duration": (
            _whole,
            MIN_SECONDS,
            limits.max_seconds,
            f"Seconds: a whole number from {MIN_SECONDS} to {limits.max_seconds}.",
        ),
    }
    values, errors = {}, {}
    for field, (convert, low, high, message) in checks.items():
        try:
            value = convert(data.get(field))
        except (TypeError, ValueError, OverflowError):
            errors[field] = message
            continue
        if not low <= value <= high:
            errors[field] = message
        values[field] = value
    if errors:
        return None, errors
    return Spec(**values), {}


def event_json(seq, sent_ms, size):
    """Event number `seq`, sent at `sent_ms` (milliseconds since the epoch), as JSON text
    of exactly `size` bytes (or the fewest that hold it, when `size` is smaller)."""
    head = json.dumps({"seq": seq, "sent": round(sent_ms, 3), "pad": ""}, separators=(",", ":"))
    missing = size - len(head)
    pad = (FILLER * (missing // len(FILLER) + 1))[:missing] if missing > 0 else ""
    return f'{head[:-2]}{pad}"}}'


def sse_frame(seq, data):
    """One Server-Sent Event whose id is its sequence number, so `Last-Event-ID` resumes."""
    return f"id: {seq}\ndata: {data}\n\n"


def parse_last_event_id(value):
    """The sequence number a reader already has: a `Last-Event-ID` header or an `after`
    parameter. Anything that is not a non-negative integer means "nothing yet"."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


# The protocol finder's answers, turned into a race (docs/transport-race.md says why).
FINDER_RATES = {"rare": 0.5, "steady": 2, "high": 20}
FINDER_SIZES = {"small": 256, "bulk": 4096}
FINDER_POLL_MS = {"minutes": 2000, "seconds": 1000, "subsecond": 500, "realtime": 250}


def finder_preset(answers, pick):
    """The race's form values for a finder result: {"rate", "size", "interval",
    "highlight"}, or None when the finder's pick is not one of the race's lanes."""
    if pick not in LANES:
        return None
    return {
        "rate": FINDER_RATES.get(answers.get("rate"), 2),
        "size": FINDER_SIZES.get(answers.get("size"), 256),
        "interval": FINDER_POLL_MS.get(answers.get("freshness"), 1000),
        "highlight": pick,
    }
