"""The race page and its HTTP endpoints: create, clock, poll, long poll, Server-Sent Events.

The waiting endpoints (long poll, SSE) answer with a streamed body from an async
generator, which Django cancels the moment the client disconnects; race/asgi.py serves
them without a thread per waiting client.

None of these responses may be cached: each says `Cache-Control: no-store`.
"""

import functools
import json
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from echo.consumers import forwarded_for, trusted_networks
from echo.limits import client_address

from . import readers, rules, snippets, source, store
from .forms import RaceForm

# A long poll is answered after this long without an event: well inside the
# 30-second proxy timeouts common in front of applications (and in deploy/).
LONG_POLL_HOLD = 20.0
# An SSE comment this often keeps idle connections open through proxies.
KEEP_ALIVE = 15.0
# Client reconnection delay announced to EventSource.
SSE_RETRY_MS = 1000


def limits():
    return rules.Limits(
        max_rate=settings.RACE_MAX_RATE,
        max_bytes=settings.RACE_MAX_BYTES,
        max_seconds=settings.RACE_MAX_SECONDS,
    )


def address_of(scope):
    """The client address the race limits count against (echo's rules and proxies)."""
    client = scope.get("client")
    return client_address(
        client[0] if client else None,
        forwarded_for(scope.get("headers", ())),
        trusted_networks(tuple(settings.TRUSTED_PROXIES)),
    )


def error(status, message, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


TOO_MANY_READERS = "This race has as many readers as it may have: try again when one leaves."


def too_many_readers():
    return error(429, TOO_MANY_READERS)


def endpoints(request, race_id):
    scheme = "wss" if request.is_secure() else "ws"
    return {
        "poll": reverse("race:poll", args=[race_id]),
        "long_poll": reverse("race:long_poll", args=[race_id]),
        "sse": reverse("race:events", args=[race_id]),
        "websocket": f"{scheme}://{request.get_host()}/ws/race/{race_id}/",
    }


def page(request):
    """The race page. Its form is filled from the address (a finder result's preset)."""
    form = RaceForm(request.GET or None, limits=limits())
    example = endpoints(request, "RACE_ID")
    context = {
        "form": form,
        "limits": limits(),
        "max_per_address": settings.RACE_MAX_PER_ADDRESS,
        "highlight": form.chosen_lane(),
        "lanes": form.lanes(),
        "snippets": snippets.snippets(request.build_absolute_uri("/").rstrip("/"), example),
        "lead": store.LEAD_SECONDS,
        "idle": store.IDLE_SECONDS,
        "hold": LONG_POLL_HOLD,
    }
    return render(request, "race/race.html", context)


def race_view(view):
    """Looks the race up (404 when it is unknown or expired) and marks the answer
    uncacheable."""

    @never_cache
    @require_GET
    @functools.wraps(view)
    async def wrapper(request, race_id):
        race = await store.get(race_id)
        if race is None:
            return error(404, "No such race: it never existed or ended long ago.")
        return await view(request, race)

    return wrapper


@csrf_exempt
@never_cache
@require_POST
async def create(request):
    """Starts a race: JSON in (rate, size, duration), the race and its endpoints out.

    No CSRF token (the page is cached, and a race changes nothing for anyone): a
    cross-site page cannot send `application/json` without a CORS preflight, which this
    site never grants, so requiring it keeps other sites from starting races.
    """
    if request.content_type != "application/json":
        return error(415, "Send the race as JSON (Content-Type: application/json).")
    try:
        data = json.loads(request.body)
    except ValueError:
        return error(400, "The body is not JSON.")
    if not isinstance(data, dict):
        return error(400, "The body must be a JSON object with rate, size and duration.")
    spec, errors = rules.parse_spec(data, limits())
    if errors:
        return error(400, "Some values are out of range.", fields=errors)
    race = await store.create(spec, address_of(request.scope), settings.RACE_MAX_PER_ADDRESS)
    if race is None:
        return error(
            429,
            f"At most {settings.RACE_MAX_PER_ADDRESS} races at a time from your address: "
            "wait for one to finish.",
        )
    source.start(race)
    body = {
        "id": race.id,
        "rate": race.rate,
        "size": race.size,
        "duration": race.duration,
        "total": race.total,
        "starts_at": race.starts_at * 1000,
        "endpoints": endpoints(request, race.id),
    }
    return JsonResponse(body, status=201)


@never_cache
@require_GET
def clock(request):
    """The server's time in milliseconds since the epoch, for the page's clock offset."""
    return JsonResponse({"now": time.time() * 1000})


def batch(events, finished):
    """A poll's answer: the events (JSON text, embedded as they are) and whether the
    race is over."""
    items = ",".join(data for _, data in events)
    return f'{{"events":[{items}],"done":{"true" if finished else "false"}}}'


def json_body(text):
    return HttpResponse(text, content_type="application/json")


@race_view
async def poll(request, race):
    """Plain polling: the events logged after `?after=`, at once, often none."""
    after = rules.parse_last_event_id(request.GET.get("after"))
    await store.touch(race)
    events, done = await store.events_after(race.id, after)
    last = events[-1][0] if events else after
    return json_body(batch(events, done is not None and last >= done))


@race_view
async def long_poll(request, race):
    """Long polling: the events after `?after=` as soon as there is one, or an empty
    answer after LONG_POLL_HOLD seconds."""
    after = rules.parse_last_event_id(request.GET.get("after"))
    if not await store.take_reader(race):
        return too_many_readers()

    async def answer():
        try:
            events, finished = await readers.wait_for_events(race, after, LONG_POLL_HOLD)
            yield batch(events, finished)
        finally:
            await store.release_reader(race)

    return StreamingHttpResponse(answer(), content_type="application/json")


@race_view
async def events(request, race):
    """Server-Sent Events: every event after `Last-Event-ID` (or `?after=`), then an
    `end` event. A reconnection after the end gets 204, which stops EventSource."""
    after = rules.parse_last_event_id(
        request.headers.get("Last-Event-ID", request.GET.get("after"))
    )
    _, done = await store.events_after(race.id, after)
    if done is not None and after >= done:
        return HttpResponse(status=204)

    if not await store.take_reader(race):
        return too_many_readers()

    async def stream():
        try:
            yield f"retry: {SSE_RETRY_MS}\n\n"
            async for item in readers.follow(race, after, KEEP_ALIVE):
                yield ": keep-alive\n\n" if item is None else rules.sse_frame(*item)
            yield "event: end\ndata: {}\n\n"
        finally:
            await store.release_reader(race)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
