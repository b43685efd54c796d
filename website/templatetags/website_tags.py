"""Template tags every page of the site uses."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL without its query string."""
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request else ""
