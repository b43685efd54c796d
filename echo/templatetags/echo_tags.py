import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# Where a URL may wrap without splitting a word; the same cuts as codec.js's urlParts.
URL_BREAKS = re.compile(r"(?<=[/?&=])(?!/)|(?=\.)")


@register.filter
def url_breaks(url):
    """The URL, escaped, with <wbr> between its parts, so a long one wraps at a slash or a
    dot instead of mid-word."""
    parts = (escape(part) for part in URL_BREAKS.split(str(url)) if part)
    return mark_safe("<wbr>".join(parts))  # noqa: S308 (every part is escaped)
