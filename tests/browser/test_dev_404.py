"""`make run`'s 404: Django's technical page, readable under the site's CSP."""

import pytest

pytestmark = pytest.mark.browser


def test_an_unknown_url_shows_djangos_styled_404_page_without_console_errors(runserver, page):
    url = runserver.http_url + "/no-such-guide/"
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message))
    response = page.goto(url)
    assert response.status == 404
    assert page.title() == "Page not found at /no-such-guide/"
    summary = page.locator("#summary")
    assert summary.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 204)"
    # Chromium reports the document's own 404 status; anything else (a CSP violation) fails.
    assert [
        message.text
        for message in errors
        if not (message.location["url"] == url and "status of 404" in message.text)
    ] == []
