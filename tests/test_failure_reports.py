"""A failing test that used a server process shows the end of that server's log: the
traceback behind "Something went wrong on our side" is written there, not to the test."""

import subprocess
import sys
import textwrap

from tests.servers import ROOT

A_SERVER_TEST = """
import pytest

from tests.servers import ServerProcess


@pytest.fixture
def served(tmp_path):
    log = tmp_path / "serve.log"
    log.write_text(
        "INFO started\\n"
        "Traceback (most recent call last):\\n"
        "django.core.exceptions.ValidationError: The slug 'x' is already in use\\n"
    )
    return ServerProcess("serve", env={}, log_path=log)


@pytest.fixture
def published_guide(served):
    return served.http_url + "/guides/guides/keeping-idle-connections-alive/"


def test_publish_answers(published_guide):
    assert False, "Something went wrong on our side"


def test_a_test_without_a_server():
    assert False
"""


def run_pytest(tmp_path, test_file):
    """pytest in a directory of its own, with this suite's conftest hooks."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport\n")
    (tmp_path / "test_it.py").write_text(textwrap.dedent(test_file))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:django", "."],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout + result.stderr


def report_of(output, test_name):
    start = output.index(f"_ {test_name} _")
    end = output.find("\n___", start + 1)
    return output[start : end if end != -1 else None]


def test_a_failing_test_shows_the_tail_of_its_server_log(tmp_path):
    output = run_pytest(tmp_path, A_SERVER_TEST)

    report = report_of(output, "test_publish_answers")
    assert "serve log" in report
    assert "ValidationError: The slug 'x' is already in use" in report


def test_a_failing_test_without_a_server_shows_no_server_log(tmp_path):
    output = run_pytest(tmp_path, A_SERVER_TEST)

    assert "serve log" not in report_of(output, "test_a_test_without_a_server")
