"""Deployment settings: refuse to start half-configured, and pass Django's deploy checks."""

import os
import subprocess
import sys

from tests.servers import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "website.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "websocket.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key_and_names_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Missing required environment variable DJANGO_SECRET_KEY" in result.stderr


def test_production_names_every_missing_variable():
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "website.settings.production"})
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "REDIS_URL" in result.stderr


def test_no_model_change_is_missing_a_migration():
    result = manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stdout
