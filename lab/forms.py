"""The frame lab's two GET forms: what to encode, and what to decode.

Both read only the query string, so every result has an address to share. Input is
capped so that an address holding the largest input still fits the request line servers
accept (Daphne refuses more than 16 KiB of request line and headers; docs/protocol-lab.md).
"""

from django import forms

from . import frames, rfc6455

MAX_INPUT_CHARACTERS = 8192
MAX_PAYLOAD_BYTES = 4096

PAYLOAD_FORMATS = [("text", "Text (UTF-8)"), ("hex", "Hex"), ("base64", "Base64")]
OPCODE_CHOICES = [(code, f"0x{code:X} {rfc6455.opcode_name(code)}") for code in range(16)]
LENGTH_FORM_CHOICES = [
    ("", "Shortest (as RFC 6455 requires)"),
    ("16", "16-bit, even if shorter would do"),
    ("64", "64-bit, even if shorter would do"),
]
SENDERS = [(rfc6455.CLIENT, "Sent by the client"), (rfc6455.SERVER, "Sent by the server")]
TOO_LONG = "At most {limit} characters: the lab takes input that fits in a shareable link."


def described(name, **attrs):
    """Widget attributes tying a field to its hint and its error, both always in the page
    (id_<name>-hint, id_<name>-error), so the error is read with the field."""
    return {"aria-describedby": f"id_{name}-hint id_{name}-error", **attrs}


def capped(text):
    if len(text) > MAX_INPUT_CHARACTERS:
        raise forms.ValidationError(TOO_LONG.format(limit=MAX_INPUT_CHARACTERS))
    return text


class EncodeForm(forms.Form):
    payload = forms.CharField(
        label="Payload",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs=described("payload", rows=3, spellcheck="false")),
    )
    # Left out of an address, the format is text and the opcode 1 (text). FIN and the
    # other checkboxes follow HTML: left out means unticked.
    payload_format = forms.ChoiceField(
        label="Payload is",
        choices=PAYLOAD_FORMATS,
        initial="text",
        required=False,
        widget=forms.RadioSelect,
    )
    opcode = forms.TypedChoiceField(
        label="Opcode",
        choices=OPCODE_CHOICES,
        coerce=int,
        initial=rfc6455.TEXT,
        required=False,
        empty_value=rfc6455.TEXT,
        widget=forms.Select(attrs=described("opcode")),
    )
    fin = forms.BooleanField(label="FIN: final fragment", required=False, initial=True)
    rsv1 = forms.BooleanField(label="RSV1", required=False)
    rsv2 = forms.BooleanField(label="RSV2", required=False)
    rsv3 = forms.BooleanField(label="RSV3", required=False)
    mask = forms.BooleanField(label="Mask the payload", required=False, initial=True)
    masking_key = forms.CharField(
        label="Masking key",
        required=False,
        widget=forms.TextInput(
            attrs=described("masking_key", spellcheck="false", autocomplete="off")
        ),
    )
    length_form = forms.TypedChoiceField(
        label="Length encoding",
        choices=LENGTH_FORM_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean_payload(self):
        return capped(self.cleaned_data["payload"])

    def clean_payload_format(self):
        return self.cleaned_data["payload_format"] or "text"

    def clean_masking_key(self):
        text = capped(self.cleaned_data["masking_key"].strip())
        if not text:
            return None
        try:
            key = frames.parse_hex(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if len(key) != 4:
            raise forms.ValidationError(
                f"A masking key is exactly 4 bytes (8 hex digits, e.g. 37 fa 21 3d); "
                f"this is {len(key)}."
            )
        return key

    def clean(self):
        cleaned = super().clean()
        text, kind = cleaned.get("payload"), cleaned.get("payload_format")
        if text is None or kind is None:
            return cleaned  # the field's own error is shown
        try:
            if kind == "hex":
                payload = frames.parse_hex(text)
            elif kind == "base64":
                payload = frames.parse_base64(text)
            else:
                payload = text.encode()
        except ValueError as error:
            self.add_error("payload", str(error))
            return cleaned
        if len(payload) > MAX_PAYLOAD_BYTES:
            self.add_error(
                "payload", f"At most {MAX_PAYLOAD_BYTES} bytes; this payload is {len(payload)}."
            )
        cleaned["payload_bytes"] = payload
        return cleaned

    @property
    def wants_random_key(self):
        """Masked with no key given: the lab picks one, and the address then names it."""
        return self.cleaned_data["mask"] and self.cleaned_data["masking_key"] is None

    def frame(self, random_key=None):
        """The frame's bytes; call after is_valid(). `random_key` masks a frame for which
        no key was given."""
        data = self.cleaned_data
        key = (data["masking_key"] or random_key) if data["mask"] else None
        return frames.encode(
            data["payload_bytes"],
            data["opcode"],
            fin=data["fin"],
            rsv1=data["rsv1"],
            rsv2=data["rsv2"],
            rsv3=data["rsv3"],
            masking_key=key,
            length_form=data["length_form"],
        )


class DecodeForm(forms.Form):
    hex = forms.CharField(
        label="Frame bytes in hex",
        strip=False,
        widget=forms.Textarea(attrs=described("hex", rows=4, spellcheck="false")),
    )
    sender = forms.ChoiceField(
        label="Who sent them", choices=SENDERS, initial=rfc6455.CLIENT, widget=forms.RadioSelect
    )

    def clean_hex(self):
        text = capped(self.cleaned_data["hex"])
        try:
            data = frames.parse_hex(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if not data:
            raise forms.ValidationError("Paste at least one byte, e.g. 81 05 48 65 6c 6c 6f.")
        return data
