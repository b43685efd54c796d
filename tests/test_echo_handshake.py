"""The handshake mirror's message, built in plain Python (echo/handshake.py)."""

import pytest

from echo.handshake import accept_computation, key_problem, parse_response_head, redact


def test_the_rfc_example_key_gives_the_rfcs_accept_value():
    computed = accept_computation("dGhlIHNhbXBsZSBub25jZQ==")
    assert computed["accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert computed["key_valid"] is True


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "No Sec-WebSocket-Key header."),
        ("not base64!", "Not base64: RFC 6455 4.2.1 asks for a base64-encoded 16-byte value."),
        ("AAAAAAAAAAAAAAAAAAAAAAA=", "Decodes to 17 bytes: RFC 6455 4.2.1 asks for 16."),
    ],
)
def test_a_key_that_is_not_base64_of_16_bytes_is_explained(key, problem):
    assert key_problem(key) == problem


def test_a_missing_key_still_shows_the_computation_as_invalid():
    computed = accept_computation(None)
    assert computed["key"] == ""
    assert computed["key_valid"] is False


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Cookie", "a=1; b=two=2", "a=[redacted]; b=[redacted]"),
        ("authorization", "Bearer abc.def", "Bearer [redacted]"),
        ("Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic [redacted]"),
        ("Origin", "https://example.test", "https://example.test"),
    ],
)
def test_cookies_and_credentials_are_redacted_and_other_headers_kept(name, value, shown):
    assert redact(name, value) == shown


def test_a_response_head_is_read_in_order():
    head = (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nSec-WebSocket-Accept: x=\r\n\r\n"
    )
    assert parse_response_head(head) == {
        "status": 101,
        "headers": [("Upgrade", "WebSocket"), ("Sec-WebSocket-Accept", "x=")],
    }
