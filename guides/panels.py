"""Admin widgets that work under the site's strict Content-Security-Policy.

Wagtail's date pickers start from inline scripts, which the CSP blocks; the browser's
own date and time inputs need no script at all.
"""

from django import forms
from wagtail.admin.panels import FieldPanel, PublishingPanel


class NativeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NativeDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


# What Wagtail's own PublishingPanel puts on its inputs: reset when the dialog closes.
_SCHEDULE_ATTRS = {
    "data-controller": "w-action",
    "data-action": "w-dialog:hidden->w-action#reset",
    "data-w-dialog-target": "notify",
}


class SchedulePanel(PublishingPanel):
    """Wagtail's "Schedule publishing" dialog (go-live and expiry), with native inputs."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "children",
            [
                FieldPanel("go_live_at", widget=NativeDateTimeInput(attrs=_SCHEDULE_ATTRS)),
                FieldPanel("expire_at", widget=NativeDateTimeInput(attrs=_SCHEDULE_ATTRS)),
            ],
        )
        super().__init__(**kwargs)
