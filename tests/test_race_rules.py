"""The transport race's rules: what a visitor may ask for, and how events are framed."""

import json

import pytest

from race.rules import (
    Limits,
    Spec,
    event_json,
    finder_preset,
    parse_last_event_id,
    parse_spec,
    sse_frame,
)

LIMITS = Limits(max_rate=20, max_bytes=4096, max_seconds=60)


def test_a_race_within_the_limits_is_accepted():
    spec, errors = parse_spec({"rate": "2.5", "size": 512, "duration": "10"}, LIMITS)
    assert (spec, errors) == (Spec(rate=2.5, size=512, duration=10), {})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rate", 21),
        ("rate", 0),
        ("rate", "nan"),
        ("rate", "fast"),
        ("size", 4097),
        ("size", 10.5),
        ("duration", 61),
        ("duration", None),
        ("duration", True),
    ],
)
def test_a_value_beyond_the_limits_is_refused_with_the_range(field, value):
    data = {"rate": 2, "size": 256, "duration": 10, field: value}
    spec, errors = parse_spec(data, LIMITS)
    assert spec is None
    assert list(errors) == [field]
    assert "from" in errors[field]


def test_every_wrong_field_is_named_at_once():
    _, errors = parse_spec({"rate": 100, "size": 1, "duration": 600}, LIMITS)
    assert set(errors) == {"rate", "size", "duration"}


def test_a_race_sends_rate_times_duration_events():
    assert Spec(rate=20, size=64, duration=60).total == 1200
    assert Spec(rate=0.2, size=64, duration=2).total == 1


@pytest.mark.parametrize("size", [64, 100, 1000, 4096])
def test_an_event_is_json_of_exactly_the_size_asked(size):
    text = event_json(1234, 1_765_000_000_123.456, size)
    assert len(text.encode()) == size
    event = json.loads(text)
    assert (event["seq"], event["sent"]) == (1234, 1_765_000_000_123.456)


def test_an_sse_frame_carries_the_sequence_number_as_its_id():
    assert sse_frame(7, '{"seq":7}') == 'id: 7\ndata: {"seq":7}\n\n'


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), (" 3 ", 3), (None, 0), ("", 0), ("-4", 0), ("x", 0)]
)
def test_last_event_id_is_a_non_negative_sequence_number(value, expected):
    assert parse_last_event_id(value) == expected


def test_a_finder_result_for_a_lane_gives_its_rate_size_and_highlight():
    answers = {"rate": "rare", "size": "small", "freshness": "seconds"}
    assert finder_preset(answers, "sse") == {
        "rate": 0.5,
        "size": 256,
        "interval": 1000,
        "highlight": "sse",
    }


def test_a_finder_pick_that_is_not_a_lane_has_no_preset():
    assert finder_preset({"rate": "high"}, "mqtt") is None
