"""The frame lab in Chromium: encode a masked frame, then decode it, with and without
JavaScript, under the production server's strict CSP."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAYLOAD = "Hello, <lab>"  # 12 bytes: the second byte of the frame is 0x80 | 12 = 8c


def encode(page):
    page.get_by_label("Payload", exact=True).fill(PAYLOAD)
    expect(page.get_by_label("Mask the payload (as a client must)")).to_be_checked()
    page.get_by_role("button", name="Encode").click()
    frame_hex = page.locator("#frame-hex")
    expect(frame_hex).to_have_text(re.compile(r"^81 8c( [0-9a-f]{2}){16}$"))
    return frame_hex.inner_text()


def decode_as_client(page, encoded):
    page.get_by_label("Frame bytes in hex").fill(encoded)
    page.get_by_label("Sent by the client").check()
    page.get_by_role("button", name="Decode").click()
    expect(page.locator(".message__text")).to_have_text(PAYLOAD)
    expect(page.locator(".verdict--ok")).to_have_text("No rule broken.")
    expect(page.get_by_role("rowheader", name="Masking key")).to_be_visible()


def test_a_frame_masked_with_a_key_from_the_random_key_button_decodes_to_its_payload(
    served, page, console_errors
):
    page.goto(served.http_url + "/tools/frames/")
    page.get_by_role("button", name="Random key").click()
    key = page.get_by_label("Masking key", exact=True)
    expect(key).to_have_value(re.compile(r"^[0-9a-f]{2}( [0-9a-f]{2}){3}$"))
    chosen = key.input_value()
    encoded = encode(page)
    assert encoded.startswith(f"81 8c {chosen} ")
    decode_as_client(page, encoded)
    assert console_errors == []


def test_without_javascript_the_server_picks_the_key_and_the_frame_decodes(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.http_url + "/tools/frames/")
    expect(page.get_by_role("button", name="Random key")).to_be_hidden()
    encoded = encode(page)
    key = encoded.split()[2:6]
    expect(page).to_have_url(re.compile("masking_key=" + r"\+".join(key) + "(&|$)"))
    decode_as_client(page, encoded)
    context.close()


def test_unticking_mask_disables_the_key_field(served, page):
    page.goto(served.http_url + "/tools/frames/")
    page.get_by_label("Mask the payload (as a client must)").uncheck()
    expect(page.get_by_label("Masking key", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Random key")).to_be_disabled()
