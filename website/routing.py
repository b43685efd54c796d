"""What routing already knows about a page, reused while it is served.

HomePage.route finds a page with every page on its path (website/models.py); a page
that knows them needs no query for its breadcrumbs, and none for the view restrictions
Wagtail checks before serving it unless a page on its path has one (then one query,
not Wagtail's two).
"""

from wagtail.models import PageViewRestriction


class RoutedPage:
    """A mixin for Page subclasses that HomePage.route may find."""

    # Set by HomePage.route: the pages from the home page down to the parent, top down,
    # and whether this page or any page above it, up to the tree's root, is restricted.
    routed_ancestors = None
    routed_view_restricted = None

    def ancestors_below_root(self):
        """The page's ancestors without the tree's root: the home page first."""
        if self.routed_ancestors is not None:
            return list(self.routed_ancestors)
        return list(self.get_ancestors().filter(depth__gt=1))

    def get_view_restrictions(self):
        """The restrictions on this page and its ancestors, found by their tree paths;
        none to look for when routing saw none on the path. An alias takes its source's
        restrictions: with one on the path, Wagtail's way."""
        on_path = self.routed_ancestors
        if on_path is None or self.alias_of_id or any(page.alias_of_id for page in on_path):
            return super().get_view_restrictions()
        if not self.routed_view_restricted:
            return PageViewRestriction.objects.none()
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        return PageViewRestriction.objects.filter(page__path__in=paths)
