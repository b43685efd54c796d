"""The opening handshake as a server received and answered it, in plain Python: the
handshake mirror's message (`/ws/inspect/`, docs/protocol-lab.md). No Django, no I/O.

- `accept_computation(key)`: RFC 6455 4.2.2's Sec-WebSocket-Accept, step by step, and
  whether the key is one a server may accept (4.2.1: base64 of 16 bytes).
- `describe(...)`: the whole message, with cookies and credentials reduced to what they
  are, and the headers a trusted proxy added marked as such.
"""

import base64
import binascii
import hashlib

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# Headers a reverse proxy adds; believed (and marked) only when the peer is a trusted one.
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-proto", "x-real-ip", "forwarded", "via")
NOT_VISIBLE = "negotiated by the server: not visible to the application"
REDACTED = "[redacted]"


def key_problem(key):
    """Why `key` is not a valid Sec-WebSocket-Key, or None when it is."""
    if key is None:
        return "No Sec-WebSocket-Key header."
    try:
        nonce = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return "Not base64: RFC 6455 4.2.1 asks for a base64-encoded 16-byte value."
    if len(nonce) != 16:
        return f"Decodes to {len(nonce)} bytes: RFC 6455 4.2.1 asks for 16."
    return None


def accept_computation(key):
    """Sec-WebSocket-Accept for `key`: key + GUID, SHA-1, base64, each step shown."""
    key = key or ""
    concatenated = key + GUID
    digest = hashlib.sha1(concatenated.encode("latin-1"), usedforsecurity=False).digest()
    problem = key_problem(key or None)
    return {
        "key": key,
        "guid": GUID,
        "concatenated": concatenated,
        "sha1_hex": digest.hex(),
        "accept": base64.b64encode(digest).decode("ascii"),
        "key_valid": problem is None,
        "key_problem": problem,
    }


def redact(name, value):
    """A header value fit to show: cookies become their names, credentials their scheme."""
    lowered = name.lower()
    if lowered == "cookie":
        names = [pair.split("=", 1)[0].strip() for pair in value.split(";")]
        return "; ".join(f"{cookie}={REDACTED}" for cookie in names if cookie)
    if lowered in ("authorization", "proxy-authorization"):
        scheme = value.strip().split(" ", 1)[0]
        return f"{scheme} {REDACTED}" if scheme else REDACTED
    return value


def header_value(headers, name):
    """The first value of header `name` (any case) in (name, value) pairs, or None."""
    name = name.lower()
    return next((value for header, value in headers if header.lower() == name), None)


def comma_list(value):
    return [item.strip() for item in value.split(",") if item.strip()] if value else []


def parse_response_head(text):
    """`{"status", "headers"}` of an HTTP response head as sent ("HTTP/1.1 101 ...")."""
    status_line, *lines = text.split("\r\n")
    headers = []
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return {"status": int(status_line.split()[1]), "headers": headers}


def describe(
    *,
    raw_path,
    query_string,
    http_version,
    headers,
    client,
    peer_is_trusted_proxy,
    offered_subprotocols,
    subprotocol,
    response=None,
):
    """The handshake mirror's message.

    `headers` are the request's (name, value) byte pairs as the ASGI scope has them, in
    order, and `offered_subprotocols` the server's reading of them. `response` is what
    the server sent, `{"status": 101, "headers": [(name, value), ...]}` as strings, when
    the server lets the application see it (our two servers do); without it, the
    subprotocol is the one the application chose and the extensions are unknown.
    """
    request_headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
    target = raw_path.decode("latin-1") + (
        f"?{query_string.decode('latin-1')}" if query_string else ""
    )
    from_proxy = []
    if peer_is_trusted_proxy:
        from_proxy = [name for name, _ in request_headers if name.lower() in PROXY_HEADERS]
    accept = accept_computation(header_value(request_headers, "sec-websocket-key"))
    answer = {"status": 101, "accept": accept, "subprotocol": subprotocol}
    if response is None:
        accept["sent"] = None
        answer["extensions"] = None
        answer["extensions_note"] = NOT_VISIBLE
    else:
        sent = response["headers"]
        accept["sent"] = header_value(sent, "sec-websocket-accept")
        answer["status"] = response["status"]
        answer["subprotocol"] = header_value(sent, "sec-websocket-protocol")
        answer["extensions"] = comma_list(header_value(sent, "sec-websocket-extensions"))
        answer["headers"] = [list(pair) for pair in sent]
    return {
        "type": "handshake",
        "request": {
            "method": "GET",
            "target": target,
            "http_version": http_version,
            "line": f"GET {target} HTTP/{http_version}",
            "headers": [[name, redact(name, value)] for name, value in request_headers],
            "client": client,
            "from_proxy": from_proxy,
            "offered": {
                "origin": header_value(request_headers, "origin"),
                "version": header_value(request_headers, "sec-websocket-version"),
                "subprotocols": list(offered_subprotocols),
                "extensions": comma_list(header_value(request_headers, "sec-websocket-extensions")),
            },
        },
        "response": answer,
        "then": "echo",
    }
