import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from tests import postgres
from tests.servers import ServerProcess, manage, prepare_database, server_env

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def require(available, reason):
    """Skip when a machine lacks a service; under CI=true a missing service fails the run."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_database(tmp_path_factory):
    """A database prepared like `make run` does, shared by the server processes: a SQLite
    file, or, when the suite runs on PostgreSQL, a database of its own on that server."""
    if postgres.in_use():
        url = postgres.create_database("wsref_live")
        prepare_database(server_env(url))
        yield url
        postgres.drop_database(url)
    else:
        path = tmp_path_factory.mktemp("live") / "db.sqlite3"
        prepare_database(server_env(path))
        yield path


@pytest.fixture(scope="session")
def live_server_logs(tmp_path_factory):
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def static_root(live_database, tmp_path_factory):
    """Static files collected as `make serve` does (DEBUG off needs the manifest)."""
    path = tmp_path_factory.mktemp("static")
    manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        env=server_env(live_database, STATIC_ROOT=str(path)),
    )
    return path


@pytest.fixture(scope="session")
def served(live_database, static_root, live_server_logs):
    """The production server process (`make serve`: `manage.py serve`, uvicorn, DEBUG off)."""
    env = server_env(live_database, STATIC_ROOT=str(static_root))
    server = ServerProcess("serve", env, log_path=live_server_logs / "serve.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def runserver(live_database, live_server_logs):
    """The development server (`make run`: Daphne's runserver)."""
    env = server_env(live_database, DJANGO_DEBUG="1")
    server = ServerProcess("runserver", env, log_path=live_server_logs / "runserver.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def start_server(live_database, static_root, live_server_logs):
    """Starts more server processes for one test module, with environment overrides:
    `start_server("serve", ECHO_IDLE_TIMEOUT="1")`. All are stopped after the module."""
    started = []

    def start(kind, port=None, **env):
        extra = {"STATIC_ROOT": str(static_root), **env}
        if kind == "runserver":
            extra.setdefault("DJANGO_DEBUG", "1")
        server = ServerProcess(
            kind,
            server_env(live_database, **extra),
            port=port,
            log_path=live_server_logs / f"{kind}-extra.log",
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


EDITOR = {"username": "editor", "password": "editor-password-for-tests-only"}


@pytest.fixture(scope="session")
def editor(live_database):
    """An editor in the live database: a user in Wagtail's Moderators group, who may
    edit and publish pages. Returns the credentials the admin's login form takes."""
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        f"user = User.objects.create_user({EDITOR['username']!r}, 'editor@example.com', "
        f"{EDITOR['password']!r})\n"
        "user.groups.add(Group.objects.get(name='Moderators'))\n",
        env=server_env(live_database),
    )
    return dict(EDITOR)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API holds an event loop while it
    runs, which would block the asyncio tests of other modules if it lived all session."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def page(browser, console_errors):
    """A fresh browser page; console errors and page errors are collected for assertions."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def finder_protocols(db):
    """The protocol finder's Protocol snippets, loaded as `make run` loads them."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_protocols", stdout=StringIO())


@pytest.fixture(scope="session")
def crawled_site(served):
    """Every page and asset reachable from the home page of `served`, and from the pages no
    link reaches (form results, error pages): fetched once for the web quality tests."""
    from tests.quality_tools import crawl, fetch

    site = crawl(served.http_url)
    site.sitemap = fetch(served.http_url + "/sitemap.xml")
    return site


@pytest.fixture(scope="session")
def quality_tools():
    """package.json's web quality tools (`npm ci` in `make test`) and the Java they need."""
    import shutil

    from tests.quality_tools import AXE_JS, VNU_JAR

    require(VNU_JAR.exists() and AXE_JS.exists(), "node_modules is missing: run npm ci")
    require(shutil.which("java"), "Java is not installed (the Nu HTML Checker needs it)")
    return {"vnu": VNU_JAR, "axe": AXE_JS}


@pytest.fixture
async def races():
    """Races of this process start from an empty cache; their sources are stopped after."""
    from django.core.cache import cache

    from race import source

    await cache.aclear()
    yield
    for task in list(source.running):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
