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
- check=compile: Go and Java built offline against the libraries Debian packages
  (GO_LIBRARIES, JAVA_LIBRARIES below): what a reader on Debian 12 can build with apt
  alone. A compiled server sample that this suite can start is also run and spoken to.
- check=none: the page says "not checked by our test suite", and why when the sample
  says (`because=`: e.g. a library Debian does not package); where this machine has a
  parser for the language anyway (JSON, TOML, Go, Rust, Java, Protocol Buffers) the
  sample is parsed too, and skipped, never failed, when the parser is missing.
- check=nginx, haproxy, caddy: configurations run in that proxy in front of the echo
  service, tests/test_deployment_recipes.py; the page names the proxy and its version.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from guides.code import TESTED_PROXIES
from tests.conftest import require
from tests.guide_content import Sample, guide_samples, guides, samples_checked_by
from tests.servers import free_port
from tests.services import wait_for_port

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


# check=compile

GOPATH = Path("/usr/share/gocode")  # where Debian's golang-*-dev packages put their sources
# The Go libraries a compiled sample may import, each with the Debian package that has it.
GO_LIBRARIES = {"github.com/gorilla/websocket": "golang-github-gorilla-websocket-dev"}
# The jars a compiled Java sample is built against (Debian: libtomcat10-java), Jakarta
# WebSocket 2.1 as Tomcat 10.1 implements it.
JAVA_LIBRARIES = (
    Path("/usr/share/java/tomcat10-websocket-api.jar"),
    Path("/usr/share/java/tomcat10-websocket-client-api.jar"),
)


def go_imports(code):
    """The import paths of a Go file that are not in the standard library."""
    block = code.partition("import (")[2].partition(")")[0]
    paths = [line.strip().strip('"') for line in block.splitlines() if '"' in line]
    return [path for path in paths if "." in path.split("/")[0]]


def compile_go(sample, directory, missing):
    go = shutil.which("go")
    if go is None:
        missing("Go is not installed (Debian: golang-go)")
    for path in go_imports(sample.code):
        package = GO_LIBRARIES.get(path)
        assert package, f"{path} is not a Go library Debian packages here: use check=none"
        if not (GOPATH / "src" / path).is_dir():
            missing(f"{path} is not installed (Debian: {package})")
    sample_file(sample, directory, "main.go")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(directory),
        "GO111MODULE": "off",  # GOPATH mode: Debian's sources, no module download
        "GOPATH": str(GOPATH),
        "GOCACHE": str(directory / ".cache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
    }
    result = subprocess.run(
        [go, "build", "-o", "sample"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT * 3,
    )
    return result.stderr.strip() if result.returncode else ""


def compile_java(sample, directory, missing):
    if shutil.which("javac") is None:
        missing("no JDK (javac): Java samples cannot be compiled")
    for jar in JAVA_LIBRARIES:
        if not jar.exists():
            missing(f"{jar} is not installed (Debian: libtomcat10-java)")
    path = sample_file(sample, directory, "Sample.java")
    classpath = ":".join(map(str, JAVA_LIBRARIES))
    result = run_tool(
        "javac", "-Werror", "-d", "classes", "-cp", classpath, path.name, cwd=directory
    )
    return result.stderr.strip() if result.returncode else ""


COMPILERS = {"go": compile_go, "java": compile_java}


@pytest.mark.toolchain
@pytest.mark.parametrize("sample", samples_checked_by("compile"), ids=sample_id)
def test_a_compiled_sample_builds_against_debians_libraries(sample, tmp_path):
    compiler = COMPILERS.get(sample.language)
    assert compiler, f"check=compile, but the suite compiles only {', '.join(COMPILERS)}"
    problem = compiler(sample, tmp_path, missing=lambda reason: require(False, reason))
    assert problem == ""


@pytest.mark.toolchain
@pytest.mark.parametrize("language", COMPILERS)
def test_each_compiler_rejects_a_sample_that_does_not_type_check(language, tmp_path):
    """Parsing is not enough: a call with the wrong types must fail the build."""
    code = {
        "go": 'package main\n\nimport "github.com/gorilla/websocket"\n\n'
        "func main() { websocket.IsCloseError(42) }",
        "java": "import jakarta.websocket.Session;\n"
        'class Wrong { void f(Session s) { s.setMaxIdleTimeout("long"); } }',
    }[language]
    sample = Sample("made-up/guide", 1, language, "", "compile", code)
    assert COMPILERS[language](sample, tmp_path, missing=pytest.skip) != ""


GORILLA_SERVER = "frameworks/go#1 main.go"
GORILLA_ADDRESS = '":8080"'  # the sample's listen address, pointed at a free port here


@pytest.mark.server
def test_the_compiled_gorilla_server_echoes_and_refuses_a_foreign_origin(tmp_path):
    """The Go guide's server, built and started as a reader would, then spoken to:
    it echoes on its subprotocol and refuses an origin its CheckOrigin does not allow."""
    [sample] = [s for s in samples_checked_by("compile") if s.id == GORILLA_SERVER]
    assert GORILLA_ADDRESS in sample.code
    port = free_port()
    served = replace(sample, code=sample.code.replace(GORILLA_ADDRESS, f'"127.0.0.1:{port}"'))
    problem = compile_go(served, tmp_path, missing=lambda reason: require(False, reason))
    assert problem == ""
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen([tmp_path / "sample"], cwd=tmp_path, stderr=log)
        try:
            wait_for_port(port)
            asyncio.run(speak_to_gorilla_server(f"ws://127.0.0.1:{port}/ws/echo/"))
        finally:
            server.kill()
            server.wait()


async def speak_to_gorilla_server(url):
    async with connect(url, origin="https://app.example.com", subprotocols=["echo.v1"]) as ws:
        assert ws.subprotocol == "echo.v1"
        await ws.send("hello, gorilla")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello, gorilla"
    with pytest.raises(InvalidStatus) as refused:
        await connect(url, origin="https://evil.example", subprotocols=["echo.v1"])
    assert refused.value.response.status_code == 403


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


@pytest.mark.toolchain
@pytest.mark.parametrize("sample", SYNTAX_SAMPLES, ids=sample_id)
def test_a_syntax_checked_sample_parses(sample, tmp_path):
    checker = SYNTAX_CHECKERS.get(sample.language)
    assert checker, (
        f"check=syntax, but the suite has no parser for {sample.language}: "
        f"use check=none (parsers: {', '.join(SYNTAX_CHECKERS)})"
    )
    problem = checker(sample, tmp_path, missing=lambda reason: require(False, reason))
    assert problem == ""


@pytest.mark.toolchain
@pytest.mark.parametrize("sample", UNCHECKED_PARSEABLE, ids=sample_id)
def test_an_unchecked_sample_still_parses_where_this_machine_has_a_parser(sample, tmp_path):
    problem = SYNTAX_CHECKERS[sample.language](sample, tmp_path, missing=pytest.skip)
    assert problem == ""


# check=none, and the labels readers see


def code_figures(html):
    """(code text, the 'not checked' label or None, the 'run in our test suite against'
    note or None) for each code block of a page, in order."""
    soup = BeautifulSoup(html, "html.parser")
    figures = []
    for figure in soup.select("figure.code"):
        label = figure.select_one(".code__unchecked")
        tested = figure.select_one(".code__tested")
        figures.append(
            (
                figure.select_one("pre code").get_text(),
                label and label.get_text(),
                tested and tested.get_text(),
            )
        )
    return figures


def unchecked_label(sample):
    """What the page says about a sample the suite does not check (None: it is checked)."""
    if sample.check != "none":
        return None
    label = "not checked by our test suite"
    return f"{label}: {sample.unchecked_because}" if sample.unchecked_because else label


def proxy_note(sample):
    proxy = TESTED_PROXIES.get(sample.check)
    return f"run in our test suite against {proxy}" if proxy else None


@pytest.mark.parametrize("guide", guides(), ids=lambda guide: guide.name)
def test_the_page_shows_the_checked_code_and_labels_the_unchecked(guide, served):
    with urllib.request.urlopen(served.http_url + guide.url, timeout=10) as response:
        figures = code_figures(response.read().decode())
    samples = guide_samples(guide)
    assert len(figures) == len(samples), "the page shows a different number of samples"
    for sample, (code, label, tested) in zip(samples, figures, strict=True):
        assert code.rstrip("\n") == sample.code.rstrip("\n"), (
            f"{sample.id}: the page shows other code"
        )
        assert label == unchecked_label(sample), f"{sample.id} (check={sample.check})"
        assert tested == proxy_note(sample), f"{sample.id} (check={sample.check}): shows {tested!r}"


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


@pytest.mark.toolchain
@pytest.mark.parametrize("language", BROKEN)
def test_each_parser_rejects_a_broken_sample(language, tmp_path):
    filename, code = BROKEN[language]
    sample = Sample("made-up/guide", 1, language, filename, "syntax", code)
    problem = SYNTAX_CHECKERS[language](sample, tmp_path, missing=pytest.skip)
    assert problem != ""
