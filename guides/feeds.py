from datetime import UTC, datetime, time

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from .models import GuidePage

FEED_LENGTH = 20


def updated_at(guide):
    """When a guide last changed for readers: published, or reviewed, whichever is later."""
    moments = [guide.last_published_at or guide.first_published_at]
    if guide.last_reviewed:
        moments.append(datetime.combine(guide.last_reviewed, time.min, tzinfo=UTC))
    return max(moment for moment in moments if moment is not None)


class RecentGuidesFeed(Feed):
    """Atom feed of the guides most recently published or reviewed."""

    feed_type = Atom1Feed
    title = "WebSocket Reference: recent guides"
    subtitle = "Guides published or reviewed recently."
    link = "/guides/"
    feed_url = "/guides/feed.xml"
    author_name = "WebSocket Reference"

    def items(self):
        guides = GuidePage.objects.live().defer_streamfields().prefetch_related("authors", "tags")
        return sorted(guides, key=updated_at, reverse=True)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url()

    def item_guid(self, item):
        return f"guide-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return updated_at(item)

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]
