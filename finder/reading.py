"""Which guides of the library the finder suggests reading: data, no logic, no Django.

A guide is suggested when its condition (the same small language as finder/rules.py)
holds and the top pick is among the candidates listed. The comparison guide of every
candidate shown follows. tests/test_finder_engine.py checks each path against the
guides the loader publishes from guides/content/.
"""

from dataclasses import dataclass

from .rules import CANDIDATE_KEYS


@dataclass(frozen=True)
class Guide:
    path: str
    title: str


COMPARISONS = {
    "sse": Guide(
        "/guides/comparisons/websocket-vs-server-sent-events/", "WebSocket vs Server-Sent Events"
    ),
    "long_polling": Guide(
        "/guides/comparisons/websocket-vs-long-polling/", "WebSocket vs long polling"
    ),
    "polling": Guide("/guides/comparisons/websocket-vs-long-polling/", "WebSocket vs long polling"),
    "http_streaming": Guide(
        "/guides/comparisons/websocket-vs-http-streaming/", "WebSocket vs HTTP response streaming"
    ),
    "webtransport": Guide(
        "/guides/comparisons/websocket-vs-webtransport/", "WebSocket vs WebTransport"
    ),
    "webrtc": Guide(
        "/guides/comparisons/websocket-vs-webrtc-data-channels/",
        "WebSocket vs WebRTC data channels",
    ),
    "mqtt": Guide("/guides/comparisons/websocket-vs-mqtt/", "WebSocket vs MQTT"),
    "grpc": Guide(
        "/guides/comparisons/websocket-vs-grpc-streaming/", "WebSocket vs gRPC streaming"
    ),
}

CHAT = Guide("/guides/use-cases/chat/", "Building chat")
DASHBOARDS = Guide("/guides/use-cases/live-dashboards-and-tickers/", "Live dashboards and tickers")
GAMES = Guide("/guides/use-cases/multiplayer-games/", "Multiplayer games")
EDITING = Guide("/guides/use-cases/collaborative-editing/", "Collaborative editing")
NOTIFICATIONS = Guide("/guides/use-cases/notifications/", "Notifications")
TELEMETRY = Guide("/guides/use-cases/iot-telemetry/", "IoT telemetry")
SCALING = Guide("/guides/guides/scaling-out/", "Scaling WebSocket servers out")
HEARTBEATS = Guide(
    "/guides/guides/heartbeats-and-idle-timeouts/", "Heartbeats, ping/pong and idle timeouts"
)
RECONNECTION = Guide(
    "/guides/guides/reconnection-with-backoff/", "Reconnection with exponential backoff and jitter"
)
MANAGED = Guide(
    "/guides/comparisons/managed-and-serverless-websockets/", "Managed and serverless WebSockets"
)
BACKPRESSURE = Guide(
    "/guides/guides/backpressure-and-flow-control/", "Backpressure and flow control"
)

EVERY = CANDIDATE_KEYS
CONNECTED = ("websocket", "sse", "mqtt", "webtransport", "long_polling")

# fmt: off
GUIDES = (
    # guide          top pick among     when
    (CHAT,          EVERY,             "direction=both & audience=personal & "
                                       "freshness=seconds,subsecond & payload!=media"),
    (EDITING,       EVERY,             "direction=both & audience=personal & "
                                       "freshness=subsecond & delivery=every,catch_up & "
                                       "payload!=media"),
    (GAMES,         EVERY,             "direction=both,peer_to_peer & freshness=realtime & "
                                       "payload!=media"),
    (DASHBOARDS,    EVERY,             "direction=server_to_client & lifetime!=request & "
                                       "payload!=media & freshness!=minutes & "
                                       "rate=steady,high & delivery!=closed"),
    (NOTIFICATIONS, EVERY,             "delivery=closed"),
    (NOTIFICATIONS, EVERY,             "direction=server_to_client & rate=rare & "
                                       "audience=personal & lifetime!=request"),
    (TELEMETRY,     EVERY,             "clients=device"),
    (TELEMETRY,     EVERY,             "direction=client_to_server & lifetime=always"),
    (SCALING,       CONNECTED,         "scale=large,huge & existing!=managed"),
    (HEARTBEATS,    CONNECTED,         "lifetime=session,always & limits=proxy,flaky"),
    (HEARTBEATS,    CONNECTED,         "lifetime=always"),
    (RECONNECTION,  CONNECTED,         "lifetime=session,always & limits=flaky"),
    (RECONNECTION,  CONNECTED,         "lifetime=session,always & delivery=catch_up"),
    (MANAGED,       EVERY,             "limits=serverless"),
    (MANAGED,       CONNECTED,         "existing=managed & scale=large,huge"),
    (BACKPRESSURE,  CONNECTED,         "rate=high"),
)
# fmt: on

ECHO_TESTER = "/echo/"
