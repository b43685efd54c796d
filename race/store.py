"""Races and their event logs, kept in Django's cache so every server process sees them.

With REDIS_URL the cache is Redis, shared by all processes: a poll that lands on another
process than the one sending the events reads the same log. Without it the cache is
local memory, which is right for one development process.

One writer per race (its source) appends each event under its own key and then moves
the race's `last` counter, so a reader never sees a counter ahead of its event.
"""

import contextlib
import secrets
import time
from dataclasses import asdict, dataclass

from django.core.cache import cache

# The first event leaves this long after the race is created, so the page's four lanes
# are connected by then; a lane that connects later reads what it missed from the log.
LEAD_SECONDS = 1.0
# How long a finished race's log stays readable: a late poll, or an EventSource
# resuming with Last-Event-ID, still gets the end of it.
KEEP_SECONDS = 120
# A race nobody has read for this long stops sending: the visitor left.
IDLE_SECONDS = 10
# Waiting readers (event streams, long polls, sockets) one race may have at once: the
# page needs three; a shared id or a script gets no more than this.
MAX_READERS = 8


@dataclass(frozen=True)
class Race:
    id: str
    rate: float
    size: int
    duration: int
    total: int
    starts_at: float  # seconds since the epoch
    address: str
    slot: str

    @property
    def group(self):
        """The channel-layer group its events are published to."""
        return f"race.{self.id}"

    @property
    def ends_at(self):
        return self.starts_at + (self.total - 1) / self.rate

    @property
    def lifetime(self):
        return int(LEAD_SECONDS + self.duration + KEEP_SECONDS)


def _key(race_id, part):
    return f"race:{race_id}:{part}"


def new_id():
    return secrets.token_hex(8)


async def create(spec, address, max_per_address):
    """A new race for `address`, or None when it already runs `max_per_address` races.

    Each running race holds one of the address's slots (an atomic add, so two processes
    cannot hand out the same slot); the slot frees itself when the race's keys expire,
    or earlier when its source finishes.
    """
    race_id = new_id()
    lifetime = int(LEAD_SECONDS + spec.duration + KEEP_SECONDS)
    for number in range(max_per_address):
        slot = f"race:slot:{address}:{number}"
        if await cache.aadd(slot, race_id, timeout=lifetime):
            break
    else:
        return None
    race = Race(
        id=race_id,
        rate=spec.rate,
        size=spec.size,
        duration=spec.duration,
        total=spec.total,
        starts_at=time.time() + LEAD_SECONDS,
        address=address,
        slot=slot,
    )
    await cache.aset_many(
        {_key(race_id, "race"): asdict(race), _key(race_id, "seen"): time.time()},
        timeout=race.lifetime,
    )
    return race


async def get(race_id):
    record = await cache.aget(_key(race_id, "race"))
    return Race(**record) if record else None


async def append(race, seq, data):
    await cache.aset(_key(race.id, f"e:{seq}"), data, timeout=race.lifetime)
    await cache.aset(_key(race.id, "last"), seq, timeout=race.lifetime)


async def finish(race, last):
    """Marks the race over after event `last`, and frees its slot for the address."""
    await cache.aset(_key(race.id, "done"), last, timeout=race.lifetime)
    if await cache.aget(race.slot) == race.id:
        await cache.adelete(race.slot)


async def events_after(race_id, after):
    """[(seq, data)] of the logged events after `after`, in order, and the last event
    number if the race is over (else None)."""
    found = await cache.aget_many([_key(race_id, "last"), _key(race_id, "done")])
    last = found.get(_key(race_id, "last"), 0)
    done = found.get(_key(race_id, "done"))
    if last <= after:
        return [], done
    keys = {_key(race_id, f"e:{seq}"): seq for seq in range(after + 1, last + 1)}
    stored = await cache.aget_many(list(keys))
    events = []
    for key, seq in keys.items():
        if key not in stored:
            break  # expired: what follows is no use to a reader who needs them in order
        events.append((seq, stored[key]))
    return events, done


async def touch(race):
    """Someone is reading the race."""
    await cache.aset(_key(race.id, "seen"), time.time(), timeout=race.lifetime)


async def idle_for(race):
    """Seconds since anyone read the race."""
    seen = await cache.aget(_key(race.id, "seen"))
    return time.time() - seen if seen else float("inf")


async def take_reader(race):
    """Counts a waiting reader of the race, unless it already has MAX_READERS; returns
    whether it was counted. Every counted reader must `release_reader`; one whose
    process died is forgotten when the race's keys expire."""
    key = _key(race.id, "readers")
    await cache.aadd(key, 0, timeout=race.lifetime)
    try:
        count = await cache.aincr(key)
    except ValueError:  # expired between the two calls
        return False
    if count > MAX_READERS:
        await release_reader(race)
        return False
    return True


async def release_reader(race):
    with contextlib.suppress(ValueError):  # the race's keys expired meanwhile
        await cache.adecr(_key(race.id, "readers"))
