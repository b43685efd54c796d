"""The development log format: one line per event, its fields as key=value."""

import logging

from website.logging import PlainFormatter


def a_record(message="websocket closed", **fields):
    record = logging.LogRecord("echo", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(fields)
    return record


def test_plain_lines_end_with_the_event_fields():
    line = PlainFormatter("%(levelname)s %(name)s %(message)s").format(
        a_record(client="192.0.2.1", code=1009, duration=0.25)
    )
    assert line == "INFO echo websocket closed client=192.0.2.1 code=1009 duration=0.25"


def test_a_field_with_spaces_is_quoted_so_the_line_splits_into_its_fields():
    line = PlainFormatter("%(message)s").format(a_record(reason="Idle for 300 seconds."))
    assert line == 'websocket closed reason="Idle for 300 seconds."'


def test_a_line_without_fields_is_the_message_alone():
    assert PlainFormatter("%(message)s").format(a_record("Listening")) == "Listening"
