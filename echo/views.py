import time
from datetime import timedelta

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import closecodes, consumers
from .forms import TesterForm
from .limits import format_size
from .snippets import snippets


def duration_in_words(seconds):
    """ "4 s", "3 min 07 s", "2 h 05 min", "3 days 2 h": the two largest units."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def configured_limits():
    """The echo service's limits as settings configure them (0 turns a limit off)."""
    return {
        "size": format_size(settings.ECHO_MAX_MESSAGE_BYTES),
        "size_bytes": settings.ECHO_MAX_MESSAGE_BYTES,
        "rate": settings.ECHO_RATE_PER_SECOND,
        "burst": settings.ECHO_RATE_BURST,
        "idle": settings.ECHO_IDLE_TIMEOUT,
        "connections": settings.ECHO_MAX_CONNECTIONS_PER_ADDRESS,
    }


def tester(request):
    """The echo tester. A shared link pre-fills the form; the page never connects to a
    foreign URL by itself (its script connects on a click)."""
    form = TesterForm(request.GET)
    form.is_valid()
    scheme = "wss" if request.is_secure() else "ws"
    echo_url = f"{scheme}://{request.get_host()}/ws/echo/"
    snippet_url = form.cleaned_data.get("url") or echo_url
    context = {
        "form": form,
        "echo_url": echo_url,
        "snippets": snippets(snippet_url),
        "snippet_url": snippet_url,
        "close_codes": [
            (code, *words, closecodes.troubleshooting_url(code))
            for code, words in closecodes.REGISTRY.items()
        ],
        "close_ranges": [
            (3000, 3999, *closecodes.describe(3000)),
            (4000, 4999, *closecodes.describe(4000)),
        ],
        "limits": configured_limits(),
    }
    return render(request, "echo/echo.html", context)


@never_cache  # live figures: the response cache must not keep a copy (docs/response-cache.md)
def limits(request):
    """The echo service's published limits and guarantees, and this process's live figures."""
    uptime = time.monotonic() - consumers.started
    scheme = "wss" if request.is_secure() else "ws"
    context = {
        "limits": configured_limits(),
        "echo_url": f"{scheme}://{request.get_host()}/ws/echo/",
        "open_connections": consumers.connections.total,
        "uptime": duration_in_words(uptime),
        "uptime_seconds": int(uptime),
        "started_at": (timezone.now() - timedelta(seconds=uptime)).replace(microsecond=0),
    }
    return render(request, "echo/limits.html", context)
