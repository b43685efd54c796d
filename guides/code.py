"""Server-side syntax highlighting for code blocks, with Pygments.

Pure Python (no Django imports). Highlighting is memoised per process, and guide
pages also store the result when they are saved (see GuidePage.clean), so a page
view never runs Pygments for code it has seen before.
"""

import hashlib
import re
from functools import lru_cache

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# (value stored in the block, label shown to readers). "text" means no highlighting.
LANGUAGES = [
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("go", "Go"),
    ("rust", "Rust"),
    ("java", "Java"),
    ("kotlin", "Kotlin"),
    ("csharp", "C#"),
    ("c", "C"),
    ("cpp", "C++"),
    ("swift", "Swift"),
    ("ruby", "Ruby"),
    ("php", "PHP"),
    ("elixir", "Elixir"),
    ("bash", "Shell"),
    ("console", "Shell session"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("toml", "TOML"),
    ("ini", "INI"),
    ("nginx", "nginx"),
    ("caddyfile", "Caddyfile"),
    ("protobuf", "Protocol Buffers"),
    ("http", "HTTP"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("sql", "SQL"),
    ("xml", "XML"),
    ("dockerfile", "Dockerfile"),
    ("text", "Plain text"),
]
LANGUAGE_LABELS = dict(LANGUAGES)

# Names writers use in fenced code blocks, mapped to the values above.
ALIASES = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "mjs": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "golang": "go",
    "rs": "rust",
    "kt": "kotlin",
    "cs": "csharp",
    "c#": "csharp",
    "c++": "cpp",
    "rb": "ruby",
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "shell-session": "console",
    "jsonc": "json",
    "yml": "yaml",
    "proto": "protobuf",
    "conf": "nginx",
    "caddy": "caddyfile",
    "plain": "text",
    "plaintext": "text",
    "txt": "text",
    "": "text",
}

# The proxies whose configuration samples the test suite starts in front of the echo
# service (tests/test_deployment_recipes.py), with the version it runs: Debian's. A page
# says so above each such sample; that test fails when the installed version differs.
TESTED_PROXIES = {
    "nginx": "nginx 1.22",
    "haproxy": "HAProxy 2.6",
    "caddy": "Caddy 2.6",
}

# How the test suite checks a sample (see guides/content/README.md).
CHECKS = [
    ("run", "Run by the test suite"),
    ("browser", "Run in Chromium by the test suite"),
    ("syntax", "Syntax-checked by the test suite"),
    ("compile", "Compiled by the test suite"),
    *((name, f"Run in {tested} by the test suite") for name, tested in TESTED_PROXIES.items()),
    ("none", "Not checked by the test suite"),
]
CHECK_VALUES = {value for value, _ in CHECKS}

_LINE_SPEC = re.compile(r"^\s*\d+\s*(?:-\s*\d+\s*)?$")
MAX_HIGHLIGHTED_LINE = 10_000


def normalize_language(name):
    """The LANGUAGES value for a fence's language name, or None when unknown."""
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in LANGUAGE_LABELS else None


def default_check(language):
    """What the test suite does with a sample that does not say (README contract)."""
    return {"python": "run", "javascript": "syntax"}.get(language, "none")


def parse_line_spec(spec):
    """'3,5-7' -> (3, 5, 6, 7). Raises ValueError with a reader-friendly message."""
    lines = set()
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        if not _LINE_SPEC.match(part):
            raise ValueError(f"“{part.strip()}” is not a line number or a range like 5-7.")
        first, _, last = part.partition("-")
        start, end = int(first), int(last or first)
        if start < 1 or end < start:
            raise ValueError(f"“{part.strip()}”: lines count from 1 and ranges go upwards.")
        if end > MAX_HIGHLIGHTED_LINE:
            raise ValueError(f"“{part.strip()}”: no sample is that long.")
        lines.update(range(start, end + 1))
    return tuple(sorted(lines))


def code_key(code, language, highlight_lines=""):
    """A stable key for one rendering of a sample: its content decides its HTML."""
    digest = hashlib.sha256()
    for part in (language, str(highlight_lines), code):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1024)
def highlight(code, language, highlight_lines=""):
    """HTML for the inside of <code>: Pygments token spans, highlighted lines wrapped
    in <span class="hll">. Unknown languages and "text" are escaped, not tokenised."""
    try:
        lines = parse_line_spec(highlight_lines)
    except ValueError:
        lines = ()
    try:
        lexer = get_lexer_by_name("text" if language == "text" else language, stripnl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False)
    formatter = HtmlFormatter(nowrap=True, hl_lines=list(lines))
    html = pygments_highlight(code.rstrip("\n") + "\n", lexer, formatter)
    return html.rstrip("\n")
