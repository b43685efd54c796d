"""Every code sample in the starter guides is checked as its `check=` says.

The samples come from the loader's own parser (tests/guide_content.py), so the code
tested is the code on the page. Each test id names the guide and the sample, e.g.
`internals/opening-handshake#3 accept_key.py`: the third code block on that page.

- check=run: Python, executed with the project's Python in an empty directory; it must
  exit 0 within 10 s. `ws://localhost:8000` is pointed at the real echo service
  (`manage.py serve`, the `served` fixture, with its default limits: what a reader
  running the sample against the site would meet).
- check=syntax: Python compiled, JavaScript parsed by `node --check`, and the other
  languages below by their own parser. A syntax check the machine cannot do is skipped
  with the reason (a failure under CI=true).
- check=browser: run in Chromium, tests/browser/test_guide_samples_browser.py.
- check=none: the page says "not checked by our test suite"; where this machine has a
  parser for the language anyway (JSON, TOML, Go, Rust, Java, Protocol Buffers) the
  sample is parsed too, and skipped, never failed, when the parser is missing.
- check=nginx, haproxy, caddy: configurations run in that proxy in front of the echo
  service, tests/test_deployment_recipes.py; the page names the proxy and its version.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from guides.code import TESTED_PROXIES
from tests.conftest import require
from tests.guide_content import Sample, guide_samples, guides, samples_checked_by

RUN_TIMEOUT = 10  # seconds, the writers' contract (guides/content/README.md)
TOOL_TIMEOUT = 60
RUSTFMT = shutil.which("rustfmt") or "/root/.cargo/bin/rustfmt"
JAVA_PARSER = Path(__file__).resolve().parent / "tools" / "ParseJava.java"


def sample_id(sample):
    return sample.id


def sample_file(sample, directory, default_name):
    """Write the sample where a reader would save it: its filename, or a default."""
    path = directory / (Path(sample.filename).name if sample.filename else default_name)
    path.write_text(sample.code + "\n", encoding="utf-8")
    return path


def run_tool(*command, cwd, stdin=None):
    return subprocess.run(
        command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=TOOL_TIMEOUT
    )


@cache
def runs(*command):
    """Whether a tool is installed and works (rustup's rustfmt needs a toolchain too)."""
    try:
        return subprocess.run(command, capture_output=True, timeout=TOOL_TIMEOUT).returncode == 0
    except OSError:
        return False


# Syntax checkers: each returns the parser's complaint, or "" when the sample parses.
# A checker that needs a program calls `missing(reason)` when the machine lacks it.


def check_python(sample, directory, missing):
    try:
        compile(sample.code, sample.filename or "<sample>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"{error.msg} (line {error.lineno})"
    return ""


def check_javascript(sample, directory, missing):
    node = shutil.which("node")
    if node is None:
        missing("Node.js (`node`) is not installed: JavaScript samples cannot be parsed")
    # node decides module or script by the extension (no package.json here).
    stem = Path(sample.filename).stem if sample.filename else "sample"
    path = sample_file(sample, directory, "sample.js")
    target = path.with_name(stem + (".mjs" if sample.is_module else ".cjs"))
    path.rename(target)
    result = run_tool(node, "--check", target.name, cwd=directory)
    return result.stderr.strip() if result.returncode else ""


def check_rust(sample, directory, missing):
    if not runs(RUSTFMT, "--version"):
        missing(f"rustfmt does not run here (looked for {RUSTFMT})")
    # Formatting to stdout parses the whole file and ignores style: only syntax fails.
    result = run_tool(
        RUSTFMT, "--edition", "2021", "--emit", "stdout", cwd=directory, stdin=sample.code
    )
    return result.stderr.strip() if result.returncode else ""


def check_go(sample, directory, missing):
    gofmt = shutil.which("gofmt")
    if gofmt is None:
        missing("gofmt is not installed (Debian: golang-go)")
    result = run_tool(gofmt, "-e", cwd=directory, stdin=sample.code)
    return result.stderr.strip() if result.returncode else ""


def check_java(sample, directory, missing):
    java = shutil.which("java")
    if java is None or shutil.which("javac") is None:
        missing("no JDK (java and javac, 11 or later): Java samples cannot be parsed")
    path = sample_file(sample, directory, "Sample.java")
    # Parse only: the samples import libraries (Spring) that are not here to compile.
    result = run_tool(java, str(JAVA_PARSER), path.name, cwd=directory)
    return (result.stdout + result.stderr).strip() if result.returncode else ""


def check_protobuf(sample, directory, missing):
    protoc = shutil.which("protoc")
    if protoc is None:
        missing("protoc is not installed (Debian: protobuf-compiler)")
    path = sample_file(sample, directory, "sample.proto")
    result = run_tool(protoc, "-I.", f"--descriptor_set_out={os.devnull}", path.name, cwd=directory)
    return result.stderr.strip() if result.returncode else ""


def check_json(sample, directory, missing):
    try:
        json.loads(sample.code)
    except json.JSONDecodeError as error:
        return f"not JSON ({error}); use ```text for a sketch with placeholders"
    return ""


def check_toml(sample, directory, missing):
    try:
        tomllib.loads(sample.code)
    except tomllib.TOMLDecodeError as error:
        return f"not TOML ({error})"
    return ""


SYNTAX_CHECKERS = {
    "python": check_python,
    "javascript": check_javascript,
    "rust": check_rust,
    "go": check_go,
    "java": check_java,
    "protobuf": check_protobuf,
    "json": check_json,
    "toml": check_toml,
}

# check=browser samples are parsed here too, so a syntax error is reported by node first.
SYNTAX_SAMPLES = [
    sample
    for sample in samples_checked_by("syntax", "browser")
    if sample.check == "syntax" or sample.language == "javascript"
]
UNCHECKED_PARSEABLE = [
    sample for sample in samples_checked_by("none") if sample.language in SYNTAX_CHECKERS
]


# check=run


def run_python(path, directory):
    """Run a sample as a reader would, in its own process group; (exit code, output)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(directory),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, path.name],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


@pytest.mark.parametrize("sample", samples_checked_by("run"), ids=sample_id)
def test_a_runnable_python_sample_exits_cleanly_within_ten_seconds(sample, served, tmp_path):
    assert sample.language == "python", f"check=run is for Python; this is {sample.language}"
    path = tmp_path / (Path(sample.filename).name if sample.filename else "sample.py")
    path.write_text(sample.code_for(served.ws_url) + "\n", encoding="utf-8")
    started = time.monotonic()
    code, output = run_python(path, tmp_path)
    took = time.monotonic() - started
    assert code is not None, f"still running after {RUN_TIMEOUT} s; output:\n{output}"
    assert code == 0, f"exit code {code} after {took:.1f} s; output:\n{output}"


# check=syntax


@pytest.mark.parametrize("sample", SYNTAX_SAMPLES, ids=sample_id)
def test_a_syntax_checked_sample_parses(sample, tmp_path):
    checker = SYNTAX_CHECKERS.get(sample.language)
    assert checker, (
        f"check=syntax, but the suite has no parser for {sample.language}: "
        f"use check=none (parsers: {', '.join(SYNTAX_CHECKERS)})"
    )
    problem = checker(sample, tmp_path, missing=lambda reason: require(False, reason))
    assert problem == ""


@pytest.mark.parametrize("sample", UNCHECKED_PARSEABLE, ids=sample_id)
def test_an_unchecked_sample_still_parses_where_this_machine_has_a_parser(sample, tmp_path):
    problem = SYNTAX_CHECKERS[sample.language](sample, tmp_path, missing=pytest.skip)
    assert problem == ""


# check=none, and the labels readers see


def code_figures(html):
    """(code text, shows the 'not checked' label, the 'run in our test suite against' note
    or None) for each code block of a page, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (
            figure.select_one("pre code").get_text(),
            figure.select_one(".code__unchecked") is not None,
            tested.get_text() if (tested := figure.select_one(".code__tested")) else None,
        )
        for figure in soup.select("figure.code")
    ]


def tested_note(sample):
    proxy = TESTED_PROXIES.get(sample.check)
    return f"run in our test suite against {proxy}" if proxy else None


@pytest.mark.parametrize("guide", guides(), ids=lambda guide: guide.name)
def test_the_page_shows_the_checked_code_and_labels_the_unchecked(guide, served):
    with urllib.request.urlopen(served.http_url + guide.url, timeout=10) as response:
        figures = code_figures(response.read().decode())
    samples = guide_samples(guide)
    expected = [
        (sample.code.rstrip("\n"), sample.check == "none", tested_note(sample))
        for sample in samples
    ]
    shown = [(code.rstrip("\n"), unchecked, tested) for code, unchecked, tested in figures]
    assert len(shown) == len(expected), "the page shows a different number of samples"
    for sample, (code, unchecked, tested), (expected_code, expected_label, expected_note) in zip(
        samples, shown, expected, strict=True
    ):
        assert code == expected_code, f"{sample.id}: the page shows other code"
        assert unchecked == expected_label, (
            f"{sample.id} (check={sample.check}): "
            + ("labelled" if unchecked else "not labelled")
            + " “not checked by our test suite”"
        )
        assert tested == expected_note, f"{sample.id} (check={sample.check}): shows {tested!r}"


# The parsers themselves: each one rejects a broken sample, so a pass means something.

BROKEN = {
    "python": ("broken.py", "def handler(:\n    pass"),
    "javascript": ("broken.mjs", "import { connect from './client.js';"),
    "rust": ("broken.rs", "fn main() { let socket = ; }"),
    "go": ("broken.go", "package main\n\nfunc main() { conn := }"),
    "java": ("Broken.java", "class Broken { void open() { int code = ; } }"),
    "protobuf": ("broken.proto", 'syntax = "proto3";\nmessage Quote { string symbol = ; }'),
    "json": ("", '{"type": "chat.message", "body": "hi",}'),
    "toml": ("Cargo.toml", "[dependencies]\ntokio = "),
}


@pytest.mark.parametrize("language", BROKEN)
def test_each_parser_rejects_a_broken_sample(language, tmp_path):
    filename, code = BROKEN[language]
    sample = Sample("made-up/guide", 1, language, filename, "syntax", code)
    problem = SYNTAX_CHECKERS[language](sample, tmp_path, missing=pytest.skip)
    assert problem != ""
