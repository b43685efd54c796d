import base64
import functools
import hashlib
import logging
import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from wagtail.models import Site
from wagtail.views import serve as wagtail_serve

from website import process_cache

logger = logging.getLogger("website")


class SecurityHeadersMiddleware:
    """Adds the headers Django 5.2 has no setting for: CSP and Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.ADMIN_PATH):
            policy = settings.ADMIN_CONTENT_SECURITY_POLICY
        elif settings.DEBUG and response.status_code == 404:
            policy = technical_404_policy()
        else:
            policy = settings.CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


@functools.cache
def technical_404_policy():
    """The site's policy, plus the hash of the one inline stylesheet of Django's technical
    404 page (DEBUG on): that page is readable and no other inline style is allowed."""
    from django.views.debug import builtin_template_path

    template = builtin_template_path("technical_404.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", template, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return settings.CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'sha256-{digest}'"
    )


class DatabaseUnavailableMiddleware:
    """Answers a friendly 503 page, not a stack trace, while the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable", extra={"event": "db_unavailable"})
        # Rendered without a request: the context processors would query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response


class KeptSiteMiddleware:
    """Wagtail finds the Site a request is for with a query on every page it serves, and
    the page's links (`pageurl`) need the sites' root paths, which Wagtail reads from the
    cache (a Redis round trip in production) once per request. This gives the page view
    the copies kept in this process instead (website/process_cache.py), through the
    attributes where Wagtail keeps them for a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve:
            return
        host = (split_domain_port(request.get_host())[0], request.get_port())
        try:
            site = process_cache.remembered(("site", host), lambda: Site.find_for_request(request))
            root_paths = process_cache.kept_only(("site root paths",), Site.get_site_root_paths)
        except (OperationalError, InterfaceError):
            # Left to the view, which meets it again: DatabaseUnavailableMiddleware answers
            # errors raised in views, not in middleware.
            return
        if site is not None:
            process_cache.record(site.root_page)
        request._wagtail_site = site
        if root_paths is not None:
            request._wagtail_cached_site_root_paths = root_paths
