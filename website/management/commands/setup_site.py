from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from website.models import HomePage

HOME_CONTENT = {
    "title": "Home",
    "slug": "home",
    "seo_title": "WebSocket Reference — learn, test and choose real-time protocols",
    "search_description": (
        "Protocol internals, production patterns, scaling guides and honest comparisons "
        "of real-time protocols, with a live echo tester and a protocol finder."
    ),
    "hero_heading": "Real-time on the web, explained by people who run it",
    "hero_text": (
        "How WebSockets work from the HTTP upgrade to the last close frame, how to run them "
        "at scale, and when another protocol is the better choice — with code that is tested."
    ),
    "library_link_text": "Browse the whole guide library",
    "tools": [
        (
            "card",
            {
                "title": "Echo tester",
                "text": "Send messages and see them echoed back instantly. No signup, no setup: "
                "test this site's echo service or any endpoint of your own.",
                "link": "/echo/",
                "link_label": "Open the echo tester",
            },
        ),
        (
            "card",
            {
                "title": "Protocol finder",
                "text": "Answer a few questions about your use case and get a recommendation, "
                "with the reasons and the runners-up.",
                "link": "/finder/",
                "link_label": "Find your protocol",
            },
        ),
    ],
    "how_it_works": [
        (
            "model",
            {
                "diagram": "http",
                "title": "HTTP request/response",
                "summary": "One request, one response, and the exchange is over.",
            },
        ),
        (
            "model",
            {
                "diagram": "sse",
                "title": "Server-Sent Events",
                "summary": "One request, then the server streams events to the client only.",
            },
        ),
        (
            "model",
            {
                "diagram": "websocket",
                "title": "WebSocket",
                "summary": "One upgrade, then a persistent full-duplex channel; either side sends.",
            },
        ),
    ],
}


class Command(BaseCommand):
    help = (
        "Create the home page and point the default site at it. Idempotent: once a "
        "home page exists it is left exactly as editors made it."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if HomePage.objects.exists():
            self.stdout.write("Home page exists; left unchanged.")
            return
        root = Page.get_first_root_node()
        # Wagtail's own migration made a "Welcome" page at slug "home" (deleting it
        # deletes the site that points at it).
        root.get_children().filter(slug=HOME_CONTENT["slug"]).delete()
        home = root.add_child(instance=HomePage(**HOME_CONTENT, live=False))
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "port": 80,
                "root_page": home,
                "site_name": "WebSocket Reference",
            },
        )
        self.stdout.write(self.style.SUCCESS("Created and published the home page."))
