"""Text helpers for the guide library: anchors, reading time, search-term marking.

Pure Python (no Django imports), tested directly.
"""

import functools
import html
import re
import unicodedata

WORDS_PER_MINUTE = 220
_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def slugify(text, fallback="section"):
    """An ASCII anchor for a heading: 'Close codes: 1000 to 1015' -> 'close-codes-1000-to-1015'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:80].rstrip("-") or fallback


# Ids the guide page template uses itself; a heading never takes one of them.
RESERVED_IDS = frozenset(
    {"main", "guide-title", "toc-title", "authors-title", "related-title", "site-search-q"}
)


def unique_anchors(anchors, reserved=RESERVED_IDS):
    """Make a list of anchors unique in order, avoiding the page's own ids:
    ['a', 'a', 'b', 'main'] -> ['a', 'a-2', 'b', 'main-2']."""
    seen = set(reserved)
    result = []
    for anchor in anchors:
        candidate, n = anchor, 1
        while candidate in seen:
            n += 1
            candidate = f"{anchor}-{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def plain_text(markup):
    """The text of a cell or snippet of HTML: tags removed, entities decoded, spaces
    collapsed. Rich text, a stored number ("1000") and a choice ("yes") all work."""
    return " ".join(html.unescape(_TAG.sub(" ", str(markup or ""))).split())


def row_anchor(column_heading, first_cell, position):
    """The id of a table row: the first column's heading and the row's first cell,
    slugified. Row 1006 of a table whose first column is "Code" is "code-1006"; a row
    whose first cell is empty is known by its position ("code-row-3")."""
    label = plain_text(first_cell) or f"row {position}"
    return slugify(f"{plain_text(column_heading)} {label}", fallback=f"row-{position}")


def row_anchors(tables, taken=(), reserved=RESERVED_IDS):
    """Ids for the rows of a page's tables, in page order. `tables` holds, for each
    table, its first column's heading and its rows' first cells; `taken` the ids the
    page already uses (its heading anchors). A repeat is numbered, as headings are:
    the second "code-1006" on a page is "code-1006-2"."""
    seen = set(reserved) | set(taken)
    result = []
    for heading, cells in tables:
        wanted = [row_anchor(heading, cell, n) for n, cell in enumerate(cells, 1)]
        anchors = unique_anchors(wanted, reserved=seen)
        seen.update(anchors)
        result.append(anchors)
    return result


# A diagram this many columns wide or less fits the guide column at the normal code size;
# a wider one is drawn smaller (guides.css has a class per step) so that none is clipped.
DIAGRAM_FITS_COLUMNS = 80
DIAGRAM_COLUMN_STEP = 10
DIAGRAM_MAX_COLUMNS = 160


def text_columns(line):
    """Terminal columns a line takes in a monospace font: wide East Asian characters
    take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in line
    )


@functools.lru_cache(maxsize=256)  # every uncached render asks; 50 µs a diagram to count
def diagram_columns(text):
    """The width step a diagram is drawn for, or None when it fits at the normal size.
    Beyond DIAGRAM_MAX_COLUMNS it is drawn at the smallest size and scrolls."""
    widest = max((text_columns(line.rstrip()) for line in text.split("\n")), default=0)
    if widest <= DIAGRAM_FITS_COLUMNS:
        return None
    step = -(-widest // DIAGRAM_COLUMN_STEP) * DIAGRAM_COLUMN_STEP
    return min(step, DIAGRAM_MAX_COLUMNS)


def count_words(text):
    return len(_WORD.findall(html.unescape(_TAG.sub(" ", text))))


def reading_minutes(words, per_minute=WORDS_PER_MINUTE):
    """Whole minutes, at least one."""
    return max(1, round(words / per_minute))


def searchable_words(query):
    """The query as the search backend should get it: only the whitespace-separated
    tokens with a letter or digit, double quotes removed. A token of symbols or emoji
    ("🔌", "?") indexes to nothing, and under AND it made SQLite FTS5 match nothing:
    "🔌 websocket" found no guide where "websocket" found 37."""
    tokens = query.replace('"', " ").split()
    return " ".join(token for token in tokens if _LETTER_OR_DIGIT.search(token))


def search_terms(query, limit=12):
    """The words of a query worth marking in results, longest first, without repeats."""
    seen = []
    for word in _WORD.findall(query.lower()):
        if word not in seen:
            seen.append(word)
    return sorted(seen[:limit], key=len, reverse=True)


def title_first(query, title, summary):
    """A sort key putting first the hits whose title has the query's words, then those
    whose summary has them; a stable sort keeps the backend's order within each rank.
    Wagtail's SQLite backend ignores the title's search boost, so a guide titled with
    the very words searched for came below guides that merely mention them."""
    terms = search_terms(query)

    def missing(text):
        words = _WORD.findall(text.lower())
        return sum(not any(word.startswith(term) for word in words) for term in terms)

    return missing(title), missing(summary)


def mark_terms(text, query):
    """Escape `text` for HTML and wrap each word of `query` found at the start of a word
    in <mark>. The result is safe to output as HTML: everything else is escaped."""
    terms = search_terms(query)
    if not terms or not text:
        return html.escape(text or "")
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(term) for term in terms) + ")", re.IGNORECASE
    )
    out = []
    position = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)
