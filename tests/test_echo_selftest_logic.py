"""The self-test's pure logic (static/echo/selftest-checks.js), run by Node.js: how an
outcome is judged and how the summary is written, without a browser or a socket."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

MODULE = (Path(__file__).resolve().parent.parent / "static/echo/selftest-checks.js").as_uri()

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def evaluate(expression):
    """The JSON value of `expression`, with the module's exports in scope as `checks`."""
    script = (
        f"import * as checks from {json.dumps(MODULE)};\nconsole.log(JSON.stringify({expression}));"
    )
    result = subprocess.run(
        ["node", "--no-warnings", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


OURS = (
    '{maxMessageBytes: 65536, maxMessageWords: "64 KiB", rate: 50, burst: 100, '
    'page: "/echo/limits/"}'
)
CLOSED_1009 = '{close: {code: 1009, reason: "", wasClean: true}}'


def test_a_1009_from_another_endpoint_is_a_limit_not_a_fault():
    verdict = evaluate(f"checks.judgeEcho(new Uint8Array(70000), {CLOSED_1009}, null)")
    assert verdict == {
        "status": "not applicable",
        "detail": "The endpoint refused a message of 70,000 bytes with 1009 (message too big): "
        "a limit, not a fault.",
    }


def test_a_1009_from_our_service_within_its_published_limit_is_a_fault():
    verdict = evaluate(f"checks.judgeEcho(new Uint8Array(1000), {CLOSED_1009}, {OURS})")
    assert verdict["status"] == "fail"


def test_ordering_against_our_service_sends_one_burst_per_connection():
    assert evaluate(f"checks.orderingPlan({OURS})") == [100] * 10


def test_ordering_elsewhere_sends_all_1000_on_one_connection():
    assert evaluate("checks.orderingPlan(null)") == [1000]


def test_a_wrong_character_is_named_by_its_position_and_code_point():
    assert evaluate('checks.difference("a😀b", "a😁b")') == (
        "text differs at character 2: sent U+1F600, received U+1F601"
    )


def test_a_pipe_in_the_details_stays_inside_its_markdown_cell():
    markdown = evaluate(
        'checks.markdownSummary("ws://example.com/", [{name: "Check", status: "fail", ms: 2, '
        'detail: "closed with 4000 \\"a|b\\"\\nand more"}], new Date(0))'
    )
    row = markdown.splitlines()[-1]
    assert row == '| Check | fail | 2.00 ms | closed with 4000 "a\\|b" and more |'
