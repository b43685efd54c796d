"""The README is a newcomer's manual: short, the two commands first, every link alive."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_stays_a_newcomers_manual_of_at_most_200_lines():
    assert len(README.splitlines()) <= 200


def test_readme_first_screen_gives_make_run_and_make_test():
    first_screen = "\n".join(README.splitlines()[:25])
    assert "make run" in first_screen
    assert "make test" in first_screen


def test_every_relative_link_in_the_readme_names_a_file_that_exists():
    targets = [t for t in LINK.findall(README) if not re.match(r"[a-z]+:", t)]
    assert targets, "the README links its docs/ pages"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []


def test_every_page_in_docs_is_linked_from_the_readme():
    linked = set(LINK.findall(README))
    pages = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set()
