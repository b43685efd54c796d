from django import forms
from django.core.validators import URLValidator

from .limits import TOKEN, is_valid_room_name


class TesterForm(forms.Form):
    """What a shared link (`/echo/?url=...&protocols=...` or `?room=...`) pre-fills."""

    url = forms.CharField(label="Server URL", max_length=2000, required=False)
    protocols = forms.CharField(label="Subprotocols", max_length=500, required=False)
    room = forms.CharField(label="Room name", max_length=64, required=False)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url:
            try:
                URLValidator(schemes=["ws", "wss"])(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    "Enter a WebSocket URL that starts with ws:// or wss://."
                ) from None
        return url

    def clean_protocols(self):
        names = [name.strip() for name in self.cleaned_data["protocols"].split(",")]
        names = [name for name in names if name]
        for name in names:
            if not TOKEN.fullmatch(name):
                raise forms.ValidationError(
                    f"“{name}” is not a valid subprotocol name: no spaces, quotes or separators."
                )
        return ", ".join(names)

    def clean_room(self):
        room = self.cleaned_data["room"].strip()
        if room and not is_valid_room_name(room):
            raise forms.ValidationError(
                "Room names are 1 to 64 letters, digits, hyphens (-) and underscores (_)."
            )
        return room
