"""The library's live guides held in memory, for what a guide page shows of the others:
its pager (the guides beside it in its section), its related guides (those sharing the
most tags) and the guides it links to or chooses. Read once per change to the site and
kept in the process (GuidePage.get_context, website/process_cache.py), they spare each
render the queries for all three. No Django here: the guides are any objects with
`pk`, `path`, `depth` and `title`."""

from collections import defaultdict


class LiveGuides:
    def __init__(self, guides, tag_pairs):
        """`guides` in the database's title order; `tag_pairs` as (guide id, tag id)."""
        self._in_title_order = list(guides)
        self._in_tree_order = sorted(self._in_title_order, key=lambda guide: guide.path)
        self._by_id = {guide.pk: guide for guide in self._in_title_order}
        self._tag_ids = defaultdict(frozenset)
        grouped = defaultdict(set)
        for guide_id, tag_id in tag_pairs:
            grouped[guide_id].add(tag_id)
        self._tag_ids.update((guide_id, frozenset(ids)) for guide_id, ids in grouped.items())

    def get(self, pk):
        return self._by_id.get(pk)

    def children_of(self, path, depth):
        """The guides directly below the page at `path` and `depth`, in tree order."""
        return [
            guide
            for guide in self._in_tree_order
            if guide.depth == depth + 1 and guide.path.startswith(path)
        ]

    def sharing_tags(self, tag_ids, exclude=(), limit=3):
        """The guides sharing the most of `tag_ids`, ties in title order, none of `exclude`."""
        wanted = frozenset(tag_ids)
        shared = [
            (len(self._tag_ids[guide.pk] & wanted), guide)
            for guide in self._in_title_order
            if guide.pk not in exclude
        ]
        shared = [(count, guide) for count, guide in shared if count]
        shared.sort(key=lambda pair: -pair[0])  # stable: title order within a count
        return [guide for _, guide in shared[:limit]]
