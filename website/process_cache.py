"""Rows nearly every page reads and that almost never change, kept in this process: the
Site a host finds (with its root page) and the site settings. Each would otherwise cost
a query on every render.

A copy is used only while this process is sure to hear of every change, in any process,
and has heard of none since the copy was read: the response cache's invalidations, which
reach every process through Redis (pagecache/runtime.change_generation). Without Redis,
or while its subscription is down, nothing is kept. View restrictions are never kept: a
page's routing reads them with the pages on its path (website/models.py).
"""

from django.db import transaction

from pagecache.invalidation import record_instance
from pagecache.middleware import not_recorded
from pagecache.runtime import change_generation

MAX_ENTRIES = 64  # hosts are ALLOWED_HOSTS' by the time a page is served; a bound anyway

_kept = {}  # key -> (generation, value)


def remembered(key, load):
    """load(), or the value it returned earlier in this process if nothing has changed
    since. Not kept when read inside a transaction: what it sees may never be committed.
    What a kept value's load reads is not recorded for the response being rendered, as
    later renders do not read it: callers record() what they show of it."""
    generation = change_generation()  # read before loading: a change meanwhile moves it
    if generation is None:
        return load()
    return _kept_or_loaded(key, load, generation)


def kept_only(key, load):
    """remembered(key, load) where the value can be kept; None where load() would run on
    every call (without Redis, inside a transaction), for a caller that has a cheaper way
    to do without the value than loading it each time."""
    generation = change_generation()
    if generation is None or transaction.get_connection().in_atomic_block:
        return None
    return _kept_or_loaded(key, load, generation)


def _kept_or_loaded(key, load, generation):
    kept = _kept.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    with not_recorded():
        value = load()
    if not transaction.get_connection().in_atomic_block:
        if len(_kept) >= MAX_ENTRIES:
            _kept.clear()
        _kept[key] = (generation, value)
    return value


def record(instance):
    """Tell the response cache that the page being rendered shows `instance`, as loading
    it would have: a kept copy is not loaded again, so its change must still reach the page."""
    if instance is not None:
        record_instance(type(instance), instance)
