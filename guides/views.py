from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from .models import GuidePage, GuideSectionPage
from .text import searchable_words, title_first

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True)

    def query(self):
        """The query to run (whitespace collapsed, at most MAX_QUERY_LENGTH characters)
        and whether it had to be shortened."""
        self.is_valid()
        text = " ".join(self.cleaned_data.get("q", "").replace("\x00", " ").split())
        return text[:MAX_QUERY_LENGTH].strip(), len(text) > MAX_QUERY_LENGTH


@require_safe
def search(request):
    query, shortened = SearchForm(request.GET).query()
    results = []
    terms = searchable_words(query)
    if terms:
        found = GuidePage.objects.live().defer_streamfields().search(terms, operator="and")
        results = sorted(found, key=lambda hit: title_first(terms, hit.title, hit.summary))
    listing = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    sections = {section.slug: section for section in GuideSectionPage.objects.live()}
    hits = list(listing.object_list)
    for hit in hits:
        hit.section_page = sections.get(hit.section_slug)
    return TemplateResponse(
        request,
        "guides/search.html",
        {
            "search_query": query,
            "shortened": shortened,
            "no_words": bool(query) and not terms,
            "max_length": MAX_QUERY_LENGTH,
            "listing": listing,
            "hits": hits,
            "page_query": urlencode({"q": query}),
            "meta_title": f"Search: {query}" if query else "Search the guides",
        },
    )
