from django import template
from django.utils.safestring import mark_safe

from guides import text

register = template.Library()


@register.filter
def mark_terms(value, query):
    """Escape `value` and wrap the query's words in <mark>."""
    return mark_safe(text.mark_terms(str(value or ""), str(query or "")))  # noqa: S308 (escaped in text.mark_terms)


@register.filter
def anchor(value):
    return text.slugify(str(value or ""))
