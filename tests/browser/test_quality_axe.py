"""No accessibility violations found by axe-core, in light and dark mode, on every page type.

axe-core is evaluated into each page through the DevTools protocol (`page.evaluate`),
which the page's Content-Security-Policy does not govern, so the pages are audited under
their real, strict policy. Playwright's `bypass_csp=True` would have let an injected
<script> tag in, but it also turns the policy off for the page's own resources, so a
script or style the policy blocks for readers would have passed here unnoticed.

Every rule axe runs by default counts (WCAG 2.0-2.2 A and AA, and best practices), at
every impact level.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.quality_tools import AXE_JS, START_PAGES

pytestmark = pytest.mark.browser

SCHEMES = ("light", "dark")
SECTION = re.compile(r"^/guides/[^/]+/$")
GUIDE = re.compile(r"^/guides/[^/]+/[^/]+/$")
GUIDES_PER_SECTION = 1
RUN_AXE = "axe.run(document, {resultTypes: ['violations']})"


def page_types(site):
    """The pages to audit, by type: the home page, the library and one filtered view, each
    section, the longest guide of each section (the most content, so the likeliest to hold
    every kind of block), search, the echo tester, the transport race, the finder's form,
    results, errors and API page, and the 404 page."""
    html = {
        urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""): r
        for url, r in site.responses.items()
        if r.is_html and r.status == 200
    }
    sections = sorted(path for path in html if SECTION.match(path))
    guides = []
    for section in sections:
        mine = [path for path in html if GUIDE.match(path) and path.startswith(section)]
        guides += sorted(mine, key=lambda path: -len(html[path].body))[:GUIDES_PER_SECTION]
    library_filtered = sorted(path for path in html if path.startswith("/guides/?"))[:1]
    extra = list(START_PAGES)
    return {
        "home": ["/"],
        "library": ["/guides/", *library_filtered],
        "sections": sections,
        "guides": guides,
        "search": ["/search/"] + [path for path in extra if path.startswith("/search/")],
        "echo tester": ["/echo/"],
        "transport race": ["/tools/race/"],
        "protocol finder": ["/finder/", "/finder/api/docs/"]
        + [path for path in extra if path.startswith("/finder/")],
        "protocol lab": ["/tools/", "/tools/frames/"]
        + [path for path in extra if path.startswith("/tools/")],
        "echo limits": ["/echo/limits/"],
        "not found": [path for path, status in START_PAGES.items() if status == 404],
    }


def describe(url, violation):
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


def audit(page, axe_source, url):
    page.evaluate(axe_source)
    return [describe(url, v) for v in page.evaluate(RUN_AXE)["violations"]]


@pytest.fixture(scope="module")
def axe_source(quality_tools):
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def audits(served, crawled_site, browser, axe_source):
    """Each page type visited once per colour scheme: axe's violations, and the console
    errors (a CSP refusal is one) of each visit."""
    types = page_types(crawled_site)
    found = {}
    for scheme in SCHEMES:
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        for kind, paths in types.items():
            violations, errors = [], []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            for path in paths:
                expected = START_PAGES.get(path, 200)
                response = page.goto(served.http_url + path)
                assert response.status == expected, f"{path} answered {response.status}"
                if expected != 200:  # Chromium logs the page's own error status
                    errors[:] = [e for e in errors if f"status of {expected}" not in e]
                violations += audit(page, axe_source, path)
            found[scheme, kind] = {"paths": paths, "violations": violations, "errors": errors}
            page.close()
            page = context.new_page()
        context.close()
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(
    "kind",
    [
        "home",
        "library",
        "sections",
        "guides",
        "search",
        "echo tester",
        "transport race",
        "protocol finder",
        "protocol lab",
        "echo limits",
        "not found",
    ],
)
def test_page_type_has_no_accessibility_violations(audits, kind, scheme):
    assert audits[scheme, kind]["paths"]
    assert audits[scheme, kind]["violations"] == []


def test_no_page_logs_a_console_error_or_a_csp_refusal(audits):
    errors = {key: value["errors"] for key, value in audits.items() if value["errors"]}
    assert errors == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_echo_tester_in_use_has_no_accessibility_violations(
    served, browser, axe_source, scheme
):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(served.http_url + "/echo/")
    expect(page.locator(".echo[data-ready=true]")).to_have_count(1)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#state")).to_have_text("Open", timeout=15_000)
    page.locator("#message").fill('{"hello": "echo"}')
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#log .entry--in")).to_have_count(1)
    violations = audit(page, axe_source, "/echo/ (connected, one message echoed)")
    context.close()
    assert violations == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_echo_testers_handshake_panel_filled_in_has_no_accessibility_violations(
    served, browser, axe_source, scheme
):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(served.http_url + "/echo/")
    page.get_by_role("button", name="Inspect my handshake").click()
    expect(page.locator("#handshake")).to_have_attribute("data-state", "done", timeout=15_000)
    violations = audit(page, axe_source, "/echo/ (handshake inspected)")
    context.close()
    assert violations == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_transport_race_after_a_race_has_no_accessibility_violations(
    served, browser, axe_source, scheme
):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{served.http_url}/tools/race/?rate=5&size=100&duration=2&highlight=sse")
    page.get_by_role("button", name="Start the race").click()
    expect(page.locator("#race")).to_have_attribute("data-state", "finished", timeout=30_000)
    violations = audit(page, axe_source, "/tools/race/ (after a race)")
    context.close()
    assert violations == []
