"""Which tier a test belongs to, from what it uses: the costliest thing it needs.

tests/conftest.py marks every collected test with its tier, so a test another engineer
adds is classified by the fixtures it asks for, with nothing to remember. `make check`
runs the `unit` and `db` tiers; `make test` runs all, and its PostgreSQL pass the tiers
that touch the database (docs/testing.md).

A tier marker written on a test may raise its tier (for a cost no fixture shows) but
never lower it: a test marked `unit` that asks for a server is a collection error.
"""

# Cheapest first. Each test gets exactly one.
TIERS = ("unit", "db", "toolchain", "server", "quality", "browser")

DESCRIPTIONS = {
    "unit": "plain Python: no database, no subprocess server, no browser",
    "db": "the Django test database (SQLite, or PostgreSQL in the second pass)",
    "toolchain": "another language's parser or compiler on the guides' samples (node, gofmt, "
    "rustfmt, javac, go, protoc): written on the test, no fixture shows it",
    "server": "a server subprocess: runserver, `manage.py serve`, or a private "
    "Redis, PostgreSQL or nginx",
    "quality": "the web quality tools (the Nu HTML Checker on Java, axe-core) on a served site",
    "browser": "Debian's Chromium through Playwright",
}

# pytest-django's database fixtures. Not `django_db_blocker`: an autouse fixture of
# pytest-django asks for it, so every test has it.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "admin_user",
        "admin_client",
        "django_user_model",
    }
)
# Every server process starts from one of these: the served site's database
# (`served`, `runserver`, `start_server`, `static_root`, `crawled_site`, `editor` all
# ask for it), or a private Redis or PostgreSQL a fault test stops and starts.
SERVER_FIXTURES = frozenset({"live_database", "private_redis", "private_postgres"})
QUALITY_FIXTURES = frozenset({"quality_tools"})
BROWSER_FIXTURES = frozenset({"browser", "page"})
BROWSER_FOLDER = "browser"


class TierError(Exception):
    pass


def needed_tier(fixtures, path_parts, uses_database_marker):
    """The tier a test's fixtures, folder and `django_db` marker call for."""
    fixtures = set(fixtures)
    if BROWSER_FOLDER in path_parts or fixtures & BROWSER_FIXTURES:
        return "browser"
    if fixtures & QUALITY_FIXTURES:
        return "quality"
    if fixtures & SERVER_FIXTURES:
        return "server"
    if uses_database_marker or fixtures & DATABASE_FIXTURES:
        return "db"
    return "unit"


def tier_of(fixtures, path_parts, uses_database_marker=False, written=()):
    """The test's tier: the one it needs, or a costlier one written on it."""
    needed = needed_tier(fixtures, path_parts, uses_database_marker)
    written = [name for name in written if name in TIERS]
    if not written:
        return needed
    highest = max(written, key=TIERS.index)
    if TIERS.index(highest) < TIERS.index(needed):
        raise TierError(f"marked {highest!r} but it needs {needed!r} ({DESCRIPTIONS[needed]})")
    return highest


def costlier(tier, than):
    return TIERS.index(tier) > TIERS.index(than)
