"""The rules of a guide's live example, in plain Python (no Django): the StreamField
block shows them as errors beside its fields, the Markdown mapping refuses a file that
breaks them. They are the echo service's own rules, so a preset never fails to connect."""

from echo.limits import TOKEN, is_valid_room_name

ENDPOINTS = [
    ("echo", "Echo: /ws/echo/ answers each message"),
    ("room", "Room: two sockets in /ws/room/NAME/, one sends, one receives"),
    ("inspect", "Handshake mirror: /ws/inspect/ shows the handshake, then echoes"),
]
ENDPOINT_VALUES = tuple(value for value, _ in ENDPOINTS)
MAX_REASON_BYTES = 123  # RFC 6455 5.5: a control frame's payload is at most 125 bytes


def split_protocols(text):
    """'chat, superchat' -> ['chat', 'superchat']."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def is_valid_close_code(code):
    """The codes a browser's close() may send: 1000, or 3000-4999 (WHATWG WebSockets)."""
    return code == 1000 or 3000 <= code <= 4999


def problems(value):
    """{field: message} for a live example's settings; empty when it can run.
    `value` has endpoint, room, protocols, messages, close_code and close_reason."""
    errors = {}
    endpoint = value.get("endpoint")
    room = (value.get("room") or "").strip()
    if endpoint not in ENDPOINT_VALUES:
        errors["endpoint"] = f"Choose one of: {', '.join(ENDPOINT_VALUES)}."
    if endpoint == "room" and not is_valid_room_name(room):
        errors["room"] = "Room names are 1 to 64 letters, digits, hyphens (-) and underscores (_)."
    elif endpoint != "room" and room:
        errors["room"] = "Only the room endpoint takes a room name."
    for name in split_protocols(value.get("protocols")):
        if not TOKEN.fullmatch(name):
            errors["protocols"] = (
                f"“{name}” is not a valid subprotocol name: no spaces, quotes or separators."
            )
            break
    messages = [message for message in value.get("messages") or () if message]
    if endpoint in ("echo", "room") and not messages:
        errors["messages"] = "Give at least one message to send."
    code, reason = value.get("close_code"), value.get("close_reason") or ""
    if code is not None and not is_valid_close_code(code):
        errors["close_code"] = "Browsers may close with 1000 or a code from 3000 to 4999."
    if reason and code is None:
        errors["close_reason"] = "A reason is sent with a close code: give the code too."
    elif len(reason.encode("utf-8")) > MAX_REASON_BYTES:
        errors["close_reason"] = (
            f"The reason is {len(reason.encode('utf-8'))} bytes long; "
            f"the limit is {MAX_REASON_BYTES} bytes of UTF-8."
        )
    return errors
