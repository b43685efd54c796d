"""Every text diagram of the guide library in Chromium at 1280 px: whole, never clipped,
and legible; on a phone a wide one scrolls inside its frame instead of widening the page."""

import pytest

from tests.guide_content import guides

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
SMALLEST_LEGIBLE_PX = 10  # the widest of the library, 110 columns, is drawn at about 10.3 px

# Each diagram on the page as the reader gets it: its text, whether its lines overflow
# the frame, and the size it is drawn at.
MEASURE = """pres => pres.map(pre => ({
    text: pre.textContent,
    overflow: pre.scrollWidth - pre.clientWidth,
    fontPx: parseFloat(getComputedStyle(pre).fontSize),
}))"""


def diagrams(guide):
    return [block["value"] for block in guide.blocks if block["type"] == "diagram"]


GUIDES_WITH_DIAGRAMS = [guide for guide in guides() if diagrams(guide)]


def test_the_library_has_diagrams_to_check():
    assert len(GUIDES_WITH_DIAGRAMS) >= 20


@pytest.mark.parametrize("guide", GUIDES_WITH_DIAGRAMS, ids=lambda guide: guide.name)
def test_every_diagram_fits_the_column_at_1280_px_and_stays_legible(guide, page, served):
    page.set_viewport_size(DESKTOP)
    page.goto(served.http_url + guide.url)
    shown = page.locator("figure.text-diagram pre").evaluate_all(MEASURE)
    assert [diagram["text"] for diagram in shown] == [value["text"] for value in diagrams(guide)]
    for number, diagram in enumerate(shown, start=1):
        assert diagram["overflow"] <= 0, f"diagram {number} is cut by {diagram['overflow']} px"
        assert diagram["fontPx"] >= SMALLEST_LEGIBLE_PX, f"diagram {number}: {diagram['fontPx']}"


def test_on_a_phone_a_wide_diagram_scrolls_in_its_frame_and_the_page_does_not(page, served):
    guide = next(guide for guide in guides() if guide.name == "use-cases/iot-telemetry")
    page.set_viewport_size(PHONE)
    page.goto(served.http_url + guide.url)
    widest = page.locator("figure.text-diagram pre").first
    assert widest.evaluate("pre => pre.scrollWidth > pre.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widest.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("pre => pre.scrollLeft > 0", arg=widest.element_handle(), timeout=2000)
