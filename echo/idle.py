"""Idle deadlines: one event-loop timer for all the connections of an event loop.

A timer per connection (`loop.call_later`) costs about 600 bytes under uvloop (its handle,
the libuv timer, a bound method, a copy of the context): a fifth of what an idle echo
connection cost beyond the bare ASGI app (docs/echo-performance.md). Here a connection has
one heap entry of 80 bytes, and the loop one timer, armed for the earliest entry.

An entry's time is when its connection would have been idle for its timeout had no message
come since the entry was filed, so it is never later than the real deadline. When it falls
due the connection is asked: either it has been idle that long (`idle_expired()`), or its
last message moved the deadline (`idle_deadline()`) and the entry is filed again for that.
A busy connection costs nothing per message (the consumer notes the time) and one heap
operation per timeout; an idle one is closed as late as its own timer would have closed it.
"""

import heapq


class Deadline:
    """A connection's place in `IdleTimers`: when to ask `owner` whether it is idle."""

    __slots__ = ("at", "owner", "timers")

    def __init__(self, at, owner, timers):
        self.at = at
        self.owner = owner
        self.timers = timers

    def __lt__(self, other):
        return self.at < other.at

    def cancel(self):
        """Takes the connection out (it closed): it is not asked again, nor kept alive
        until the deadline by the entry, which the heap drops when it comes to it."""
        if self.owner is not None:
            self.owner = None
            self.timers.cancelled()


class IdleTimers:
    """The idle deadlines of one event loop's connections, behind one timer.

    An owner has `idle_deadline()`: the loop time at which it will have been idle for its
    timeout (its last activity plus the timeout), and `idle_expired()`, called once when
    that time has come; its entry is then gone.
    """

    def __init__(self, loop):
        self.loop = loop
        self.heap = []
        self.dropped = 0  # entries still in the heap whose owner is gone
        self.timer = None
        self.timer_at = None

    def __len__(self):
        """Connections waiting for their deadline."""
        return len(self.heap) - self.dropped

    def add(self, owner, at):
        """Files `owner` to be asked at loop time `at`; returns its `Deadline`."""
        entry = Deadline(at, owner, self)
        heapq.heappush(self.heap, entry)
        if self.timer_at is None or at < self.timer_at:
            self.arm(at)
        return entry

    def cancelled(self):
        self.dropped += 1
        if self.dropped == len(self.heap):
            self.close()
        elif self.dropped * 2 > len(self.heap) >= 64:  # mostly dead entries: rebuild
            self.heap = [entry for entry in self.heap if entry.owner is not None]
            heapq.heapify(self.heap)
            self.dropped = 0

    def fire(self):
        """The timer: asks every connection whose entry fell due."""
        self.timer = self.timer_at = None
        heap = self.heap
        now = self.loop.time()
        try:
            while heap and heap[0].at <= now:
                entry = heapq.heappop(heap)
                owner, entry.owner = entry.owner, None
                if owner is None:
                    self.dropped -= 1
                    continue
                at = owner.idle_deadline()
                if at > now:  # active since: filed again for its new deadline
                    entry.at, entry.owner = at, owner
                    heapq.heappush(heap, entry)
                else:
                    owner.idle_expired()
        finally:
            if len(self.heap) == self.dropped:
                self.close()
            elif self.timer_at != self.heap[0].at:
                self.arm(self.heap[0].at)

    def arm(self, at):
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.loop.call_at(at, self.fire)
        self.timer_at = at

    def close(self):
        """No connection left: no timer, and the loop is no longer kept."""
        self.heap = []
        self.dropped = 0
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.timer_at = None
        if _by_loop.get(self.loop) is self:
            del _by_loop[self.loop]


_by_loop = {}


def idle_timers(loop):
    """The `IdleTimers` of an event loop: made for its first connection, dropped with its
    last, so that a closed loop (a test's) is not kept alive."""
    timers = _by_loop.get(loop)
    if timers is None:
        timers = _by_loop[loop] = IdleTimers(loop)
    return timers
