"""The guide library: an index at /guides/, its sections, the guides under them."""

import re
from contextvars import ContextVar
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.dispatch import receiver
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import (
    CommentPanel,
    FieldPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.signals import page_published

from website import process_cache
from website.routing import RoutedPage

from .blocks import GuideStreamBlock, first_column, read_with_guides
from .code import code_key, highlight
from .live_guides import LiveGuides
from .panels import NativeDateInput, SchedulePanel
from .text import count_words, reading_minutes, row_anchors, slugify, unique_anchors

DIFFICULTY_CHOICES = [
    ("beginner", "Beginner"),
    ("intermediate", "Intermediate"),
    ("advanced", "Advanced"),
]
GUIDES_PER_PAGE = 24
_PAGE_LINK_ID = re.compile(r"<a\b[^>]*\blinktype=\"page\"[^>]*\bid=\"(\d+)\"|"
                           r"<a\b[^>]*\bid=\"(\d+)\"[^>]*\blinktype=\"page\"")  # fmt: skip


class Author(models.Model):
    """A person (or team) credited on guides; a snippet editors manage in the admin."""

    key = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name that guide files use in their front matter, e.g. jdoe.",
    )
    name = models.CharField(max_length=120)
    bio = models.TextField(max_length=600, blank=True, help_text="One or two sentences.")
    url = models.URLField(blank=True, help_text="Optional: a personal site or profile.")
    # What load_guides last wrote, to tell whether an editor changed the author since.
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    panels = [FieldPanel("name"), FieldPanel("key"), FieldPanel("bio"), FieldPanel("url")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ListingPage(RoutedPage, Page):
    """A page that lists guides under a short introduction: the library and its sections."""

    intro = models.TextField(max_length=600, help_text="One paragraph under the title.")

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        abstract = True


class GuideIndexPage(ListingPage):
    """The library at /guides/: every guide, filterable by section, tag and difficulty."""

    parent_page_types = ["website.HomePage"]
    subpage_types = ["guides.GuideSectionPage"]
    max_count = 1

    class Meta:
        verbose_name = "guide library"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        sections = list(self.get_children().live().specific().order_by("path"))
        in_library = GuidePage.objects.live().descendant_of(self)
        tags = list(in_library.tag_counts())
        form = GuideFilterForm(request.GET, sections=sections, tags=tags)
        filters = form.filters()
        section = next((s for s in sections if s.slug == filters["section"]), None)
        guides = in_library.matching(
            section=section, tag=filters["tag"], difficulty=filters["difficulty"]
        ).for_listing()
        listing = Paginator(guides, GUIDES_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            filter_form=form,
            filters=filters,
            listing=listing,
            guides=with_sections(listing.object_list, sections),
            sections=sections,
            section_links=facet_links(
                filters, "section", [(s.slug, s.title) for s in sections], "All sections"
            ),
            difficulty_links=facet_links(
                filters, "difficulty", DIFFICULTY_CHOICES, "Any difficulty"
            ),
            tag_links=facet_links(
                filters, "tag", [(t.slug, f"{t.name} ({t.guide_count})") for t in tags], "Any tag"
            ),
            active_section=section,
            active_tag=next((t for t in tags if t.slug == filters["tag"]), None),
            filtered=any(filters.values()),
            page_query=query_without_page(filters),
        )
        return context


class GuideSectionPage(ListingPage):
    """One section of the library, e.g. Protocol internals, listing its guides in order."""

    parent_page_types = ["guides.GuideIndexPage"]
    subpage_types = ["guides.GuidePage"]

    class Meta:
        verbose_name = "guide section"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = GuidePage.objects.live().child_of(self).for_listing()
        return context


class GuidePageQuerySet(PageQuerySet):
    """Guides as the library lists and filters them."""

    def in_section(self, section):
        return self.descendant_of(section)

    def tagged(self, slug):
        return self.filter(tags__slug=slug)

    def of_difficulty(self, difficulty):
        return self.filter(difficulty=difficulty)

    def matching(self, *, section=None, tag="", difficulty=""):
        """These guides narrowed by each filter that is given."""
        guides = self
        if section:
            guides = guides.in_section(section)
        if tag:
            guides = guides.tagged(tag)
        if difficulty:
            guides = guides.of_difficulty(difficulty)
        return guides

    def for_listing(self):
        """In page-tree order, without their bodies, with their tags in one more query."""
        return self.defer_streamfields().order_by("path").prefetch_related("tags")

    def tag_counts(self):
        """The tags these guides carry, each with `guide_count`, by name. A tag no guide
        here carries any more is not among them."""
        return (
            Tag.objects.filter(guides_guidepagetag_items__content_object__in=self.values("pk"))
            .annotate(guide_count=Count("guides_guidepagetag_items"))
            .order_by("name")
        )


class GuidePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "guides.GuidePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class GuidePage(RoutedPage, Page):
    objects = PageManager.from_queryset(GuidePageQuerySet)()

    summary = models.TextField(
        max_length=600,
        help_text="One paragraph, plain text: what the reader learns and why it matters. "
        "Shown under the title, in listings, search results and the feed.",
    )
    difficulty = models.CharField(max_length=20, choices=DIFFICULTY_CHOICES, default="beginner")
    tags = ClusterTaggableManager(
        through=GuidePageTag,
        blank=True,
        help_text="Lower-case topics such as handshake or security; related guides share tags.",
    )
    authors = ParentalManyToManyField(
        "guides.Author", blank=True, related_name="guides", help_text="Who wrote the guide."
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When the guide was last checked against its sources. Shown to readers.",
    )
    body = StreamField(GuideStreamBlock(), help_text="The guide itself, block by block.")
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False)
    # Pygments output per code sample, made when the page is saved (see clean()).
    highlighted_code = models.JSONField(default=dict, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    details_panels = [
        MultiFieldPanel(
            [
                FieldPanel("difficulty"),
                FieldPanel("tags"),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("last_reviewed", widget=NativeDateInput),
            ],
            heading="About this guide",
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(details_panels, heading="Details"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList([SchedulePanel(), CommentPanel()], heading="Settings"),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("difficulty"),
    ]
    parent_page_types = ["guides.GuideSectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "guide"

    def clean(self):
        super().clean()
        self.prepare_body()

    def prepare_body(self):
        """Derived data, refreshed on every save and revision: heading anchors, reading
        time and the highlighted HTML of each code sample (so views never run Pygments)."""
        headings = [child for child in self.body if child.block_type == "heading"]
        wanted = [child.value["anchor"] or slugify(child.value["text"]) for child in headings]
        for child, anchor in zip(headings, unique_anchors(wanted), strict=True):
            child.value["anchor"] = anchor

        prose, code_lines, highlighted = [], 0, {}
        for sample in self.code_samples():
            language = sample["language"] or "text"
            key = code_key(sample["code"], language, sample["highlight"])
            highlighted[key] = highlight(sample["code"], language, sample["highlight"])
            code_lines += sample["code"].count("\n") + 1
        for child in self.body:
            if child.block_type == "diagram":  # Looked at like code, not read like prose.
                code_lines += child.value["text"].count("\n") + 1
                prose.append(child.value["caption"])
            elif child.block_type not in ("code", "code_tabs"):
                prose.extend(child.block.get_searchable_content(child.value))
        words = count_words(" ".join([self.summary, *map(str, prose)]))
        self.reading_time = reading_minutes(words + code_lines * 5)
        self.highlighted_code = highlighted

    def get_indexed_instance(self):
        """Nothing to index while indexing is deferred: Wagtail's search skips a page
        for which this returns None."""
        return None if search_indexing_deferred.get() else super().get_indexed_instance()

    def code_samples(self):
        for child in self.body:
            if child.block_type == "code":
                yield child.value
            elif child.block_type == "code_tabs":
                yield from child.value["tabs"]

    def table_of_contents(self):
        """[{text, anchor, children: [...]}] from the h2/h3 headings; no queries."""
        toc = []
        for child in self.body.raw_data:
            if child["type"] != "heading":
                continue
            value = child["value"]
            entry = {
                "text": value["text"],
                "anchor": value["anchor"] or slugify(value["text"]),
                "children": [],
            }
            if value["level"] == "h3" and toc:
                toc[-1]["children"].append(entry)
            else:
                toc.append(entry)
        return toc

    def table_row_anchors(self):
        """{table block id: [its rows' ids]} for the tables whose first column names the
        rows: ids unique on the page, clear of the heading anchors (guides.text.row_anchors).
        Made from the stored body on each view, with no queries."""
        raw = self.body.raw_data
        headings = [
            child["value"].get("anchor") or slugify(child["value"]["text"])
            for child in raw
            if child["type"] == "heading"
        ]
        tables = [
            child
            for child in raw
            if child["type"] == "table" and child["value"].get("first_column_is_header")
        ]
        firsts = []
        for child in tables:
            table = child["value"]["table"]
            columns = [(column["type"], column["heading"]) for column in table["columns"]]
            firsts.append(first_column(columns, [row["values"] for row in table["rows"]]))
        anchors = row_anchors(firsts, taken=headings)
        return {child.get("id"): ids for child, ids in zip(tables, anchors, strict=True)}

    def page_link_ids(self):
        """Ids of the pages linked from the body's rich text; no queries."""
        ids = set()
        for match in _PAGE_LINK_ID.finditer(str(self.body.raw_data)):
            ids.add(int(match.group(1) or match.group(2)))
        return ids

    def linked_pages(self, ids, kept=None):
        """{id: page} for the pages `ids` names, with only what a link to one shows (a
        guide's summary too: as_guide). Those `kept` (LiveGuides) holds come from it as
        GuidePages; the others in one query."""
        found = {pk: kept.get(pk) for pk in ids} if kept else {}
        missing = [pk for pk in ids if found.get(pk) is None]
        if missing:
            pages = Page.objects.filter(id__in=missing).select_related("guidepage")
            found.update(pages.only("title", "url_path", "live", "guidepage__summary").in_bulk())
        return {pk: page for pk, page in found.items() if page is not None}

    def related_block_guide_ids(self):
        """Ids of the guides chosen in the body's related-guides blocks; no queries."""
        ids = set()
        for child in self.body.raw_data:
            if child["type"] == "related":
                for item in child["value"]["guides"]:
                    ids.add(item["value"] if isinstance(item, dict) else item)
        return ids

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        kept = kept_live_guides()
        ancestors = self.ancestors_below_root()
        section = ancestors[-1] if ancestors else None
        siblings = self.guides_beside(section, kept)
        position = next((i for i, p in enumerate(siblings) if p.pk == self.pk), None)
        previous_guide = siblings[position - 1] if position else None
        next_guide = (
            siblings[position + 1]
            if position is not None and position + 1 < len(siblings)
            else None
        )
        # Each guide is offered once: the pager first, then the related-guides blocks
        # (RelatedGuidesBlock leaves out the pager's), then guides sharing tags.
        in_pager = {guide.pk for guide in (previous_guide, next_guide) if guide}
        tags = list(self.tags.all())
        # The pages the rich text links to and the guides the related-guides blocks
        # choose, in one query; the blocks are read now, taking their guides from it.
        link_ids, chosen_ids = self.page_link_ids(), self.related_block_guide_ids()
        linked = self.linked_pages(link_ids | chosen_ids, kept)
        if chosen_ids:
            read_with_guides(self.body, {pk: as_guide(linked.get(pk)) for pk in chosen_ids})
        related_guides = self.related_by_tags(tags, exclude=in_pager | chosen_ids, kept=kept)
        if kept:
            # Loading them would have told the response cache that this page shows them.
            for page in (*siblings, *linked.values(), *related_guides):
                process_cache.record(page)
        context.update(
            breadcrumbs=ancestors,
            section=section,
            previous_guide=previous_guide,
            next_guide=next_guide,
            guides_in_pager=in_pager,
            guide_tags=tags,
            authors=list(self.authors.all()),
            related_guides=related_guides,
            toc=self.table_of_contents(),
            page_links={
                str(pk): page.get_url(request) for pk, page in linked.items() if pk in link_ids
            },
            table_row_anchors=self.table_row_anchors(),
        )
        return context

    def guides_beside(self, section, kept=None):
        """The live guides of this guide's section, this one among them if live, in tree
        order, with only what the pager shows."""
        if section is None:
            return []
        if kept:
            return kept.children_of(section.path, section.depth)
        return list(section.get_children().live().only("title", "url_path"))

    def related_by_tags(self, tags, exclude=(), limit=3, kept=None):
        """Live guides sharing the most of `tags`, other than this one and `exclude`."""
        if not tags:
            return []
        if kept:
            return kept.sharing_tags([tag.pk for tag in tags], {self.pk, *exclude}, limit)
        return list(
            GuidePage.objects.live()
            .exclude(pk__in=[self.pk, *exclude])
            .filter(tagged_items__tag__in=[tag.pk for tag in tags])
            .annotate(shared_tags=Count("tagged_items"))
            .order_by("-shared_tags", "title")
            .defer_streamfields()
            .only(*LIVE_GUIDE_FIELDS)[:limit]
        )

    @cached_property
    def section_slug(self):
        parts = self.url_path.strip("/").split("/")
        return parts[-2] if len(parts) >= 2 else ""


# What a guide page shows of the others (its pager, related guides, links to them) and
# where they sit in the tree.
LIVE_GUIDE_FIELDS = (
    "title",
    "url_path",
    "path",
    "depth",
    "live",
    "summary",
    "difficulty",
    "reading_time",
)


def kept_live_guides():
    """The library's live guides with their tags (LiveGuides), kept in this process until
    the next change; None where nothing can be kept, for the queries instead."""
    return process_cache.kept_only(("live guides",), read_live_guides)


def read_live_guides():
    guides = GuidePage.objects.live().defer_streamfields().only(*LIVE_GUIDE_FIELDS)
    tag_pairs = GuidePageTag.objects.filter(content_object__live=True).values_list(
        "content_object_id", "tag_id"
    )
    return LiveGuides(guides.order_by("title"), tag_pairs)


def as_guide(page):
    """The GuidePage of `page` (from GuidePage.linked_pages), or None if it is no guide."""
    if isinstance(page, GuidePage):
        return page
    return getattr(page, "guidepage", None)


# True while load_guides saves guides: it indexes each one once, at the end, instead
# of on each of its three or four saves. A context variable, so a thread or task
# saving guides meanwhile still indexes its own.
search_indexing_deferred = ContextVar("search_indexing_deferred", default=False)


@receiver(page_published, sender=GuidePage)
def index_guide_with_its_tags(sender, instance, **kwargs):
    """Wagtail indexes a page on post_save, which comes before ClusterableModel saves the
    page's tags; index a published guide again once they are saved, so tags are searchable."""
    index.insert_or_update_object(instance)


class GuideImport(models.Model):
    """What load_guides imported from guides/content/, to keep re-runs idempotent and
    never overwrite an editor's work: the page, the section it was filed under, a
    fingerprint of the generated content and the revision the loader published."""

    slug = models.SlugField(max_length=255, unique=True)
    page = models.OneToOneField(
        GuidePage, null=True, on_delete=models.SET_NULL, related_name="import_record"
    )
    section = models.SlugField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.slug


# Listing helpers -----------------------------------------------------------------------


class CaseInsensitiveChoiceField(forms.ChoiceField):
    """A choice among lower-case values, whatever the case typed: ?tag=Backpressure."""

    def to_python(self, value):
        return super().to_python(value).lower()


class GuideFilterForm(forms.Form):
    """The library's filters, read from the query string; a value that is not one of
    the choices is reported and ignored rather than failing the page."""

    section = CaseInsensitiveChoiceField(required=False)
    tag = CaseInsensitiveChoiceField(required=False)
    difficulty = CaseInsensitiveChoiceField(
        required=False, choices=[("", "Any"), *DIFFICULTY_CHOICES]
    )

    def __init__(self, data, sections, tags):
        super().__init__(data)
        self.fields["section"].choices = [("", "All"), *((s.slug, s.title) for s in sections)]
        self.fields["tag"].choices = [("", "Any"), *((t.slug, t.name) for t in tags)]

    def filters(self):
        self.is_valid()
        return {
            name: self.cleaned_data.get(name, "") if name not in self.errors else ""
            for name in ("section", "tag", "difficulty")
        }


def query_without_page(filters, **changes):
    params = {**filters, **changes}
    return urlencode({key: value for key, value in params.items() if value})


def facet_links(filters, name, choices, all_label):
    """Links for one filter group: each keeps the other filters and resets the page."""
    links = []
    for value, label in [("", all_label), *choices]:
        query = query_without_page(filters, **{name: value})
        links.append(
            {
                "label": label,
                "href": f"?{query}" if query else "./",
                "current": filters[name] == value,
            }
        )
    return links


def with_sections(guides, sections):
    """Attach each guide's section page without a query per guide."""
    by_slug = {section.slug: section for section in sections}
    guides = list(guides)
    for guide in guides:
        guide.section_page = by_slug.get(guide.section_slug)
    return guides
