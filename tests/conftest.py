import asyncio
import contextlib
import os
import secrets
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests import postgres, servers, tiers
from tests.servers import (
    MACHINE_REDIS,
    ServerProcess,
    machine_redis_is_up,
    manage,
    prepare_database,
    server_env,
)
from tests.services import PG_BIN, REDIS_SERVER, PostgresCluster, RedisServer

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
TESTS = Path(__file__).resolve().parent
TIER = pytest.StashKey[str]()

# Hypothesis: the properties' full count in `make test` and any plain run; `make check`
# sets HYPOTHESIS_PROFILE=check for a quarter of it (docs/testing.md). Loaded here, before
# the test modules whose settings build on it.
hypothesis_settings.register_profile("check", max_examples=25)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Playwright's sync API runs an event loop in this thread; the ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    for tier in tiers.TIERS:
        config.addinivalue_line("markers", f"{tier}: {tiers.DESCRIPTIONS[tier]}")


def pytest_collection_modifyitems(config, items):
    """Files every test in its tier, from the fixtures it asks for (tests/tiers.py)."""
    for item in items:
        written = [marker.name for marker in item.iter_markers()]
        try:
            tier = tiers.tier_of(
                item.fixturenames,
                item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else (),
                uses_database_marker="django_db" in written,
                written=written,
            )
        except tiers.TierError as error:
            raise pytest.UsageError(f"{item.nodeid}: {error}") from None
        item.stash[TIER] = tier
        if tier not in written:
            item.add_marker(tier)
        if require_serialized_rollback(item):
            # Set up first, so that it is torn down last: after the flush.
            item.fixturenames.insert(0, "migrated_rows_restored")


def require_serialized_rollback(item):
    """True for a transactional test, which must ask for serialized_rollback: the
    migrations' rows (the page tree, content types, groups) are then put back before it
    runs, and again after it (migrated_rows_restored), for whichever test comes next."""
    marker = item.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return False
    if not marker.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(
            f"{item.nodeid}: a transaction=True test needs serialized_rollback=True as well"
        )
    return True


@pytest.fixture
def migrated_rows_restored(django_db_blocker):
    """Django flushes every table after a transactional test and puts the migrations' rows
    back only before the next transactional one; pytest-django runs those last, but with
    xdist's worksteal a worker can take ordinary tests from another after them. So the
    rows are put back as soon as the flush is done."""
    from django.db import connections

    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Lets tests/servers.py refuse a server to a test whose tier promises none."""
    servers.running_tier = item.stash.get(TIER, None)
    try:
        return (yield)
    finally:
        servers.running_tier = None


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
def start_server(request, live_database, static_root, live_server_logs):
    """Starts more server processes for one test module, with environment overrides:
    `start_server("serve", ECHO_IDLE_TIMEOUT="1")`. All are stopped after the module."""
    module_name = request.module.__name__.rpartition(".")[2]
    started = []

    def start(kind, port=None, **env):
        """Each server logs to a file of its own (`server.log()`), named after the module."""
        extra = {"STATIC_ROOT": str(static_root), **env}
        if kind == "runserver":
            extra.setdefault("DJANGO_DEBUG", "1")
        server = ServerProcess(
            kind,
            server_env(live_database, **extra),
            port=port,
            log_path=live_server_logs / f"{module_name}-{kind}-{len(started)}.log",
        )
        started.append(server)
        return server.start()

    start.servers = started  # for the log in failure reports
    yield start
    for server in started:
        server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test that used a server process shows the end of that server's log: the
    traceback behind an error page is written there, in pytest's temporary folder."""
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            started = getattr(value, "servers", None)  # start_server's
            for server in [value, *(started if isinstance(started, list) else [])]:
                if (
                    isinstance(server, ServerProcess)
                    and server.log_path
                    and server.log_path.exists()
                ):
                    report.sections.append(
                        (f"{server.kind} log, last lines ({server.log_path})", server.log_tail())
                    )
    return report


class LoopClock:
    """The running event loop's clock, wound forward by the test instead of waited for.

    The echo consumers read the time and set their idle timers on the loop
    (`loop.time()`, `loop.call_later`), so a test of a rate or an idle timeout winds
    this clock past the moment that matters and no real second passes. Real time still
    runs underneath, so the communicator's own timeouts work as usual."""

    def __init__(self, loop):
        self.loop = loop
        self.real_time = loop.time
        self.wound = 0.0

    def time(self):
        return self.real_time() + self.wound

    async def advance(self, seconds):
        """Winds the clock on; timers that fell due run at the loop's next turn."""
        self.wound += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def loop_clock():
    loop = asyncio.get_running_loop()
    clock = LoopClock(loop)
    loop.time = clock.time
    yield clock
    del loop.time


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own, on its own port, for tests that stop and start it."""
    require(REDIS_SERVER, "redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres():
    """A PostgreSQL cluster of the test's own, for tests that stop and start it."""
    require(PG_BIN, "PostgreSQL server binaries are not installed")
    cluster = PostgresCluster().init().start()
    yield cluster
    cluster.stop()
    cluster.remove()


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


@pytest.fixture
def kept_across_requests(settings):
    """This process keeps the Site and the site settings across requests, as a server with
    REDIS_URL does (website/process_cache.py): the machine's Redis carries invalidations
    on a channel of the test's own. For transactional tests, whose changes commit and are
    published (nothing read inside a transaction is kept)."""
    from pagecache import runtime
    from website import process_cache

    require(machine_redis_is_up(), "the machine's Redis is not reachable at 127.0.0.1:6379")
    settings.REDIS_URL = MACHINE_REDIS
    settings.RESPONSE_CACHE_CHANNEL = f"wsref-test-{secrets.token_hex(6)}:response-cache"
    runtime.store.cache_clear()
    runtime.bus.cache_clear()
    process_cache._kept.clear()
    bus = runtime.bus()
    bus.start()
    assert bus.subscribed.wait(5)
    yield bus
    bus.stop()
    runtime.store.cache_clear()
    runtime.bus.cache_clear()
    process_cache._kept.clear()


@pytest.fixture
def library(db):
    """The home page, /guides/ and its sections, all published."""
    from tests.guides_factories import make_library

    return make_library()


@pytest.fixture
def moderator(db):
    """An editor who may publish: a user in Wagtail's Moderators group."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("mo", "mo@example.com", "pw")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


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
async def races(monkeypatch):
    """Races of this process start from an empty cache; their sources are stopped after.
    They may be as short as a second and start 0.2 s after they are created (a visitor's
    last at least two and start after one), so a test that reads a race to its end waits
    about a second, not three."""
    from django.core.cache import cache

    from race import rules, source, store

    monkeypatch.setattr(rules, "MIN_SECONDS", 1)
    monkeypatch.setattr(store, "LEAD_SECONDS", 0.2)
    await cache.aclear()
    yield
    for task in list(source.running):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
def limits(settings):
    """Small limits, so tests reach them quickly."""
    settings.ECHO_MAX_MESSAGE_BYTES = 16
    settings.ECHO_RATE_PER_SECOND = 5
    settings.ECHO_RATE_BURST = 3
    settings.ECHO_IDLE_TIMEOUT = 0.3
    settings.ECHO_MAX_CONNECTIONS_PER_ADDRESS = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    return settings
