"""What an idle connection holds (docs/echo-performance.md), without changing what it does:
one idle timer for all connections, the protocol's light queue and writable flag, the
route without a coroutine of its own."""

import asyncio

import pytest
from asgiref.compatibility import guarantee_single_callable

from echo import routing
from echo.consumers import EchoConsumer, connections
from echo.idle import IdleTimers, _by_loop, idle_timers
from echo.wsprotocol import Gate, Mailbox
from tests.echo_sockets import an_address, connected, send_text

# IdleTimers, on a clock of the test's own


class FakeHandle:
    def __init__(self, loop, at, callback):
        self.loop, self.at, self.callback, self.cancelled = loop, at, callback, False

    def cancel(self):
        self.cancelled = True


class FakeLoop:
    """A loop whose clock the test sets and whose timers run when the test says."""

    def __init__(self):
        self.now = 0.0
        self.handles = []

    def time(self):
        return self.now

    def call_at(self, at, callback):
        handle = FakeHandle(self, at, callback)
        self.handles.append(handle)
        return handle

    def live_timers(self):
        return [handle for handle in self.handles if not handle.cancelled]

    def advance(self, seconds):
        """Runs every timer due before `seconds` from now, each at its time, in order."""
        end = self.now + seconds
        while due := [handle for handle in self.live_timers() if handle.at <= end]:
            handle = min(due, key=lambda handle: handle.at)
            self.now = max(self.now, handle.at)
            handle.cancelled = True  # it ran
            handle.callback()
        self.now = end


class Owner:
    def __init__(self, loop, timeout):
        self.loop, self.timeout = loop, timeout
        self.last_activity = loop.time()
        self.expired_at = None

    def touch(self):
        self.last_activity = self.loop.time()

    def idle_deadline(self):
        return self.last_activity + self.timeout

    def idle_expired(self):
        assert self.expired_at is None, "expired twice"
        self.expired_at = self.loop.time()


def test_an_idle_owner_expires_at_its_deadline():
    loop = FakeLoop()
    timers = IdleTimers(loop)
    owner = Owner(loop, 10)
    timers.add(owner, owner.idle_deadline())
    loop.advance(9.9)
    assert owner.expired_at is None
    loop.advance(0.1)
    assert owner.expired_at == 10
    assert len(timers) == 0 and loop.live_timers() == []


def test_activity_moves_the_deadline_and_the_owner_expires_as_late_as_its_own_timer_would():
    loop = FakeLoop()
    timers = IdleTimers(loop)
    owner = Owner(loop, 10)
    timers.add(owner, owner.idle_deadline())
    loop.advance(7)
    owner.touch()  # deadline 17
    loop.advance(3)  # the entry falls due at 10: filed again for 17
    assert owner.expired_at is None
    loop.advance(6.5)
    assert owner.expired_at is None
    loop.advance(0.5)
    assert owner.expired_at == 17


def test_many_owners_share_one_timer_and_each_expires_at_its_own_deadline():
    loop = FakeLoop()
    timers = IdleTimers(loop)
    owners = []
    for i in range(100):
        owner = Owner(loop, 5 + i % 7)  # timeouts need not be the same
        timers.add(owner, owner.idle_deadline())
        owners.append(owner)
        loop.advance(0.01)
    assert len(loop.live_timers()) == 1
    busy = owners[::2]
    for _ in range(30):
        loop.advance(0.5)
        for owner in busy:
            owner.touch()
    assert all(owner.expired_at is None for owner in busy)
    quiet = owners[1::2]
    assert all(owner.expired_at == pytest.approx(owner.idle_deadline()) for owner in quiet)
    loop.advance(20)
    assert all(owner.expired_at == pytest.approx(owner.idle_deadline()) for owner in busy)
    assert len(timers) == 0 and loop.live_timers() == []


def test_a_cancelled_entry_is_not_asked_and_does_not_keep_its_owner():
    loop = FakeLoop()
    timers = IdleTimers(loop)
    gone, staying = Owner(loop, 10), Owner(loop, 20)
    entry = timers.add(gone, gone.idle_deadline())
    timers.add(staying, staying.idle_deadline())
    entry.cancel()
    entry.cancel()  # twice is harmless
    assert entry.owner is None
    assert len(timers) == 1
    loop.advance(20)
    assert gone.expired_at is None
    assert staying.expired_at == 20


def test_mostly_cancelled_entries_are_swept_from_the_heap():
    loop = FakeLoop()
    timers = IdleTimers(loop)
    entries = [timers.add(Owner(loop, 10), 10.0) for _ in range(200)]
    for entry in entries[:150]:
        entry.cancel()
    assert len(timers) == 50
    assert len(timers.heap) < 150


async def test_the_loop_is_let_go_with_its_last_connection():
    loop = asyncio.get_running_loop()
    timers = idle_timers(loop)
    owner = Owner(loop, 60)
    entry = timers.add(owner, owner.idle_deadline())
    assert _by_loop[loop] is timers
    entry.cancel()
    assert loop not in _by_loop
    assert timers.timer is None


# The consumers on IdleTimers


def live_timers(loop):
    # asyncio's scheduled timer handles: an implementation detail, read here to show that
    # connections do not each add one.
    return [handle for handle in loop._scheduled if not handle.cancelled()]


async def test_open_connections_share_one_idle_timer(limits):
    limits.ECHO_IDLE_TIMEOUT = 300
    limits.ECHO_MAX_CONNECTIONS_PER_ADDRESS = 0
    loop = asyncio.get_running_loop()
    before = len(live_timers(loop))
    sockets = [await connected() for _ in range(20)]
    assert len(idle_timers(loop)) == 20
    assert len(live_timers(loop)) <= before + 1
    for socket in sockets:
        await socket.disconnect()
    assert loop not in _by_loop


async def test_only_the_idle_one_of_two_connections_is_closed_for_it(limits, loop_clock):
    limits.ECHO_IDLE_TIMEOUT = 300
    idle, busy = await connected(), await connected()
    await loop_clock.advance(250)
    await send_text(busy, "still here")
    assert await busy.receive_from() == "still here"
    await loop_clock.advance(50)
    assert await idle.receive_output() == {
        "type": "websocket.close",
        "code": 1001,
        "reason": "Idle for 300 seconds.",
    }
    assert await busy.receive_nothing(timeout=0.05)
    await loop_clock.advance(251)  # 300 s after its message
    assert await busy.receive_output() == {
        "type": "websocket.close",
        "code": 1001,
        "reason": "Idle for 300 seconds.",
    }
    for socket in (idle, busy):
        await socket.disconnect()


async def test_a_closed_connection_leaves_no_idle_entry_and_no_count(limits):
    address = an_address()
    socket = await connected(client=address)
    loop = asyncio.get_running_loop()
    assert len(idle_timers(loop)) >= 1
    await socket.disconnect()
    assert loop not in _by_loop or len(_by_loop[loop]) == 0
    assert connections[address] == 0


def test_a_route_is_a_single_callable_application_of_its_consumer():
    app = routing.websocket_urlpatterns[0].callback
    assert app.consumer_class is EchoConsumer
    assert guarantee_single_callable(app) is app


# The protocol's queue and writable flag


async def test_the_mailbox_gives_events_in_order_and_waits_when_empty():
    mailbox = Mailbox()
    assert mailbox.empty()
    mailbox.put_nowait(1)
    mailbox.put_nowait(2)
    assert not mailbox.empty()
    assert [await mailbox.get(), await mailbox.get()] == [1, 2]
    getter = asyncio.create_task(mailbox.get())
    await asyncio.sleep(0)
    assert not getter.done()
    mailbox.put_nowait(3)
    assert await asyncio.wait_for(getter, 1) == 3
    assert mailbox.empty() and mailbox.getters is None


async def test_a_cancelled_getter_leaves_the_mailbox_usable():
    mailbox = Mailbox()
    getter = asyncio.create_task(mailbox.get())
    await asyncio.sleep(0)
    getter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await getter
    assert mailbox.getters is None
    mailbox.put_nowait("after")
    assert await mailbox.get() == "after"


async def test_a_getter_woken_then_cancelled_passes_the_event_on():
    mailbox = Mailbox()
    first = asyncio.create_task(mailbox.get())
    second = asyncio.create_task(mailbox.get())
    await asyncio.sleep(0)
    mailbox.put_nowait("only")
    first.cancel()  # woken, but cancelled before it ran
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.wait_for(second, 1) == "only"


async def test_the_gate_holds_senders_while_closed_and_lets_them_all_through_when_set():
    gate = Gate()
    gate.set()
    assert await gate.wait() is True
    gate.clear()
    waiting = [asyncio.create_task(gate.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(task.done() for task in waiting)
    waiting[0].cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting[1:]) == [True, True]
    assert gate.is_set() and gate.waiters is None
