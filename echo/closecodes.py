"""WebSocket close codes: the IANA registry's entries (RFC 6455 section 7.4 and later),
with what each means to someone reading a close event.

The tester page renders this table and its script reads the meanings from the page, so
the words live in one place. So do the troubleshooting guides a close links to.
"""

NORMAL = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
NO_STATUS = 1005
ABNORMAL = 1006
INVALID_PAYLOAD = 1007
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
MANDATORY_EXTENSION = 1010
INTERNAL_ERROR = 1011
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013
BAD_GATEWAY = 1014
TLS_HANDSHAKE = 1015

REGISTRY = {
    NORMAL: ("Normal closure", "The purpose of the connection was fulfilled."),
    GOING_AWAY: (
        "Going away",
        "An endpoint is leaving: a server shutting down, a page navigated away, or an idle "
        "timeout.",
    ),
    PROTOCOL_ERROR: ("Protocol error", "An endpoint received a frame that breaks RFC 6455."),
    UNSUPPORTED_DATA: (
        "Unsupported data",
        "An endpoint received a type of data it cannot accept (e.g. binary where only text "
        "is understood).",
    ),
    NO_STATUS: (
        "No status received",
        "The close frame carried no code. Never sent on the wire; reported by the API.",
    ),
    ABNORMAL: (
        "Abnormal closure",
        "The connection dropped without a close frame: network failure, refused handshake "
        "or a crashed peer. Never sent on the wire.",
    ),
    INVALID_PAYLOAD: (
        "Invalid frame payload data",
        "A message's data did not match its type, e.g. a text message that is not valid UTF-8.",
    ),
    POLICY_VIOLATION: (
        "Policy violation",
        "A message broke the endpoint's policy, e.g. a rate limit. Used when no more "
        "specific code fits.",
    ),
    MESSAGE_TOO_BIG: ("Message too big", "A message was larger than the endpoint accepts."),
    MANDATORY_EXTENSION: (
        "Mandatory extension",
        "The client expected the server to negotiate an extension it did not.",
    ),
    INTERNAL_ERROR: (
        "Internal error",
        "The server met an unexpected condition that kept it from fulfilling the request.",
    ),
    SERVICE_RESTART: ("Service restart", "The server is restarting: reconnect shortly."),
    TRY_AGAIN_LATER: (
        "Try again later",
        "The server is overloaded or temporarily unable: reconnect after a pause.",
    ),
    BAD_GATEWAY: (
        "Bad gateway",
        "A gateway or proxy received an invalid response from the server behind it.",
    ),
    TLS_HANDSHAKE: (
        "TLS handshake failure",
        "The TLS handshake failed (e.g. the certificate could not be verified). Never sent "
        "on the wire.",
    ),
}


# The close codes a troubleshooting guide answers: code → the slug of its guide,
# guides/content/troubleshooting/<slug>.md. The tester links a close with one of these
# codes to its guide, in the table and when a connection closes with it.
TROUBLESHOOTING = {
    # A refused or failed connection: the browser reports it as 1006.
    ABNORMAL: "websocket-closed-with-1006",
    # An idle timeout (this echo service's own among them) or a server going away.
    GOING_AWAY: "disconnects-after-idle-seconds",
    TLS_HANDSHAKE: "connection-refused-and-tls-errors",
}
TROUBLESHOOTING_SECTION = "/guides/troubleshooting/"


def troubleshooting_url(code):
    """The path of the troubleshooting guide for a close code, or None if none answers it."""
    slug = TROUBLESHOOTING.get(code)
    return f"{TROUBLESHOOTING_SECTION}{slug}/" if slug else None


def describe(code):
    """(name, meaning) for any close code, including the ranges outside the registry."""
    if code in REGISTRY:
        return REGISTRY[code]
    if 3000 <= code <= 3999:
        return (
            "Registered code",
            "For libraries, frameworks and applications, registered with IANA.",
        )
    if 4000 <= code <= 4999:
        return ("Private use", "Defined by the application; its meaning is agreed privately.")
    if 1000 <= code <= 2999:
        return ("Reserved", "Reserved for the WebSocket protocol and its extensions.")
    return ("Invalid", "Not a valid close code.")


def can_be_sent_by_browser(code):
    """The codes a page may pass to WebSocket.close(): 1000 and 3000-4999."""
    return code == NORMAL or 3000 <= code <= 4999
