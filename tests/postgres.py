"""The suite runs twice in CI: on SQLite, then with DATABASE_URL on PostgreSQL."""

import os
import secrets
import sys
from urllib.parse import urlsplit, urlunsplit

MACHINE_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def in_use():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection():
    import psycopg

    return psycopg.connect(_with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True)


def create_database(prefix):
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return _with_database(os.environ["DATABASE_URL"], name)


def drop_database(url):
    name = urlsplit(url).path.lstrip("/")
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reachable(url=MACHINE_POSTGRES):
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


if __name__ == "__main__":
    # `python -m tests.postgres`: exit 0 when the PostgreSQL run can go ahead.
    url = os.environ.get("TEST_POSTGRES_URL", MACHINE_POSTGRES)
    if reachable(url):
        sys.exit(0)
    message = f"PostgreSQL is not reachable at {url}"
    if os.environ.get("CI", "").lower() == "true":
        print(f"CI=true but {message}", file=sys.stderr)
        sys.exit(2)
    print(f"Skipping the PostgreSQL run: {message}", file=sys.stderr)
    sys.exit(1)
