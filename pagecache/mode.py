"""Whether this server process may cache pages, and the start-up line that says why.

A cached page is only as fresh as the invalidations its process hears. With REDIS_URL
every process hears every change. Without it a process hears only its own changes, so
the cache may run only where this process is the only server: `manage.py serve` says
how many processes it starts; a second server started by hand on the same database
cannot be seen from here, and the start-up line warns of exactly that. Plain Python.
"""

import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    on: bool
    reason: str
    level: int = logging.INFO  # WARNING where pages could go stale or speed is given up

    @property
    def event(self):
        return "response_cache_on" if self.on else "response_cache_off"


def decide(*, debug, enabled, redis_url, server_processes, max_age, channel):
    """The Mode for a process; `server_processes` is how many processes `manage.py
    serve` started (None when something else started this one)."""
    if debug:
        return Mode(False, "response cache off: DEBUG is on, so template edits show at once")
    if not enabled:
        return Mode(False, "response cache off: RESPONSE_CACHE=0")
    if redis_url:
        return Mode(
            True,
            f"response cache on: invalidations reach every server process through Redis "
            f"(channel {channel})",
        )
    if server_processes is None:
        return Mode(
            False,
            "response cache off: no REDIS_URL to carry invalidations between server "
            "processes, and this process was not started by manage.py serve, so it cannot "
            "tell whether it is the only one. Set REDIS_URL to cache pages",
            logging.WARNING,
        )
    if server_processes > 1:
        return Mode(
            False,
            f"response cache off: {server_processes} server processes and no REDIS_URL to "
            f"carry invalidations between them (a page cached in one would stay stale after "
            f"a change made in another). Set REDIS_URL to cache pages",
            logging.WARNING,
        )
    return Mode(
        True,
        f"response cache on, for this process only: there is no REDIS_URL, so a change made "
        f"by another process on this database (a second server, a manage.py command) shows "
        f"here only after RESPONSE_CACHE_MAX_AGE ({max_age} s). Run no other server on this "
        f"database, or set REDIS_URL",
        logging.WARNING,
    )
