from collections import Counter

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page

from guides.models import GuideIndexPage, GuidePage, GuideSectionPage

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
        routable page, or nothing) takes Wagtail's walk, which decides it as before."""
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            f"{self.url_path}{'/'.join(path_components[:depth])}/"
            for depth in range(1, len(path_components) + 1)
        ]
        pages = Page.objects.filter(url_path__in=prefixes).only(*self.ROUTING_FIELDS)
        on_path = {page.url_path: page for page in pages}
        target = on_path.get(prefixes[-1])
        if target is None:
            return super().route(request, path_components)
        page = target.specific
        # As Wagtail's walk leaves it: the parent at hand for get_parent(), no query.
        page._cached_parent_obj = on_path.get(prefixes[-2]) if len(prefixes) > 1 else self
        ancestors = [on_path.get(prefix) for prefix in prefixes[:-1]]
        if isinstance(page, RoutedPage) and None not in ancestors:
            page.routed_ancestors = [self, *ancestors]
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
