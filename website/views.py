"""Site-wide views: what crawlers read about the whole site."""

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap


@require_safe
def robots_txt(request):
    """Keep crawlers out of the two admins and the search results; point them to the
    sitemap. The paths come from the URL configuration, so they cannot drift from it."""
    private = [reverse("wagtailadmin_home"), reverse("admin:index"), reverse("guides:search")]
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in private),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class RequestHostSitemap(Sitemap):
    """Wagtail's sitemap, with URLs on the host the sitemap was requested from (like the
    canonical links), rather than the Site record's hostname."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            url["location"] = self.request.build_absolute_uri(urlsplit(url["location"]).path)
        return urls


@require_safe
def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": RequestHostSitemap})
