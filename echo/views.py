from django.conf import settings
from django.shortcuts import render

from . import closecodes
from .forms import TesterForm
from .limits import format_size
from .snippets import snippets


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
        "close_codes": [(code, *words) for code, words in closecodes.REGISTRY.items()],
        "close_ranges": [
            (3000, 3999, *closecodes.describe(3000)),
            (4000, 4999, *closecodes.describe(4000)),
        ],
        "limits": {
            "size": format_size(settings.ECHO_MAX_MESSAGE_BYTES),
            "rate": settings.ECHO_RATE_PER_SECOND,
            "burst": settings.ECHO_RATE_BURST,
            "idle": settings.ECHO_IDLE_TIMEOUT,
            "connections": settings.ECHO_MAX_CONNECTIONS_PER_ADDRESS,
        },
    }
    return render(request, "echo/echo.html", context)
