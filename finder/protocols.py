"""Starter wording for each candidate: name, one line, strengths and weaknesses.

`manage.py load_protocols` copies these into the Protocol snippets once; after that the
snippets are the editors' to improve in the Wagtail admin. The rules stay in rules.py.
"""

STARTER_PROTOCOLS = {
    "polling": {
        "name": "Plain HTTP requests",
        "description": (
            "Ordinary HTTP requests: the client asks on a timer, or posts when it has "
            "something to send, and nothing stays open."
        ),
        "strengths": [
            "Works everywhere HTTP works: every proxy, firewall, CDN and serverless platform.",
            "Stateless servers: any instance answers any request, so scaling is routine.",
            "Shared answers are cacheable, so a CDN can absorb most of the load.",
            "Uploads and downloads get resumption, compression and Range requests for free.",
        ],
        "weaknesses": [
            "Data is up to one polling interval stale.",
            "Most polls come back empty when updates are rare.",
            "Every poll carries full HTTP headers and a round trip.",
        ],
    },
    "sse": {
        "name": "Server-Sent Events",
        "description": (
            "A long-lived HTTP response that streams text events from server to client, "
            "with reconnection and resume built into browsers."
        ),
        "strengths": [
            "Plain HTTP: works with existing auth, compression, HTTP/2 multiplexing and tooling.",
            "Browsers reconnect on their own and send Last-Event-ID so the server can resume.",
            "Simple on the server: write `data:` lines and flush.",
            "The usual way to stream LLM replies token by token.",
        ],
        "weaknesses": [
            "One direction only: client messages need separate requests.",
            "Text only: binary must be base64-encoded.",
            "Over HTTP/1.1 browsers allow about six connections per site, shared by all tabs.",
            "Buffering proxies can hold events back unless you send heartbeats.",
        ],
    },
    "long_polling": {
        "name": "Long polling",
        "description": (
            "The client makes a request that the server holds open until there is news, "
            "then immediately asks again."
        ),
        "strengths": [
            "Ordinary requests and responses: passes proxies that break WebSocket and streams.",
            "Delivers within about one round trip of an event.",
            "A cursor per request makes catching up after a disconnection natural.",
        ],
        "weaknesses": [
            "A new request for every message or batch: poor at high message rates.",
            "Held requests tie up connections, and functions on serverless platforms.",
            "Ordering and duplicates across requests are yours to handle.",
        ],
    },
    "http_streaming": {
        "name": "HTTP response streaming",
        "description": (
            "One HTTP response whose body is sent in pieces as it is produced, read with "
            "fetch() streams or any HTTP client."
        ),
        "strengths": [
            "Nothing beyond HTTP: any client and server library can do it.",
            "Carries any bytes, so it suits exports, downloads and binary streams.",
            "Ends cleanly with the response: one request, one answer.",
        ],
        "weaknesses": [
            "Server to client only, for the life of one response.",
            "No event framing or resume: you design both.",
            "Buffering proxies and load balancers may hold back or cut long responses.",
        ],
    },
    "websocket": {
        "name": "WebSocket",
        "description": (
            "A persistent, full-duplex connection (RFC 6455) that starts as an HTTP request "
            "and then carries messages both ways."
        ),
        "strengths": [
            "Either side sends whenever it likes, with 2 to 14 bytes of framing per message.",
            "Supported by every browser and by libraries in every server language.",
            "Text and binary messages.",
            "Hosted options exist when you don't want to run the connections yourself.",
        ],
        "weaknesses": [
            "Stateful connections: scaling out needs a pub/sub layer between servers.",
            "No built-in reconnection, resume, acknowledgements or message format.",
            "Some corporate proxies block the upgrade or cut idle connections.",
            "Runs over TCP, so one lost packet delays every message behind it.",
        ],
    },
    "push": {
        "name": "Push notifications",
        "description": (
            "Web Push, Apple's APNs and Google's FCM deliver short messages to browsers and "
            "phones, even while your app is closed."
        ),
        "strengths": [
            "Reaches people while the app or tab is closed.",
            "The operating system keeps one connection for every app, which saves battery.",
            "Sending is one HTTP call from your server, which suits serverless backends.",
        ],
        "weaknesses": [
            "Payloads of about 4 KB.",
            "No guarantee of delivery, order or timing; messages may be collapsed.",
            "Needs the user's permission, and on iOS a web app added to the Home Screen.",
            "Only from server to device.",
        ],
    },
    "mqtt": {
        "name": "MQTT",
        "description": (
            "A lightweight publish/subscribe protocol through a broker, built for devices "
            "and unreliable networks; browsers use it over WebSocket."
        ),
        "strengths": [
            "Tiny overhead: a 2-byte fixed header and small client libraries.",
            "QoS 0, 1 and 2, persistent sessions and retained messages.",
            "Last-will messages announce clients that vanish.",
            "Brokers scale to millions of device connections.",
        ],
        "weaknesses": [
            "Needs a broker to run, secure and scale (or a managed one).",
            "Browsers need a library and the broker's WebSocket listener.",
            "Brokers cap message sizes; large payloads belong elsewhere.",
        ],
    },
    "grpc": {
        "name": "gRPC streaming",
        "description": (
            "Server, client and bidirectional streaming calls over HTTP/2 with Protocol "
            "Buffers contracts."
        ),
        "strengths": [
            "Typed contracts and generated clients in many languages.",
            "Deadlines, cancellation, flow control and HTTP/2 multiplexing.",
            "Compact binary messages.",
        ],
        "weaknesses": [
            "Browsers get only unary and server-streaming calls, through gRPC-Web and a proxy.",
            "Many proxies and load balancers handle end-to-end HTTP/2 poorly.",
            "Long-lived streams need care to balance across servers.",
        ],
    },
    "webrtc": {
        "name": "WebRTC data channels",
        "description": (
            "Peer-to-peer connections between browsers and apps, carrying data channels "
            "beside audio and video, over UDP."
        ),
        "strengths": [
            "Direct connections between users, so data needn't pass through your servers.",
            "Reliable or unreliable, ordered or unordered channels.",
            "The same connection carries real-time audio and video.",
        ],
        "weaknesses": [
            "Needs signalling, STUN, and TURN relays for the connections that can't go direct.",
            "A heavy stack (ICE, DTLS, SCTP) that few backends speak.",
            "Firewalls that block UDP force traffic through TURN.",
        ],
    },
    "webtransport": {
        "name": "WebTransport",
        "description": (
            "Multiple streams and unreliable datagrams between browser and server over "
            "HTTP/3 (QUIC)."
        ),
        "strengths": [
            "No head-of-line blocking between streams; datagrams for data that ages fast.",
            "Many streams in one session, each with its own flow control.",
            "Secure by default, with QUIC's TLS 1.3.",
        ],
        "weaknesses": [
            "Needs HTTP/3 end to end, and UDP that networks don't block.",
            "Safari only since 26.4 (March 2026): older iPhones and Macs need a fallback.",
            "The protocol is still an IETF draft, and server libraries are young.",
        ],
    },
}
