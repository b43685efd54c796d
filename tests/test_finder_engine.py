"""The finder's engine, tested directly: it is plain Python with no Django inside."""

import ast
import itertools
from pathlib import Path

import pytest

from finder import engine, questions, reading, rules
from tests.finder_factories import make_answers
from tests.guide_content import guides

B, B_NO_SAFARI, MOBILE, SERVICE, DEVICE = (
    "browser",
    "browser_no_safari",
    "mobile",
    "service",
    "device",
)


def scenario(name, expected, why, **answers):
    return pytest.param(make_answers(**answers), expected, why, id=name)


# Each row: a realistic use case, the pick we stand behind, and why in one line.
# Unlisted answers are the factory's defaults: server to client, within seconds, steady,
# small text, a session, Safari-included browsers, every message, personal, thousands.
# fmt: off
SCENARIOS = [
    scenario("stock ticker to browsers", "sse",
             "One-way, text, browsers: SSE streams it over plain HTTP and reconnects itself.",
             freshness="subsecond", rate="high", delivery="latest", audience="same",
             scale="large"),
    scenario("chat in browsers and mobile apps", "websocket",
             "Both sides talk constantly; one socket beats a request per message.",
             direction="both", clients=(B, MOBILE), delivery="catch_up"),
    scenario("browser multiplayer action game", "websocket",
             "Fast two-way traffic in every browser; WebTransport needs HTTP/3 they lack.",
             direction="both", freshness="realtime", rate="high", payload="binary",
             delivery="latest"),
    scenario("action game, Chromium-only, HTTP/3 available", "webtransport",
             "Datagrams avoid TCP head-of-line blocking, and every client supports them.",
             direction="both", freshness="realtime", rate="high", payload="binary",
             delivery="latest", clients=(B_NO_SAFARI,), existing=("http3",)),
    scenario("action game that must work on older iPhones, HTTP/3 available", "websocket",
             "WebTransport is too new on iOS to go without a WebSocket anyway.",
             direction="both", freshness="realtime", rate="high", payload="binary",
             delivery="latest", clients=(B,), existing=("http3",)),
    scenario("peer-to-peer browser game", "webrtc",
             "Only WebRTC connects players directly.",
             direction="peer_to_peer", freshness="realtime", rate="high", payload="binary",
             delivery="latest"),
    scenario("collaborative document editor", "websocket",
             "Small edits both ways within a second, on every browser.",
             direction="both", freshness="subsecond", payload="binary", delivery="catch_up"),
    scenario("IoT telemetry over flaky links", "mqtt",
             "Constrained devices on dropping links are what MQTT's QoS and sessions are for.",
             direction="client_to_server", payload="binary", lifetime="always",
             clients=(DEVICE,), delivery="catch_up", scale="large", limits=("flaky",)),
    scenario("smart-home control with an existing broker", "mqtt",
             "Apps and devices already meet at the broker; commands and state flow both ways.",
             direction="both", freshness="subsecond", rate="rare", lifetime="always",
             clients=(MOBILE, DEVICE), scale="large", existing=("mqtt_broker",)),
    scenario("vehicle fleet positions", "mqtt",
             "Trackers on cellular links publishing positions: MQTT's home ground.",
             direction="client_to_server", payload="binary", lifetime="always",
             clients=(DEVICE,), delivery="latest", scale="large", limits=("flaky",)),
    scenario("service-to-service streaming with gRPC in place", "grpc",
             "Typed bidirectional streams between services on the tooling they already run.",
             direction="both", freshness="subsecond", rate="high", payload="binary",
             lifetime="always", clients=(SERVICE,), scale="small", existing=("grpc",)),
    scenario("internal event feed between services", "grpc",
             "A server-streaming call between services, with deadlines and flow control.",
             lifetime="always", clients=(SERVICE,), payload="binary", scale="small"),
    scenario("video call", "webrtc",
             "Live audio and video between people is exactly WebRTC.",
             direction="peer_to_peer", freshness="realtime", rate="high", payload="media",
             clients=(B, MOBILE), delivery="latest"),
    scenario("sub-second live video broadcast", "webrtc",
             "Under a second of latency for live video means WebRTC (WHEP), not HLS.",
             freshness="subsecond", rate="high", payload="media", delivery="latest",
             audience="same"),
    scenario("live sports video for millions", "polling",
             "HLS/DASH: players fetch segments from a CDN, seconds behind live.",
             rate="high", payload="media", clients=(B, MOBILE), delivery="latest",
             audience="same", scale="huge"),
    scenario("notifications from a serverless backend", "push",
             "Reaching people with the app closed is what Web Push, APNs and FCM do.",
             rate="rare", clients=(B, MOBILE), delivery="closed", scale="large",
             limits=("serverless",)),
    scenario("mobile alerts to millions", "push",
             "APNs/FCM keep the connection so the app doesn't have to.",
             rate="rare", lifetime="always", clients=(MOBILE,), delivery="closed",
             scale="huge"),
    scenario("chat that must notify people with the app closed", "push",
             "Only push reaches a closed app; the open app pairs it with a socket.",
             direction="both", rate="rare", clients=(B, MOBILE), delivery="closed"),
    scenario("in-app notifications on serverless with a managed service", "websocket",
             "The managed service holds the sockets; functions publish with one call.",
             rate="rare", clients=(B, MOBILE), scale="large", limits=("serverless",),
             existing=("managed",)),
    scenario("in-app status on serverless, no managed service", "polling",
             "Functions can't hold connections; a short poll every few seconds works.",
             clients=(B,), limits=("serverless",)),
    scenario("live dashboard behind a strict corporate proxy", "long_polling",
             "Plain requests pass any proxy; a waiting request answers within seconds.",
             clients=(B_NO_SAFARI,), rate="rare", scale="small", limits=("proxy",)),
    scenario("shared KPI dashboard behind a corporate proxy", "polling",
             "Same data for everyone: cacheable polls pass any proxy.",
             clients=(B_NO_SAFARI,), delivery="latest", audience="same", scale="small",
             limits=("proxy",)),
    scenario("streamed LLM reply", "sse",
             "Tokens stream one way for one request; SSE is what the big LLM APIs use.",
             freshness="subsecond", rate="high", lifetime="request"),
    scenario("streamed LLM reply from a serverless function", "sse",
             "Serverless platforms that stream responses carry SSE for one request.",
             freshness="subsecond", rate="high", lifetime="request",
             limits=("serverless",)),
    scenario("large CSV export", "http_streaming",
             "Megabytes produced row by row stream straight into a download.",
             freshness="minutes", rate="high", payload="binary", size="bulk",
             lifetime="request", scale="small"),
    scenario("build log in the browser", "sse",
             "Text lines one way for one job, resumable with Last-Event-ID.",
             lifetime="request", delivery="catch_up", scale="small"),
    scenario("weather widget", "polling",
             "Minutes of staleness and the same data for all: poll a cached URL.",
             freshness="minutes", rate="rare", delivery="latest", audience="same",
             scale="large"),
    scenario("order tracking page", "sse",
             "A few one-way status changes within seconds.",
             rate="rare", clients=(B, MOBILE), delivery="latest"),
    scenario("live auction bidding", "websocket",
             "Bids go both ways and must land within a second.",
             direction="both", freshness="subsecond", audience="same"),
    scenario("file transfer between two browsers", "webrtc",
             "Peer-to-peer data channels move the file without touching your servers.",
             direction="peer_to_peer", rate="high", payload="binary", size="bulk",
             scale="small"),
    scenario("backup uploads from browsers", "polling",
             "Big uploads are ordinary, resumable HTTP requests.",
             direction="client_to_server", freshness="minutes", rate="rare",
             payload="binary", size="bulk", lifetime="request"),
    scenario("analytics beacons from browsers", "polling",
             "Batched POSTs (or sendBeacon) need no open connection.",
             direction="client_to_server", freshness="minutes", rate="rare",
             scale="huge"),
    scenario("turn-based board game", "websocket",
             "Moves both ways within seconds, on every browser and phone.",
             direction="both", rate="rare", clients=(B, MOBILE)),
    scenario("live comments under a stream, millions, managed service", "websocket",
             "Two-way at huge scale, with a managed service holding the sockets.",
             direction="both", audience="same", clients=(B, MOBILE), scale="huge",
             existing=("managed",)),
    scenario("robot teleoperation from a Chromium console over HTTP/3", "webtransport",
             "Control datagrams in tens of milliseconds, no head-of-line blocking.",
             direction="both", freshness="realtime", rate="high", payload="binary",
             clients=(B_NO_SAFARI,), delivery="latest", scale="small",
             existing=("http3",)),
    scenario("browser dashboard for an existing MQTT sensor network", "mqtt",
             "Browsers subscribe to the broker over its WebSocket listener.",
             direction="both", lifetime="always", clients=(B, DEVICE),
             delivery="latest", existing=("mqtt_broker",)),
    # Contradictions: a candidate whose own reason denies an answer is never the pick.
    scenario("collaborative editor on serverless functions, managed not ticked", "websocket",
             "Peers can't catch up over WebRTC; a managed service holding the sockets can.",
             direction="both", freshness="subsecond", payload="binary", delivery="catch_up",
             limits=("serverless",)),
    scenario("two-way editor whose stream lives for one request", "websocket",
             "One request's streamed response can't carry the client's edits.",
             direction="both", freshness="subsecond", delivery="every", lifetime="request"),
    scenario("one-way live video under a second, one stream per request", "webrtc",
             "Players buffer streamed HTTP media; under a second takes WebRTC.",
             freshness="subsecond", rate="rare", payload="media", delivery="latest",
             audience="same", lifetime="request"),
    scenario("photo uploads from constrained devices", "polling",
             "Uploads are ordinary HTTP requests: resumable, retryable, nothing held open.",
             direction="client_to_server", freshness="minutes", rate="rare",
             payload="binary", size="bulk", lifetime="request", clients=(DEVICE,)),
]
# fmt: on


@pytest.mark.parametrize(("answers", "expected", "why"), SCENARIOS)
def test_decision_table_scenario_gets_the_expected_top_pick(answers, expected, why):
    result = engine.recommend(answers)
    ranking = [(a.key, a.score) for a in result.ranking]
    assert result.top.key == expected, f"{why} Got {ranking}"


def test_decision_table_has_at_least_thirty_scenarios_covering_every_kind_of_pick():
    assert len(SCENARIOS) >= 30
    picks = {param.values[1] for param in SCENARIOS}
    assert picks == set(engine.CANDIDATE_KEYS)


# -- Hard constraints ------------------------------------------------------------------


def test_webtransport_is_ruled_out_with_its_reason_when_http3_is_not_available():
    result = engine.recommend(make_answers(direction="both", freshness="realtime"))
    ruled_out = {a.key: a.ruled_out for a in result.ruled_out}
    assert "HTTP/3" in " ".join(ruled_out["webtransport"])


def test_browsers_rule_out_bidirectional_grpc():
    result = engine.recommend(make_answers(direction="both", clients=(B, SERVICE)))
    assert "grpc" in {a.key for a in result.ruled_out}


def test_grpc_stays_in_the_running_for_services_alone():
    result = engine.recommend(make_answers(direction="both", clients=(SERVICE,)))
    assert "grpc" not in {a.key for a in result.ruled_out}


def test_push_is_ruled_out_for_backend_services_and_devices():
    result = engine.recommend(make_answers(delivery="closed", clients=(SERVICE, DEVICE)))
    assert "push" in {a.key for a in result.ruled_out}


def test_websocket_on_serverless_without_a_managed_service_loses_to_polling():
    result = engine.recommend(make_answers(limits=("serverless",)))
    websocket = next(a for a in result.ranking if a.key == "websocket")
    assert result.top.key == "polling"
    assert websocket.score < result.top.score


def test_websocket_on_serverless_says_a_managed_service_is_the_way_out_when_not_ticked():
    editor = make_answers(
        direction="both", freshness="subsecond", delivery="catch_up", limits=("serverless",)
    )
    top = engine.recommend(editor).top
    assert top.key == "websocket"
    assert any("way out" in caveat and "managed" in caveat for caveat in top.caveats)


def test_webrtc_is_ruled_out_when_offline_clients_must_catch_up():
    result = engine.recommend(make_answers(direction="peer_to_peer", delivery="catch_up"))
    ruled_out = {a.key: a.ruled_out for a in result.ruled_out}
    assert "catch up" in " ".join(ruled_out["webrtc"])


def test_one_request_streams_are_ruled_out_when_clients_send_too():
    result = engine.recommend(make_answers(direction="both", lifetime="request"))
    assert {"sse", "http_streaming"} <= {a.key for a in result.ruled_out}


def test_per_request_streams_at_scale_get_no_pub_sub_caveat():
    llm = make_answers(freshness="subsecond", rate="high", lifetime="request", scale="large")
    result = engine.recommend(llm)
    assert result.top.key == "sse"
    assert not any("pub/sub" in caveat for a in result.ranking for caveat in a.caveats)


def test_session_connections_at_scale_keep_the_pub_sub_caveat():
    result = engine.recommend(make_answers(direction="both", scale="large"))
    assert any("pub/sub" in caveat for caveat in result.top.caveats)


def test_plain_http_is_named_for_requests_not_only_polling():
    assert engine.NAMES["polling"] == "Plain HTTP requests"


def test_a_ruled_out_candidate_never_ranks():
    result = engine.recommend(make_answers(freshness="realtime"))
    ranked = {a.key for a in result.ranking}
    assert {"polling", "long_polling", "push"}.isdisjoint(ranked)


# -- Evidence, reasons, caveats ---------------------------------------------------------


def test_reasons_come_from_the_answers():
    one_way = engine.recommend(make_answers(direction="server_to_client")).top
    assert one_way.key == "sse"
    assert any("one way" in reason for reason in one_way.reasons)


def test_safari_requirement_adds_webtransport_caveat_but_does_not_rule_it_out():
    answers = make_answers(direction="both", clients=(B,), existing=("http3",))
    webtransport = next(a for a in engine.recommend(answers).ranking if a.key == "webtransport")
    assert any("Safari" in caveat for caveat in webtransport.caveats)


def test_closed_app_delivery_tells_other_protocols_to_pair_with_push():
    result = engine.recommend(make_answers(rate="rare", delivery="closed"))
    assert result.top.key == "push"
    assert any("push" in caveat for caveat in result.runners_up[0].caveats)


def test_scores_are_the_sum_of_the_matching_evidence():
    answers = engine.normalise_answers(make_answers())
    for assessment in engine.recommend(answers).ranking:
        expected = sum(
            rule.points
            for rule in engine.EVIDENCE_RULES
            if assessment.key in rule.candidates and rule.applies(answers)
        )
        assert assessment.score == expected


def test_ties_go_to_the_simpler_candidate():
    viable, _ = engine.rank(engine.normalise_answers(make_answers()))
    for better, worse in itertools.pairwise(viable):
        assert (
            better.score > worse.score
            or engine.SIMPLICITY[better.key] < engine.SIMPLICITY[worse.key]
        )


# -- What would change the answer ----------------------------------------------------


def test_each_suggested_change_really_puts_its_candidate_on_top():
    answers = make_answers(direction="both", clients=(B, MOBILE), delivery="catch_up")
    result = engine.recommend(answers)
    assert result.what_would_change
    for switch in result.what_would_change:
        changed = dict(result.answers)
        if switch.ticked is None:
            changed[switch.question] = switch.value
        else:
            changed[switch.question] = changed[switch.question] ^ {switch.value}
        assert engine.recommend(changed).top.key == switch.leads_to != result.top.key


def test_runners_up_list_the_changes_that_would_make_them_the_pick():
    result = engine.recommend(make_answers(direction="both", clients=(B, MOBILE)))
    sse = next(a for a in result.runners_up if a.key == "sse")
    assert {(s.question, s.value) for s in sse.pick_instead_if} >= {
        ("direction", "server_to_client")
    }


def test_a_change_reads_as_a_sentence_naming_question_and_answer():
    switch = engine.Switch("direction", "peer_to_peer", None, "webrtc")
    assert switch.text == (
        "If you answered “Users, directly to each other” to “Who sends the data?”"
    )
    tick = engine.Switch("existing", "http3", True, "webtransport")
    assert (
        tick.text == "If you ticked “HTTP/3 end to end” for “What do you already have, or may use?”"
    )


# -- Links -----------------------------------------------------------------------------


def test_every_linked_guide_is_a_guide_the_loader_publishes():
    published = {guide.url for guide in guides()}
    linked = {guide.path for guide in reading.COMPARISONS.values()}
    linked |= {guide.path for guide, _, _ in reading.GUIDES}
    assert linked - published == set()


def test_every_candidate_but_websocket_and_push_has_a_comparison_guide():
    assert set(reading.COMPARISONS) == set(engine.CANDIDATE_KEYS) - {"websocket", "push"}


def test_a_chat_links_the_chat_guide_and_the_comparison_with_the_runner_up():
    result = engine.recommend(make_answers(direction="both", clients=(B, MOBILE)))
    paths = [guide.path for guide in result.guides]
    assert "/guides/use-cases/chat/" in paths
    assert "/guides/comparisons/websocket-vs-server-sent-events/" in paths


def test_serverless_functions_link_the_guide_to_managed_and_serverless_websockets():
    result = engine.recommend(make_answers(direction="both", limits=("serverless",)))
    paths = [guide.path for guide in result.guides]
    assert "/guides/comparisons/managed-and-serverless-websockets/" in paths


def test_a_high_message_rate_over_a_connection_links_the_backpressure_guide():
    result = engine.recommend(make_answers(direction="both", rate="high"))
    assert result.top.key in reading.CONNECTED
    assert "/guides/guides/backpressure-and-flow-control/" in [g.path for g in result.guides]


def test_a_websocket_pick_runs_over_websocket():
    assert engine.recommend(make_answers(direction="both")).runs_over_websocket


def test_a_server_sent_events_pick_with_websocket_as_runner_up_does_not():
    result = engine.recommend(make_answers(freshness="subsecond", rate="high"))
    assert result.top.key == "sse"
    assert "websocket" in {a.key for a in result.runners_up}
    assert not result.runs_over_websocket


def test_a_weather_widget_does_not_run_over_websocket():
    answers = make_answers(freshness="minutes", rate="rare", audience="same", delivery="latest")
    assert not engine.recommend(answers).runs_over_websocket


def test_mqtt_for_browsers_runs_over_websocket():
    answers = make_answers(
        direction="both", lifetime="always", clients=(B, DEVICE), existing=("mqtt_broker",)
    )
    result = engine.recommend(answers)
    assert result.top.key == "mqtt" and result.runs_over_websocket


# -- Validation and purity -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"clients": frozenset()}, "clients"),
        ({"clients": frozenset({"browser", "browser_no_safari"})}, "clients"),
        ({"existing": frozenset({"carrier-pigeon"})}, "existing"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_answers_are_refused_with_the_question_named(change, key):
    with pytest.raises(engine.InvalidAnswers) as refused:
        engine.recommend({**make_answers(), **change})
    assert key in refused.value.errors


def test_a_missing_answer_is_refused():
    answers = make_answers()
    del answers["scale"]
    with pytest.raises(engine.InvalidAnswers) as refused:
        engine.recommend(answers)
    assert "scale" in refused.value.errors


def test_the_same_answers_always_give_the_same_result():
    answers = make_answers(direction="both", clients=(B, MOBILE))
    assert engine.recommend(answers) == engine.recommend(dict(answers))


def test_a_typo_in_a_rule_condition_fails_loudly():
    with pytest.raises(ValueError, match="no answer"):
        engine.parse_condition("direction=sideways")
    with pytest.raises(ValueError, match="no question"):
        engine.parse_condition("colour=blue")


@pytest.mark.parametrize("module", [engine, questions, rules, reading], ids=lambda m: m.__name__)
def test_the_engine_and_its_data_import_nothing_from_django(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not any(name.split(".")[0] == "django" for name in imported), imported
