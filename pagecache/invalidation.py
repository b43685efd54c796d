"""The response cache's link to Django and Wagtail.

Recording: while a cacheable request renders, every model instance Django loads adds
a tag to the response ("page:12", "children:000100010002" for a page's parent,
"guides.author:3", "guides.author"); the Wagtail page that serves it adds
"served:12". Responses from views that are not pages but load pages (sitemap.xml,
the feed) also get "pagelist".

Invalidating: when content changes, the entries it affects are rendered again in the
background and replaced (pagecache/refresh.py; readers keep the old copy meanwhile), or
dropped where a page's readers change, after the transaction commits, in every process
(RedisBus) or in this one (LocalBus):

- a page published: everything that loaded it (its own URL, its siblings' previous
  and next links, listings and related guides that showed it); the pages served by
  its ancestors (section, library index, home: their lists and counts); pages that
  reference it (Wagtail's ReferenceIndex) or share a tag with it (related guides it
  may now appear in); page lists outside the tree (sitemap.xml, the feed);
- a page that appears, goes or moves (first publish, unpublish, delete, move, new
  slug): all that, plus every response that loaded one of its siblings (any list of
  them may gain or lose it) and every cached URL under its old URL;
- a snippet, setting, image, document or tag changed: everything that loaded it
  (and, when one is created or deleted, everything that loaded any of its kind);
- a page's privacy changed: the page and everything under its URL, dropped at once;
- a Site changed: everything, dropped at once.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_delete, pre_save
from modelcluster.fields import ParentalKey
from taggit.managers import TaggableManager
from wagtail import hooks
from wagtail.images.models import AbstractRendition
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Site
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    pre_page_move,
)

from pagecache import runtime
from pagecache.middleware import dependencies
from pagecache.store import Invalidation

PAGELIST = "pagelist"
# Page fields that saving a draft or locking touches; a save of only these changes
# nothing a reader sees.
DRAFT_FIELDS = frozenset(
    {
        "draft_title",
        "has_unpublished_changes",
        "latest_revision",
        "latest_revision_created_at",
        "locked",
        "locked_at",
        "locked_by",
        "expired",
    }
)
# Apps whose models never show on a public page: saving them invalidates nothing.
BOOKKEEPING_APPS = frozenset(
    {
        "admin",
        "auth",
        "contenttypes",
        "sessions",
        "django_tasks",
        "wagtailadmin",
        "wagtailcore",  # Page, Site and PageViewRestriction are handled on their own
        "wagtailredirects",  # redirects answer 404s, which are never cached
        "wagtailsearch",
        "wagtailusers",
    }
)

# Recording ------------------------------------------------------------------------------

_kinds = {}


def _kind(model):
    kind = _kinds.get(model)
    if kind is None:
        kind = _kinds[model] = "page" if issubclass(model, Page) else model._meta.label_lower
    return kind


def record_instance(sender, instance, **kwargs):
    recorded = dependencies.get()
    if recorded is None or instance.pk is None:
        return
    kind = _kind(type(instance))
    if kind == "page":
        recorded.add(f"page:{instance.pk}")
        path = instance.__dict__.get("path")  # never trigger a query for a deferred field
        if path:
            recorded.add(f"children:{path[: -Page.steplen]}")
    else:
        recorded.add(f"{kind}:{instance.pk}")
        recorded.add(kind)


def record_served_page(page, request, args, kwargs):
    recorded = dependencies.get()
    if recorded is not None:
        recorded.add(f"served:{page.pk}")


def finalize_tags(recorded):
    tags = set(recorded)
    if not any(tag.startswith("served:") for tag in tags) and any(
        tag.startswith("page:") for tag in tags
    ):
        tags.add(PAGELIST)
    return frozenset(tags)


# What a change affects ------------------------------------------------------------------


def site_relative_paths(url_path):
    """The paths a page's url_path is served at, one per site whose tree holds it."""
    paths = set()
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            paths.add("/" + url_path[len(root.root_path) :])
    return paths


def pages_sharing_tags(page):
    """Ids of other pages with a tag in common (they may list this one as related)."""
    ids = set()
    for field in type(page)._meta.get_fields():
        if not isinstance(field, TaggableManager):
            continue
        tag_ids = [tag.pk for tag in getattr(page, field.name).all()]
        if not tag_ids:
            continue
        through = field.through
        try:
            column = through._meta.get_field("content_object").attname
        except FieldDoesNotExist:
            column = "object_id"
        ids.update(through.objects.filter(tag_id__in=tag_ids).values_list(column, flat=True))
    ids.discard(page.pk)
    return ids


def page_invalidation(page, parent_path=None, old_url_path=None, membership=True, refresh=True):
    """What a change to `page` affects, where it stands in the tree now (or, for a move
    or deletion, where it stood): see the module docstring.

    `membership` says whether the set of live pages under its parent changes (the page
    appears, goes or moves): then every response that loaded any of its siblings goes
    too (they may list them). An edit of a page that stays where it was affects only
    what loaded the page itself, which includes its siblings' previous/next links.

    `refresh`: readers keep the old copies until new renders replace them (False for a
    change of who may read the page: then they go at once)."""
    parent_path = parent_path if parent_path is not None else page.path[: -Page.steplen]
    ancestor_ids = Page.objects.filter(
        path__in=[
            parent_path[:end] for end in range(Page.steplen, len(parent_path) + 1, Page.steplen)
        ]
    ).values_list("id", flat=True)
    tags = {f"page:{page.pk}", PAGELIST}
    if membership:
        tags.add(f"children:{parent_path}")
    tags.update(f"served:{pk}" for pk in ancestor_ids)
    tags.update(f"served:{pk}" for pk in pages_sharing_tags(page))
    page_type = ContentType.objects.get_for_model(Page)
    for content_type_id, object_id in ReferenceIndex.get_references_to(page).values_list(
        "base_content_type_id", "object_id"
    ):
        if content_type_id == page_type.pk:
            tags.add(f"served:{object_id}")
        else:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is not None:
                tags.add(f"{model._meta.label_lower}:{object_id}")
    prefixes = tuple(sorted(site_relative_paths(old_url_path))) if old_url_path else ()
    return Invalidation(tags=frozenset(tags), prefixes=prefixes, refresh=refresh)


def schedule(invalidation):
    """Publish once the current transaction commits (at once outside a transaction):
    a process re-rendering before the commit would store the old content again."""
    if invalidation:
        transaction.on_commit(lambda: runtime.bus().publish(invalidation), robust=True)


# Signal receivers -----------------------------------------------------------------------


def on_page_published(sender, instance, **kwargs):
    # The save that publishing does has already told whether the page is new to readers.
    schedule(page_invalidation(instance, membership=False))


def on_page_unpublished(sender, instance, **kwargs):
    schedule(page_invalidation(instance, old_url_path=instance.url_path))


def on_page_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """Remember whether the page was live before this save: going live adds it to lists."""
    if raw or _content_kind(sender) != "page":
        return
    if update_fields is None or not set(update_fields) <= DRAFT_FIELDS:
        instance._response_cache_was_live = bool(
            instance.pk and Page.objects.filter(pk=instance.pk, live=True).exists()
        )


def on_page_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """Pages published, created live, or changed with `save()` by a script."""
    if raw or not instance.live:
        return
    if update_fields is not None and set(update_fields) <= DRAFT_FIELDS:
        return
    was_live = getattr(instance, "_response_cache_was_live", False)
    schedule(page_invalidation(instance, membership=created or not was_live))


def on_page_slug_changed(sender, instance, instance_before, **kwargs):
    schedule(page_invalidation(instance, old_url_path=instance_before.url_path))


def on_pre_page_move(sender, instance, parent_page_before, url_path_before, **kwargs):
    schedule(page_invalidation(instance, parent_page_before.path, old_url_path=url_path_before))


def on_post_page_move(sender, instance, url_path_after, **kwargs):
    schedule(page_invalidation(instance, old_url_path=url_path_after))


_content_kinds = {}


def _content_kind(model):
    """How a save of `model` invalidates: "page", "restriction", "site", "content" or None."""
    if model not in _content_kinds:
        _content_kinds[model] = _classify(model)
    return _content_kinds[model]


def _classify(model):
    if issubclass(model, Page):
        return "page"
    if issubclass(model, PageViewRestriction):
        return "restriction"
    if issubclass(model, Site):
        return "site"
    if model._meta.app_label in BOOKKEEPING_APPS or issubclass(model, AbstractRendition):
        return None
    if any(isinstance(field, ParentalKey) for field in model._meta.get_fields()):
        return None  # part of a page (tags, orderables): saved when the page is published
    return "content"


def content_invalidation(instance, created_or_deleted):
    kind = _content_kind(type(instance))
    if kind == "site":
        return Invalidation(everything=True)
    if kind == "restriction":
        try:
            page = instance.page
        except Page.DoesNotExist:
            return Invalidation()  # deleted with its page, which says what it affects
        return page_invalidation(page, old_url_path=page.url_path, refresh=False)
    if kind == "content":
        label = instance._meta.label_lower
        tags = {f"{label}:{instance.pk}"}
        if created_or_deleted:
            tags.add(label)  # lists of this kind gain or lose one
        return Invalidation(tags=frozenset(tags), refresh=True)
    return Invalidation()


def on_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    # Made during a render (settings are created on first use): the page depends on it.
    record_instance(sender, instance)
    if _content_kind(sender) == "page":
        on_page_saved(sender, instance, created, raw=raw, **kwargs)
    else:
        schedule(content_invalidation(instance, created))


def on_pre_delete(sender, instance, **kwargs):
    # Computed before the row goes, while the tree still says where the page was.
    if _content_kind(sender) == "page":
        schedule(page_invalidation(instance, old_url_path=instance.url_path))


def on_deleted(sender, instance, **kwargs):
    if _content_kind(sender) not in (None, "page"):
        schedule(content_invalidation(instance, created_or_deleted=True))


def connect():
    """Connect the receivers (PageCacheConfig.ready). Recording listens to the models a
    page can show, and only to them: loading a session or a revision costs nothing."""
    for model in apps.get_models():
        if _content_kind(model) in ("page", "content"):
            post_init.connect(record_instance, sender=model, dispatch_uid="response_cache_record")
    hooks.register("before_serve_page", record_served_page)
    page_published.connect(on_page_published, dispatch_uid="response_cache_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="response_cache_unpublished")
    page_slug_changed.connect(on_page_slug_changed, dispatch_uid="response_cache_slug")
    pre_page_move.connect(on_pre_page_move, dispatch_uid="response_cache_pre_move")
    post_page_move.connect(on_post_page_move, dispatch_uid="response_cache_post_move")
    pre_save.connect(on_page_saving, dispatch_uid="response_cache_saving")
    post_save.connect(on_saved, dispatch_uid="response_cache_saved")
    pre_delete.connect(on_pre_delete, dispatch_uid="response_cache_pre_delete")
    post_delete.connect(on_deleted, dispatch_uid="response_cache_deleted")
