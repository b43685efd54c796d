import json
import logging

import pytest
from django.db import OperationalError

from website import health
from website.logging import JsonFormatter


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django fails the test if the view queries the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_readyz_names_the_database_when_it_is_down(client, db, monkeypatch):
    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "down: OperationalError"
    assert response.json()["redis"] == "ok"


def test_readyz_names_redis_when_it_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    health._redis = None
    try:
        response = client.get("/readyz")
    finally:
        health._redis = None
    assert response.status_code == 503
    assert response.json()["redis"].startswith("down: ")


def test_a_database_outage_shows_a_friendly_503_page(client, db, monkeypatch):
    from wagtail.models import Site

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Site, "find_for_request", refuse)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content


def test_json_log_lines_carry_the_event_fields_given_as_extra():
    record = logging.LogRecord("echo", logging.INFO, __file__, 1, "closed", None, None)
    record.event, record.code = "close", 1009
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "closed"
    assert line["event"] == "close"
    assert line["code"] == 1009
    assert line["level"] == "INFO"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_are_never_cached(client, db, path):
    assert "no-cache" in client.get(path)["Cache-Control"]
