"""The starter guides of guides/content/, read with the loader's own parser.

The guide tests check what readers see: the same `parse_guide` and `markdown_to_blocks`
that `load_guides` uses turn each file into metadata and blocks, and the code samples
are taken from those blocks, numbered in the order they appear on the guide's page.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from guides.front_matter import ContentError, parse_guide
from guides.markdown_blocks import markdown_to_blocks

CONTENT = Path(__file__).resolve().parent.parent / "guides" / "content"

# What the samples say when they talk to a server: the local echo service of `make run`.
SAMPLE_ORIGIN = "ws://localhost:8000"


@dataclass(frozen=True)
class Guide:
    path: Path
    source: object  # guides.front_matter.GuideSource
    conversion: object  # guides.markdown_blocks.Conversion: blocks, links, warnings

    @property
    def blocks(self):
        return self.conversion.blocks

    @property
    def name(self):
        """'internals/opening-handshake': the section folder and the slug."""
        return f"{self.source.section}/{self.source.slug}"

    @property
    def url(self):
        return f"/guides/{self.source.section}/{self.source.slug}/"


@dataclass(frozen=True)
class Sample:
    guide: str
    number: int  # 1-based: the nth code block on the guide's page, tabs included
    language: str
    filename: str
    check: str
    code: str
    unchecked_because: str = ""  # why a check=none sample is not checked, shown to readers

    @property
    def id(self):
        """'internals/opening-handshake#3 accept_key.py', or the language when unnamed."""
        return f"{self.guide}#{self.number} {self.filename or self.language}"

    @property
    def is_module(self):
        """JavaScript to run as an ES module: it has import/export statements, or its file
        name ends in .mjs (the way to ask for a module with top-level await)."""
        if self.filename.endswith(".mjs"):
            return True
        return any(
            line.startswith(("import ", "import{", "export ")) for line in self.code.splitlines()
        )

    def code_for(self, origin):
        """The code with the samples' local server address pointed at `origin`."""
        return self.code.replace(SAMPLE_ORIGIN, origin)


@cache
def guides():
    """Every guide file, parsed as `load_guides` parses it (the same files, in its order).
    A file the loader would refuse raises ContentError naming the file."""
    found = []
    for path in sorted(CONTENT.glob("*/*.md")):
        try:
            source = parse_guide(
                path.read_text(encoding="utf-8"), slug=path.stem, section=path.parent.name
            )
            found.append(Guide(path, source, markdown_to_blocks(source.body)))
        except ContentError as error:
            raise ContentError(f"{path.relative_to(CONTENT)}: {error}") from None
    return tuple(found)


def code_values(blocks):
    """The code block values in page order; a group of tabs gives one per tab."""
    for block in blocks:
        if block["type"] == "code":
            yield block["value"]
        elif block["type"] == "code_tabs":
            yield from block["value"]["tabs"]


def guide_samples(guide):
    return [
        Sample(
            guide=guide.name,
            number=number,
            language=value["language"],
            filename=value["filename"],
            check=value["check"],
            code=value["code"],
            unchecked_because=value.get("unchecked_because", ""),
        )
        for number, value in enumerate(code_values(guide.blocks), start=1)
    ]


@cache
def samples():
    return tuple(sample for guide in guides() for sample in guide_samples(guide))


def samples_checked_by(*checks):
    return [sample for sample in samples() if sample.check in checks]
