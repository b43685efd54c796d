"""`{% race_preset_url result %}`: the transport race set up for a protocol finder result
(its rate and size answers, its pick's lane highlighted), or "" when the pick is not
one of the race's lanes."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from race.rules import finder_preset

register = template.Library()


@register.simple_tag
def race_preset_url(result):
    preset = finder_preset(result.recommendation.answers, result.top.key)
    if preset is None:
        return ""
    return f"{reverse('race:page')}?{urlencode(preset)}"
