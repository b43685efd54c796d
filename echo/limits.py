"""The echo service's rules, in plain Python: no Django, no I/O, tested directly.

- `TokenBucket`: a message rate per connection, sustained with a burst allowance.
- `ConnectionCounter`: open connections per client address, in one server process.
- `client_address`: whose connection this is, trusting X-Forwarded-For only from proxies
  we were told to trust (`is_trusted_proxy`).
- `is_valid_room_name`, `TOKEN`, `utf8_length_exceeds`: small checks on names and sizes.
- `format_size`: a limit in the words the tester page uses for every size.
"""

import ipaddress
import re

ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
# RFC 6455 4.1: subprotocol names are HTTP tokens.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def is_valid_room_name(name):
    """Room names are 1-64 characters of ASCII letters, digits, `-` and `_`."""
    return ROOM_NAME.fullmatch(name) is not None


def utf8_length_exceeds(text, limit):
    """Whether `text` takes more than `limit` bytes in UTF-8, encoding only when needed.

    A character takes 1 to 4 bytes, so most messages are decided by their length alone.
    """
    if len(text) > limit:
        return True
    if len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


def format_size(count):
    """A byte count as the tester shows sizes: "64 KiB", "1 MiB", "512 B". A limit that is
    not a whole KiB or MiB is stated exactly in bytes, never rounded."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} B"


class TokenBucket:
    """Allows `rate` events a second on average and bursts of up to `burst` events.

    The bucket starts full. `now` is any monotonic clock in seconds (the event loop's
    time in the consumers), passed in so that tests need no real clock.
    """

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate, burst, now):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def take(self, now):
        """Spends one token if there is one; returns whether the event is allowed."""
        tokens = self.tokens + (now - self.updated) * self.rate
        if tokens > self.burst:
            tokens = self.burst
        self.updated = now
        if tokens >= 1 - 1e-9:  # Forgive float rounding: a client exactly at the rate passes.
            self.tokens = tokens - 1
            return True
        self.tokens = tokens
        return False


class ConnectionCounter:
    """Counts open connections per client address and refuses one over the limit.

    It lives in one server process: with several worker processes, each enforces the
    limit on its own share of connections.
    """

    def __init__(self):
        self.counts = {}

    def acquire(self, address, limit):
        """Counts a new connection from `address`, unless it would exceed `limit`
        (0 or less means no limit). Returns whether the connection was counted."""
        count = self.counts.get(address, 0)
        if 0 < limit <= count:
            return False
        self.counts[address] = count + 1
        return True

    def release(self, address):
        count = self.counts.get(address, 0) - 1
        if count > 0:
            self.counts[address] = count
        else:
            self.counts.pop(address, None)

    def __getitem__(self, address):
        return self.counts.get(address, 0)

    @property
    def total(self):
        """Open connections from every address."""
        return sum(self.counts.values())


def parse_networks(entries):
    """Turns addresses and CIDR ranges ("10.0.0.0/8", "127.0.0.1", "::1") into networks.

    Raises ValueError naming the first entry that is neither.
    """
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return tuple(networks)


def _parse_address(text):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51000"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address, trusted):
    return any(address in network for network in trusted)


def is_trusted_proxy(peer, trusted):
    """Whether the socket's peer address is one of the `trusted` proxy networks."""
    peer_address = _parse_address(peer) if peer else None
    return peer_address is not None and _is_trusted(peer_address, trusted)


def client_address(peer, forwarded_for, trusted):
    """The address a connection is counted against.

    `peer` is the socket's remote address; `forwarded_for` the X-Forwarded-For header
    values in the order received (empty when absent); `trusted` the networks from
    `parse_networks`. The header is read only when the peer is a trusted proxy: then,
    walking from the right, the first hop that is not itself a trusted proxy is the
    client. A hop that is not an address stops the walk at the last proxy that reported
    it, since nobody we trust vouches for anything further left.
    """
    if not is_trusted_proxy(peer, trusted):
        return peer or "unknown"
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    current = _parse_address(peer)
    for hop in reversed(hops):
        address = _parse_address(hop)
        if address is None:
            break
        current = address
        if not _is_trusted(address, trusted):
            break
    return str(current)
