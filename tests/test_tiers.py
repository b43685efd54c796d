"""Every test is filed in one tier from what it uses (tests/tiers.py), and a test filed in
a fast tier cannot start a server: `make check` stays fast, and nothing is mis-filed."""

import pytest

from tests import servers
from tests.servers import ServerOutsideItsTier, ServerProcess, server_env
from tests.services import RedisServer
from tests.tiers import TIERS, TierError, tier_of

# What every test asks for through pytest-django's and pytest-asyncio's autouse fixtures.
AUTOUSE = {
    "_dj_autoclear_mailbox",
    "_django_clear_site_cache",
    "_django_db_marker",
    "_django_set_urlconf",
    "_django_setup_unittest",
    "django_db_blocker",
    "django_test_environment",
    "event_loop_policy",
    "request",
}
A_MODULE = ("test_something.py",)


def test_a_test_that_only_has_the_autouse_fixtures_is_a_unit_test():
    assert tier_of(AUTOUSE, A_MODULE) == "unit"


@pytest.mark.parametrize("fixture", ["db", "transactional_db", "django_db_setup", "admin_client"])
def test_a_database_fixture_files_a_test_under_db(fixture):
    assert tier_of(AUTOUSE | {fixture}, A_MODULE) == "db"


def test_the_django_db_marker_files_a_test_under_db():
    assert tier_of(AUTOUSE, A_MODULE, uses_database_marker=True) == "db"


@pytest.mark.parametrize(
    "fixtures",
    [
        {"served", "live_database", "static_root"},
        {"start_server", "live_database"},
        {"private_redis", "tmp_path"},
        {"private_postgres"},
    ],
)
def test_a_server_process_files_a_test_under_server(fixtures):
    assert tier_of(AUTOUSE | fixtures | {"db"}, A_MODULE) == "server"


def test_the_web_quality_tools_file_a_test_under_quality():
    fixtures = {"crawled_site", "served", "live_database", "quality_tools"}
    assert tier_of(AUTOUSE | fixtures, A_MODULE) == "quality"


def test_a_test_in_the_browser_folder_is_a_browser_test_whatever_it_uses():
    assert tier_of(AUTOUSE, ("browser", "test_something.py")) == "browser"


def test_the_browser_page_files_a_test_under_browser_anywhere():
    assert tier_of(AUTOUSE | {"page", "browser", "served", "live_database"}, A_MODULE) == "browser"


def test_a_written_tier_may_raise_a_tests_tier():
    assert tier_of(AUTOUSE, A_MODULE, written=["parametrize", "server"]) == "server"


def test_a_written_tier_below_what_the_test_uses_is_an_error_naming_both():
    with pytest.raises(TierError, match="marked 'unit' but it needs 'server'"):
        tier_of(AUTOUSE | {"served", "live_database"}, A_MODULE, written=["unit"])


def test_a_fast_test_that_starts_a_server_process_fails_before_starting_it():
    server = ServerProcess("serve", server_env("unused.sqlite3"))
    with pytest.raises(ServerOutsideItsTier, match="a 'unit' test may not start serve"):
        server.start()
    assert server.process is None


def test_a_fast_test_that_starts_a_private_redis_fails_before_starting_it(tmp_path):
    redis = RedisServer(tmp_path)
    with pytest.raises(ServerOutsideItsTier, match="may not start redis-server"):
        redis.start()
    assert redis.process is None


def test_this_test_runs_in_the_tier_it_was_filed_in(request):
    assert request.node.get_closest_marker("unit") is not None
    assert servers.running_tier == "unit"


def test_every_selected_test_is_in_exactly_one_tier(request):
    for item in request.session.items:
        filed = [tier for tier in TIERS if item.get_closest_marker(tier)]
        assert len(filed) == 1, f"{item.nodeid}: {filed}"


class AnItem:
    """What `require_serialized_rollback` reads of a collected test."""

    nodeid = "tests/test_something.py::test_it"

    def __init__(self, **django_db):
        self.marker = pytest.mark.django_db(**django_db).mark

    def get_closest_marker(self, name):
        return self.marker if name == "django_db" else None


def test_a_transactional_test_without_serialized_rollback_is_refused_at_collection():
    from tests.conftest import require_serialized_rollback

    with pytest.raises(pytest.UsageError, match="serialized_rollback=True"):
        require_serialized_rollback(AnItem(transaction=True))


def test_a_transactional_test_with_serialized_rollback_is_collected():
    from tests.conftest import require_serialized_rollback

    require_serialized_rollback(AnItem(transaction=True, serialized_rollback=True))
    require_serialized_rollback(AnItem())
