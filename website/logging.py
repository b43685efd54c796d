"""Log lines with fields: one JSON object per line for log shippers (production), or a
plain line ending in `key=value` pairs for a terminal (development).

Events carry their data as fields given with `extra=` (`client`, `code`, `reason`,
`duration`...), not inside the message, so both formats show the same facts. Message
contents never reach a log: consumers log what happened to a connection, not what it carried.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else came from `extra=` and is logged.
# uvicorn's `color_message` repeats the message with terminal colours.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def fields(record):
    """The fields a record was given with `extra=`."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class PlainFormatter(logging.Formatter):
    """`LEVEL logger message key=value ...`; a value with spaces or quotes is quoted."""

    def formatMessage(self, record):
        pairs = [f"{key}={_plain(value)}" for key, value in fields(record).items()]
        return " ".join([super().formatMessage(record), *pairs])


def _plain(value):
    text = str(value)
    if not text or any(char in text for char in " \"'=\n"):
        return json.dumps(text)
    return text
