import copy
from collections import Counter

from django.db import models
from django.db.models import Exists, OuterRef
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction

from guides.models import GuideIndexPage, GuidePage, GuideSectionPage

from . import process_cache
from .blocks import CardBlock, ModelDiagramBlock
from .routing import RoutedPage


class HomePage(Page):
    hero_heading = models.CharField(
        max_length=120, help_text="The site's promise in one line; the page's only h1."
    )
    hero_text = models.TextField(
        max_length=400, help_text="One or two sentences under the heading."
    )
    library_link_text = models.CharField(
        max_length=120, help_text="The call to browse the whole guide library."
    )
    tools = StreamField([("card", CardBlock())], help_text="The interactive tools.")
    how_it_works = StreamField(
        [("model", ModelDiagramBlock())],
        help_text="Communication models side by side, each with its diagram.",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hero_heading"), FieldPanel("hero_text")], heading="Hero"),
        FieldPanel("library_link_text"),
        FieldPanel("tools"),
        FieldPanel("how_it_works"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    # What routing, breadcrumbs, the pager's sibling query and view restrictions read of
    # the pages on a path; their other columns would only cost time to load.
    ROUTING_FIELDS = (
        "title",
        "url_path",
        "path",
        "depth",
        "numchild",
        "content_type",
        "live",
        "alias_of",
    )

    def route(self, request, path_components):
        """The page a path names, found by its `url_path` in two queries (the pages on
        the path, then the last one's specific row), where Wagtail walks the tree a level
        at a time with two queries a level. A path that names no page (a sub-route of a
        routable page, or nothing) takes Wagtail's walk, which decides it as before.

        The first query takes every page from the tree's root down, each with whether it
        carries a view restriction: a page that has none on its path is served without
        the query Wagtail makes to check them (RoutedPage.get_view_restrictions)."""
        if not path_components:
            return super().route(request, path_components)
        url_path = f"{self.url_path}{'/'.join(path_components)}/"
        # The url_paths of the pages on the way, one a level: "/", "/home/", ..., url_path.
        prefixes = [url_path[: end + 1] for end, char in enumerate(url_path) if char == "/"]
        restricted = PageViewRestriction.objects.filter(page=OuterRef("pk"))
        pages = (
            Page.objects.filter(url_path__in=prefixes)
            .only(*self.ROUTING_FIELDS)
            .annotate(view_restricted=Exists(restricted))
        )
        on_path = {page.url_path: page for page in pages}
        target = on_path.get(url_path)
        if target is None:
            return super().route(request, path_components)
        page = target.specific
        # As Wagtail's walk leaves it: the parent at hand for get_parent(), no query.
        parent_url_path = prefixes[-2]
        page._cached_parent_obj = (
            self if parent_url_path == self.url_path else on_path.get(parent_url_path)
        )
        if isinstance(page, RoutedPage) and all(prefix in on_path for prefix in prefixes):
            below_home = prefixes[prefixes.index(self.url_path) + 1 : -1]
            page.routed_ancestors = [self, *(on_path[prefix] for prefix in below_home)]
            page.routed_view_restricted = any(
                on_path[prefix].view_restricted for prefix in prefixes
            )
        return page.route(request, [])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.library_sections()
        return context

    def library_sections(self):
        """The library's live sections in page-tree order, each with its count of live
        guides: read from the tree, so a section an editor adds shows up by itself."""
        index = GuideIndexPage.objects.live().child_of(self).first()
        if index is None:
            return []
        sections = list(GuideSectionPage.objects.live().child_of(index).order_by("path"))
        depth = sections[0].depth if sections else 0
        paths = GuidePage.objects.live().descendant_of(index).values_list("path", flat=True)
        counts = Counter(path[: depth * GuidePage.steplen] for path in paths)
        for section in sections:
            section.guide_count = counts[section.path]
        return sections


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    tagline = models.CharField(
        max_length=160,
        default="The independent, practitioner-built reference for WebSocket technology.",
        help_text="Shown in the footer and used as the default meta description.",
    )
    footer_note = models.CharField(
        max_length=240,
        blank=True,
        default=(
            "Written by engineers who run real-time systems. No trackers, no third-party scripts."
        ),
    )

    panels = [FieldPanel("tagline"), FieldPanel("footer_note")]

    class Meta:
        verbose_name = "site settings"

    @classmethod
    def for_site(cls, site):
        """The settings row, kept in this process while nothing changes (every page's
        footer reads it: a query a render otherwise); a copy each time, which a caller
        (the settings form) may change without touching the kept one."""
        if site is None:
            return super().for_site(site)
        settings = process_cache.remembered(
            ("site settings", site.pk), lambda: super(SiteSettings, cls).for_site(site)
        )
        process_cache.record(settings)
        return copy.copy(settings)
