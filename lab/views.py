"""The protocol lab: the tools index, and the frame lab as a page and as JSON.

The frame lab reads only the query string, so a result is a function of its address and
can be shared. One exception: a masked frame with no key given gets a random key, and the
page then redirects to the address that names it (the JSON API, which does not redirect,
marks such an answer uncacheable).
"""

from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from echo import closecodes

from . import dump, frames, rfc6455
from .forms import MAX_INPUT_CHARACTERS, MAX_PAYLOAD_BYTES, DecodeForm, EncodeForm

MODES = ("encode", "decode")
TOO_MANY = "The address has too many parameters: fill in the form below and submit again."
JSON_PARAMS = {"indent": 2, "ensure_ascii": False}
# Frames annotated in the page: 4 KiB of 2-byte frames would be 2,048 tables. The JSON
# has them all.
MAX_FRAMES_SHOWN = 64
GUIDES = {
    "frame_format": "/guides/internals/frame-format/",
    "fragmentation": "/guides/internals/fragmentation-and-control-frames/",
    "close_codes": "/guides/internals/closing-handshake-and-close-codes/",
}


def index(request):
    return render(request, "lab/index.html")


def read_forms(request):
    """(mode, encode form, decode form, refusal): the form the query string names is bound
    to it, the other is blank; refusal is a sentence when the query could not be read."""
    try:
        query = request.GET
    except TooManyFieldsSent:
        return None, EncodeForm(), DecodeForm(), TOO_MANY
    mode = query.get("mode")
    encode_form = EncodeForm(query if mode == "encode" else None)
    decode_form = DecodeForm(query if mode == "decode" else None)
    return (mode if mode in MODES else None), encode_form, decode_form, None


def run(mode, encode_form, decode_form, random_key=None):
    """The bytes and who sent them, from whichever form was submitted and is valid."""
    if mode == "encode" and encode_form.is_valid():
        data = encode_form.frame(random_key)
        return data, rfc6455.CLIENT if encode_form.cleaned_data["mask"] else rfc6455.SERVER
    if mode == "decode" and decode_form.is_valid():
        return decode_form.cleaned_data["hex"], decode_form.cleaned_data["sender"]
    return None, None


def frame_views(decoded):
    """Per frame, what the template shows: the dump's rows and strip, and its problems."""
    return [
        {
            "number": index + 1,
            "frame": frame,
            "rows": dump.rows(frame),
            "segments": dump.segments(frame),
            "problems": [p for p in decoded.problems if p.frame == index],
        }
        for index, frame in enumerate(decoded.frames)
    ]


def message_views(decoded):
    found = []
    for message in decoded.messages:
        close = None
        if message.close_code is not None:
            close = closecodes.describe(message.close_code)[0]
        found.append(
            {
                "message": message,
                "frame_numbers": [index + 1 for index in message.frames],
                "hex": dump.preview(message.payload),
                "close_name": close,
            }
        )
    return found


def frame_lab(request):
    mode, encode_form, decode_form, refused = read_forms(request)
    if mode == "encode" and encode_form.is_valid() and encode_form.wants_random_key:
        query = request.GET.copy()
        query["masking_key"] = frames.to_hex(frames.random_masking_key())
        return redirect(f"{request.path}?{query.urlencode()}")
    data, sender = run(mode, encode_form, decode_form)
    context = {
        "mode": mode,
        "encode_form": encode_form,
        "decode_form": decode_form,
        "refused": refused,
        "guides": GUIDES,
        "max_characters": MAX_INPUT_CHARACTERS,
        "max_payload": MAX_PAYLOAD_BYTES,
    }
    if data is not None:
        decoded = frames.decode(data, sender)
        query = QueryDict(mutable=True)
        query.update({"mode": "decode", "hex": frames.to_hex(data), "sender": sender})
        context.update(
            decoded=decoded,
            frame_bytes=data,
            frame_hex=frames.to_hex(data),
            sender=sender,
            frames=frame_views(decoded)[:MAX_FRAMES_SHOWN],
            frames_not_shown=max(0, len(decoded.frames) - MAX_FRAMES_SHOWN),
            messages=message_views(decoded),
            decode_url=f"{reverse('lab:frames')}?{query.urlencode()}",
            json_url=f"{reverse('lab:frames_api')}?{request.GET.urlencode()}",
        )
    invalid = (
        refused
        or (mode == "encode" and encode_form.errors)
        or (mode == "decode" and decode_form.errors)
    )
    return render(request, "lab/frames.html", context, status=400 if invalid else 200)


def frame_api(request):
    mode, encode_form, decode_form, refused = read_forms(request)
    if refused:
        return json_errors({"query": [refused]})
    if mode is None:
        return json_errors({"mode": ["Say mode=encode or mode=decode."]})
    form = encode_form if mode == "encode" else decode_form
    if not form.is_valid():
        return json_errors({name: list(errors) for name, errors in form.errors.items()})
    random_key = mode == "encode" and form.wants_random_key
    data, sender = run(mode, encode_form, decode_form, frames.random_masking_key())
    body = {"mode": mode, "bytes": frames.to_hex(data), "sender": sender}
    body.update(frames.as_dict(frames.decode(data, sender)))
    response = JsonResponse(body, json_dumps_params=JSON_PARAMS)
    if random_key:
        add_never_cache_headers(response)  # another request gets another key
    return response


def json_errors(errors):
    return JsonResponse({"errors": errors}, status=400, json_dumps_params=JSON_PARAMS)
