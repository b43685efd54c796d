"""Plain factories for the protocol finder's tests."""

from urllib.parse import urlencode

DEFAULTS = {
    "direction": "server_to_client",
    "freshness": "seconds",
    "rate": "steady",
    "payload": "text",
    "size": "small",
    "lifetime": "session",
    "clients": ("browser",),
    "delivery": "every",
    "audience": "personal",
    "scale": "medium",
    "limits": (),
    "existing": (),
}


def make_answers(**overrides):
    """A complete, valid set of answers; tick-all answers are given as tuples."""
    answers = {**DEFAULTS, **overrides}
    return {
        key: frozenset(value) if isinstance(value, tuple | list) else value
        for key, value in answers.items()
    }


def make_query(**overrides):
    """The finder's query string for these answers, as the form would submit it."""
    pairs = []
    for key, value in {**DEFAULTS, **overrides}.items():
        if isinstance(value, tuple | list | frozenset):
            pairs.extend((key, item) for item in sorted(value))
        else:
            pairs.append((key, value))
    return urlencode(pairs)
