"""The race's settings form. The page reads it from the address (a finder result links
to a preset) and its script sends the same values to create a race."""

from django import forms

from .rules import LANES, MIN_BYTES, MIN_RATE, MIN_SECONDS

LANE_NAMES = {
    "polling": "Polling",
    "long_polling": "Long polling",
    "sse": "Server-Sent Events",
    "websocket": "WebSocket",
}
LANE_HOW = {
    "polling": "A fetch every interval; each answer holds the events logged since the last.",
    "long_polling": "A fetch the server holds open until there is an event, then the next.",
    "sse": "One EventSource response that stays open; it resumes with Last-Event-ID.",
    "websocket": "One WebSocket; each event is a text message.",
}
MIN_INTERVAL_MS = 250
MAX_INTERVAL_MS = 10_000


class RaceForm(forms.Form):
    highlight = forms.ChoiceField(
        required=False, choices=[("", "none"), *LANE_NAMES.items()], widget=forms.HiddenInput
    )

    def __init__(self, *args, limits, **kwargs):
        super().__init__(*args, **kwargs)
        number = {"class": "race-form__number"}
        self.fields["rate"] = forms.FloatField(
            label="Events a second",
            initial=2,
            min_value=MIN_RATE,
            max_value=limits.max_rate,
            widget=forms.NumberInput({**number, "step": "any"}),
        )
        self.fields["size"] = forms.IntegerField(
            label="Bytes an event",
            initial=256,
            min_value=MIN_BYTES,
            max_value=limits.max_bytes,
            widget=forms.NumberInput(number),
        )
        self.fields["duration"] = forms.IntegerField(
            label="Seconds",
            initial=10,
            min_value=MIN_SECONDS,
            max_value=limits.max_seconds,
            widget=forms.NumberInput(number),
        )
        self.fields["interval"] = forms.IntegerField(
            label="Polling interval (ms)",
            initial=1000,
            min_value=MIN_INTERVAL_MS,
            max_value=MAX_INTERVAL_MS,
            widget=forms.NumberInput(number),
        )
        # The settings first, the highlighted lane last.
        self.order_fields(["rate", "size", "duration", "interval", "highlight"])
        if self.is_bound:
            # A shared address may name some settings only; the others keep their defaults
            # rather than arriving empty (which the page would refuse to start with).
            data = self.data.copy()
            for name, field in self.fields.items():
                if name not in data and field.initial is not None:
                    data[name] = field.initial
            self.data = data

    def chosen_lane(self):
        """The lane to highlight (the finder's pick), even when other values are wrong."""
        value = self.data.get("highlight", "") if self.is_bound else ""
        return value if value in LANES else ""

    def lanes(self):
        """[(key, name, how it works, highlighted)] in the page's order."""
        chosen = self.chosen_lane()
        return [(key, LANE_NAMES[key], LANE_HOW[key], key == chosen) for key in LANES]
