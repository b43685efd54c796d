"""Guide tables in Chromium: sorting by a column heading, and links to a row (#fragment)."""

import os

import pytest
from playwright.sync_api import expect

from tests.servers import manage, server_env

# The first test may wait for the session's live database and server to be prepared.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SCREENSHOTS = os.environ.get("TABLE_SCREENSHOTS")
TABLE_GUIDE = "/guides/reference/a-sortable-table/"
VIEWPORT = {"width": 1280, "height": 900}
CODES_IN_ORDER = ["1006", "1000", "4000", "999", "1015"]

# Run with `manage.py shell` against the live database: a guide whose table is well
# below the first screen, with a number, a text and a yes / partly / no column.
CREATE_TABLE_GUIDE = """
from guides.models import GuideSectionPage
from tests.guides_factories import heading, make_guide, paragraph, table

make_guide(
    GuideSectionPage.objects.get(slug="reference"),
    "A sortable table",
    summary="Close codes, sorted and linked.",
    tags=["close-codes"],
    body=[
        *[paragraph("<p>" + "Words to scroll past. " * 60 + "</p>") for _ in range(6)],
        heading("The codes"),
        table(
            ["Code", "Name", "Browsers may send"],
            [
                ["1006", "Abnormal Closure", "no"],
                ["1000", "Normal Closure", "yes"],
                ["4000", "Private use", "yes"],
                ["999", "Below the range", "no"],
                ["1015", "TLS handshake", "partial"],
            ],
            types=["number", "text", "support"],
        ),
        *[paragraph("<p>" + "More words below. " * 60 + "</p>") for _ in range(6)],
    ],
)
"""


@pytest.fixture(scope="module")
def table_guide(served, live_database):
    manage("shell", "-c", CREATE_TABLE_GUIDE, env=server_env(live_database))
    return served.http_url + TABLE_GUIDE


def codes(page):
    return page.locator(".data-table tbody th[scope=row]").evaluate_all(
        "cells => cells.map(cell => cell.firstChild.textContent.trim())"
    )


def test_a_column_heading_sorts_the_rows_then_reverses_then_restores_them(
    table_guide, page, console_errors
):
    page.goto(table_guide)
    code = page.get_by_role("columnheader", name="Code")
    button = code.get_by_role("button", name="Code")
    button.click()
    expect(code).to_have_attribute("aria-sort", "ascending")
    assert codes(page) == ["999", "1000", "1006", "1015", "4000"]  # as numbers, not text
    expect(page.get_by_role("status").filter(has_text="Sorted by")).to_have_text(
        "Sorted by Code, ascending."
    )
    button.click()
    expect(code).to_have_attribute("aria-sort", "descending")
    assert codes(page) == ["4000", "1015", "1006", "1000", "999"]
    button.click()
    expect(code).not_to_have_attribute("aria-sort", "descending")
    assert code.get_attribute("aria-sort") is None
    assert codes(page) == CODES_IN_ORDER
    assert console_errors == []


def test_headings_sort_from_the_keyboard_and_a_support_column_puts_yes_first(
    table_guide, page, console_errors
):
    page.goto(table_guide)
    button = page.get_by_role("button", name="Browsers may send")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Browsers may send")).to_have_attribute(
        "aria-sort", "descending"
    )
    # yes, yes, partly, no, no; rows that tie keep their order.
    assert codes(page) == ["1000", "4000", "1015", "1006", "999"]
    page.get_by_role("button", name="Name").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.get_by_role("columnheader", name="Browsers may send")).not_to_have_attribute(
        "aria-sort", "descending"
    )
    assert codes(page) == ["1006", "999", "1000", "4000", "1015"]
    assert console_errors == []


def test_a_link_to_a_row_scrolls_to_it_and_highlights_it(table_guide, page, console_errors):
    page.goto(table_guide + "#code-1015")
    if SCREENSHOTS:
        page.screenshot(path=SCREENSHOTS + "/table-target.png")
        page.get_by_role("button", name="Code").click()
        page.locator(".table-scroll").screenshot(path=SCREENSHOTS + "/table-sorted.png")
    row = page.locator("#code-1015")
    expect(row).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "code-1015"
    other = page.locator("#code-1000")
    highlighted = row.locator("th").evaluate("cell => getComputedStyle(cell).backgroundColor")
    plain = other.locator("th").evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert highlighted != plain
    other.get_by_role("link", name="Link to the row “1000”").click()
    expect(page).to_have_url(table_guide + "#code-1000")
    assert page.evaluate("document.querySelector(':target').id") == "code-1000"
    assert console_errors == []


def test_without_javascript_the_table_is_plain_and_row_links_still_work(browser, table_guide):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    page = context.new_page()
    page.goto(table_guide + "#code-4000")
    expect(page.locator("#code-4000")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "code-4000"
    expect(page.locator(".data-table thead button")).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Code")).to_be_visible()
    context.close()
