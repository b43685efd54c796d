import pytest

from tests.browser.echo_tester import connect, open_tester


@pytest.fixture
def tester(served, page):
    """The echo tester, open and connected to this site's echo service."""
    open_tester(page, served)
    connect(page)
    return page
