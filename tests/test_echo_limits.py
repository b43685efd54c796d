"""The echo service's rules as plain Python: rate, connection counts, addresses, names."""

import pytest

from echo import closecodes
from echo.limits import (
    ConnectionCounter,
    TokenBucket,
    client_address,
    is_valid_room_name,
    parse_networks,
    utf8_length_exceeds,
)

PROXIES = parse_networks(["10.0.0.0/8", "::1"])


def test_a_full_bucket_allows_a_burst_then_refuses():
    bucket = TokenBucket(rate=5, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]


def test_a_bucket_refills_at_its_rate():
    bucket = TokenBucket(rate=5, burst=3, now=0.0)
    for _ in range(3):
        bucket.take(0.0)
    assert not bucket.take(0.1)  # 0.5 token
    assert bucket.take(0.2)  # 1 token


def test_a_bucket_never_holds_more_than_its_burst():
    bucket = TokenBucket(rate=100, burst=2, now=0.0)
    results = [bucket.take(3600.0) for _ in range(3)]
    assert results == [True, True, False]


def test_a_steady_rate_at_the_limit_is_never_refused():
    bucket = TokenBucket(rate=10, burst=1, now=0.0)
    assert all(bucket.take(i / 10) for i in range(1, 1000))


def test_a_refused_message_costs_no_token():
    bucket = TokenBucket(rate=1, burst=1, now=0.0)
    assert bucket.take(0.0)
    assert not bucket.take(0.5)
    assert bucket.take(1.0)


@pytest.mark.parametrize(("rate", "burst"), [(0, 5), (-1, 5), (5, 0)])
def test_a_bucket_refuses_a_meaningless_configuration(rate, burst):
    with pytest.raises(ValueError, match="positive rate"):
        TokenBucket(rate=rate, burst=burst, now=0.0)


def test_the_counter_refuses_a_connection_over_the_limit():
    counter = ConnectionCounter()
    assert counter.acquire("192.0.2.1", 2)
    assert counter.acquire("192.0.2.1", 2)
    assert not counter.acquire("192.0.2.1", 2)
    assert counter["192.0.2.1"] == 2


def test_the_counter_counts_each_address_separately():
    counter = ConnectionCounter()
    assert counter.acquire("192.0.2.1", 1)
    assert counter.acquire("192.0.2.2", 1)


def test_a_released_connection_frees_its_place():
    counter = ConnectionCounter()
    counter.acquire("192.0.2.1", 1)
    counter.release("192.0.2.1")
    assert counter.acquire("192.0.2.1", 1)


def test_the_counter_forgets_addresses_with_no_connections():
    counter = ConnectionCounter()
    counter.acquire("192.0.2.1", 5)
    counter.release("192.0.2.1")
    assert counter.counts == {}


def test_a_limit_of_zero_means_no_limit():
    counter = ConnectionCounter()
    assert all(counter.acquire("192.0.2.1", 0) for _ in range(1000))


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.7", ["198.51.100.1"], PROXIES) == "203.0.113.7"


def test_a_trusted_proxy_names_the_client():
    assert client_address("10.0.0.2", ["198.51.100.1"], PROXIES) == "198.51.100.1"


def test_entries_a_client_forged_left_of_the_real_address_are_ignored():
    forged = ["1.2.3.4, 198.51.100.1"]
    assert client_address("10.0.0.2", forged, PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop():
    assert client_address("10.0.0.2", ["198.51.100.1, 10.1.1.1", "10.2.2.2"], PROXIES) == (
        "198.51.100.1"
    )


def test_an_address_behind_proxies_only_is_the_outermost_proxy():
    assert client_address("10.0.0.2", ["10.9.9.9"], PROXIES) == "10.9.9.9"


def test_a_trusted_proxy_without_the_header_is_the_client():
    assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_garbage_in_the_header_stops_at_the_proxy_that_reported_it():
    assert client_address("10.0.0.2", ["nonsense"], PROXIES) == "10.0.0.2"


def test_addresses_with_ports_and_ipv6_brackets_are_understood():
    assert client_address("::1", ["[2001:db8::5]:443"], PROXIES) == "2001:db8::5"
    assert client_address("::1", ["198.51.100.1:5000"], PROXIES) == "198.51.100.1"


def test_a_connection_without_a_peer_address_counts_as_unknown():
    assert client_address(None, ["198.51.100.1"], PROXIES) == "unknown"


def test_an_invalid_trusted_proxy_entry_is_named():
    with pytest.raises(ValueError, match=r"'proxy\.internal'"):
        parse_networks(["10.0.0.1", "proxy.internal"])


@pytest.mark.parametrize("name", ["a", "lobby", "Team_42-b", "x" * 64])
def test_room_names_of_letters_digits_hyphens_and_underscores_are_valid(name):
    assert is_valid_room_name(name)


@pytest.mark.parametrize("name", ["", "x" * 65, "a b", "café", "a.b", "a/b", "a\n"])
def test_other_room_names_are_invalid(name):
    assert not is_valid_room_name(name)


@pytest.mark.parametrize(
    ("text", "limit", "exceeds"),
    [
        ("a" * 10, 10, False),
        ("a" * 11, 10, True),
        ("é" * 5, 10, False),  # 2 bytes each
        ("é" * 6, 10, True),
        ("😀" * 2, 8, False),  # 4 bytes each
        ("😀" * 3, 8, True),
        ("", 0, False),
    ],
)
def test_text_size_is_measured_in_utf8_bytes(text, limit, exceeds):
    assert utf8_length_exceeds(text, limit) is exceeds


def test_every_code_the_tester_explains_has_a_name_and_meaning():
    for code in (1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012):
        name, meaning = closecodes.describe(code)
        assert name and meaning
    for code in (1013, 1015):
        assert closecodes.describe(code)[0] != "Reserved"


@pytest.mark.parametrize(
    ("code", "name"),
    [(3001, "Registered code"), (4321, "Private use"), (1004, "Reserved"), (999, "Invalid")],
)
def test_codes_outside_the_registry_are_described_by_their_range(code, name):
    assert closecodes.describe(code)[0] == name


@pytest.mark.parametrize(
    ("code", "allowed"), [(1000, True), (3000, True), (4999, True), (1001, False), (5000, False)]
)
def test_a_browser_may_close_with_1000_and_3000_to_4999_only(code, allowed):
    assert closecodes.can_be_sent_by_browser(code) is allowed
