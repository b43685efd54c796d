"""Fast, deterministic settings for the test suite."""

import os
from pathlib import Path

from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test process finds static files in the apps' folders. WhiteNoise scans STATIC_ROOT
# each time the test client builds the middleware (every test that asks for a client), and
# a checkout that has run `make serve` holds thousands of collected files there: 0.3 s a
# test, a fifth of `make check`. Server processes the tests start are given their own.
STATIC_ROOT = Path(os.environ["STATIC_ROOT"]) if "STATIC_ROOT" in os.environ else None

# The test process's own requests (the test client, consumers under test) close their
# database connections when they end. Kept, a connection that one test opened in asgiref's
# shared thread would be checked by the next test's request, which may be one that
# pytest-django forbids the database. Server processes the tests start use the
# development settings and keep theirs, as a deployment does (website/request_threads.py).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
