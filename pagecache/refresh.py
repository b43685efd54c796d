"""Renders stale entries again, in the background, so that no reader waits for a render.

When an editor publishes, the store keeps the pages the change affects, marked stale
(pagecache/store.py), and hands them here. The refresher renders each one through the
same path as a reader's miss (pagecache/middleware.py), as an anonymous request for the
same URL, and the new copy, compressed, replaces the old one. A page whose new render
cannot be stored (unpublished: a 404; moved: a redirect) loses its old copy.

Plain Python, no Django imports. One render at a time, on the server's event loop: a
publish that affects a hundred pages costs this process a hundred renders in a row, not
a hundred at once competing with readers.
"""

import asyncio
import concurrent.futures
import logging
from contextvars import ContextVar

logger = logging.getLogger("pagecache")

# Set by the middleware around a request that may change content (an editor's POST): the
# futures of the refreshes that request's changes started. The middleware holds the
# request's last response message until they are done, so the editor's next look at the
# site, and every reader's, finds the new pages already stored.
refreshes_started: ContextVar[list | None] = ContextVar("refreshes_started", default=None)

MAX_ATTEMPTS = 3  # a render overtaken by another change of the same page is redone


class Refresher:
    """Queue of stale slots, worked through one at a time on `loop`.

    `render(slot, entry)` renders the slot's URL again and returns whether the new
    response was stored (ResponseCache.refresh)."""

    def __init__(self, store, render):
        self.store = store
        self.render = render
        self.loop = None
        self._queue = None
        self._task = None

    def start(self, loop):
        """Begin working on `loop` (the server's), and take the store's stale entries."""
        self.loop = loop
        self._queue = asyncio.Queue()
        self._task = loop.create_task(self._work())
        self.store.on_stale = self.schedule

    def schedule(self, slots):
        """Called from any thread by the store: render `slots` again. Returns a future
        done when they have been (concurrent.futures, so a sync thread can hold it)."""
        done = concurrent.futures.Future()
        try:
            self.loop.call_soon_threadsafe(self._queue.put_nowait, (list(slots), done))
        except RuntimeError:  # the loop is closed (a server shutting down): drop them
            for slot in slots:
                self.store.discard(slot)
            done.set_result(None)
            return done
        waiting = refreshes_started.get()
        if waiting is not None:
            waiting.append(done)
        return done

    async def _work(self):
        while True:
            slots, done = await self._queue.get()
            try:
                for slot in slots:
                    await self._refresh(slot)
            except Exception:  # never let one bad page stop every later refresh
                logger.exception("could not refresh cached pages")
            finally:
                if not done.done():
                    done.set_result(None)

    async def _refresh(self, slot):
        for _ in range(MAX_ATTEMPTS):
            entry = self.store.stale_entry(slot)
            if entry is None:
                return  # replaced by a reader's render, expired, or dropped since
            generation = self.store.generation
            try:
                stored = await self.render(slot, entry)
            except Exception:
                logger.exception("could not refresh %s", entry.path)
                stored = False
            if stored:
                return
            if self.store.generation == generation:
                break  # not overtaken: the page itself cannot be stored any more
        self.store.discard(slot)

    async def idle(self):
        """Wait until everything scheduled so far has been rendered (tests, shutdown)."""
        done = self.schedule([])
        await asyncio.wrap_future(done)
