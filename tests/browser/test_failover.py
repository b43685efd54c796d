"""The echo tester behind nginx: a server process going away is a reconnect, not an outage."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import require
from tests.servers import ServerProcess, server_env
from tests.services import NGINX, Nginx

pytestmark = pytest.mark.browser


@pytest.fixture
def pair_behind_nginx(live_database, static_root, live_server_logs, tmp_path):
    """nginx over two server processes, of which only the first is running yet."""
    require(NGINX, "nginx is not installed (apt-get install nginx-light)")
    env = server_env(live_database, STATIC_ROOT=str(static_root))
    first, second = (
        ServerProcess("serve", env, log_path=live_server_logs / f"failover-{n}.log") for n in (1, 2)
    )
    first.start()
    proxy = Nginx(tmp_path / "nginx", [first.port, second.port], static_root).start()
    yield proxy, first, second
    proxy.stop()
    first.stop()
    second.stop()


def test_the_testers_auto_reconnect_lands_on_the_other_process_through_nginx(
    pair_behind_nginx, page
):
    proxy, first, second = pair_behind_nginx
    page.goto(proxy.http_url + "/echo/")
    expect(page.locator(".echo[data-ready=true]")).to_have_count(1)
    page.get_by_label("Reconnect automatically").check()
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#state")).to_have_text("Open", timeout=15_000)  # on the first process

    second.start()
    first.stop()  # SIGTERM: the first process closes its sockets with 1001 and exits

    going_away = page.locator("#log .entry--event").filter(has_text="1001")
    expect(going_away.first).to_be_visible(timeout=15_000)
    expect(page.locator("#state")).to_have_text(re.compile("Reconnecting|Open"))
    expect(page.locator("#state")).to_have_text("Open", timeout=30_000)  # on the second
    page.locator("#message").fill("served by the second process")
    page.get_by_role("button", name="Send", exact=True).click()
    echoed = page.locator("#log .entry--in .entry__body")
    expect(echoed.first).to_have_text("served by the second process")
