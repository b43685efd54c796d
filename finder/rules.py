"""What the finder concludes from the answers: the candidates and the rules that weigh them.

Data only, no logic and no Django: finder/engine.py parses the conditions (checked against
finder/questions.py when it is imported, so a typo fails at once) and does the scoring.

- ``RULED_OUT``: contradictions. When a candidate cannot give what an answer asks for, it
  leaves the ranking and the row's text says why. A row that says a candidate *cannot* do
  what the user asked belongs here, never among the caveats: no candidate is recommended
  when a reason of its own contradicts an answer.
- ``EVIDENCE``: weighted evidence. Each row that matches the answers adds its points to
  one candidate (or several). Rows with positive points become the candidate's reasons;
  rows with zero or negative points become its caveats (costs, not impossibilities).

Which guides to suggest is in finder/reading.py.

A row's condition is a small string::

    "direction=both"                    the answer is "both"
    "freshness=subsecond,realtime"      the answer is one of these
    "clients=device"                    for a tick-all-that-apply question: "device" is ticked
    "clients!=browser,browser_no_safari,mobile"   none of these is the answer (or ticked)
    "direction=both & clients=browser"  every term holds
"""

from dataclasses import dataclass

# The points a row is worth. Named, so the tables read as judgements, not arithmetic.
DECISIVE = 5  # the one technology built for exactly this
STRONG = 3
GOOD = 2
SOME = 1
NOTE = 0  # a caveat worth knowing that does not change the ranking
MINUS = -1
POOR = -2
BAD = -3


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str


# From the simplest to the most involved: ties go to the one earlier in this list.
CANDIDATES = (
    Candidate("polling", "Plain HTTP requests"),
    Candidate("sse", "Server-Sent Events"),
    Candidate("long_polling", "Long polling"),
    Candidate("http_streaming", "HTTP response streaming"),
    Candidate("websocket", "WebSocket"),
    Candidate("push", "Push notifications"),
    Candidate("mqtt", "MQTT"),
    Candidate("grpc", "gRPC streaming"),
    Candidate("webrtc", "WebRTC data channels"),
    Candidate("webtransport", "WebTransport"),
)
CANDIDATE_KEYS = tuple(candidate.key for candidate in CANDIDATES)


def every_candidate_but(*keys):
    return tuple(key for key in CANDIDATE_KEYS if key not in keys)


# ---------------------------------------------------------------------------------------
# Contradictions: an answer that a candidate cannot serve rules it out, with the reason.
# ---------------------------------------------------------------------------------------

# fmt: off
RULED_OUT = (
    # (candidate or candidates, when, because)
    ("sse", "direction=client_to_server",
     "SSE only carries data from the server to the client, and your data mostly flows the "
     "other way."),
    ("http_streaming", "direction=client_to_server",
     "A streamed response carries data from the server to the client, and your data mostly "
     "flows the other way."),
    ("push", "direction=client_to_server,peer_to_peer",
     "Push notifications only go from your server to a device; they don't carry data from "
     "clients or between users."),
    ("push", "clients!=browser,browser_no_safari,mobile",
     "Push notifications reach browsers and mobile apps, not backend services or devices."),
    ("push", "freshness=subsecond,realtime",
     "Push services make no promise about timing: delivery takes a second or more, and "
     "phones may hold low-priority messages back to save battery."),
    ("push", "rate=high",
     "Push services throttle and collapse frequent messages; they are for occasional "
     "alerts, not streams."),
    ("push", "payload=media",
     "Push notifications carry a few kilobytes of text, not audio or video."),
    ("push", "size=bulk",
     "Push payloads are limited to about 4 KB (Web Push, APNs and FCM alike)."),
    ("sse", "payload=media",
     "SSE carries UTF-8 text only; live audio or video needs binary data and pacing."),
    ("polling", "freshness=realtime",
     "Tens of milliseconds would mean every client sending dozens of requests a second."),
    ("long_polling", "freshness=realtime",
     "Each message needs a fresh request and response, so tens of milliseconds is out of "
     "reach once messages follow each other."),
    ("grpc", "clients=browser,browser_no_safari & direction=both,client_to_server,peer_to_peer",
     "Browsers can't open gRPC client or bidirectional streams: gRPC-Web supports only "
     "single calls and server streaming."),
    ("webtransport", "existing!=http3",
     "WebTransport runs over HTTP/3 (QUIC over UDP), and you haven't said HTTP/3 works end "
     "to end."),
    ("webtransport", "limits=serverless",
     "WebTransport needs a server that holds QUIC sessions open; serverless functions can't."),
    (("sse", "http_streaming"), "limits=serverless & lifetime=session,always & existing!=managed",
     "Your functions can't keep a response open for a whole session, and you haven't "
     "allowed a managed service to do it."),
    ("grpc", "limits=serverless",
     "gRPC streams are long-lived HTTP/2 calls, which serverless functions don't hold open."),
    ("mqtt", "limits=serverless & existing!=mqtt_broker,managed",
     "MQTT needs a broker that stays up, and serverless functions can't be one; you "
     "haven't got a broker or allowed a managed one."),
    ("webrtc", "delivery=catch_up",
     "Peers that were offline can't catch up over a data channel: nothing in between holds "
     "their messages, and you need them to catch up."),
    (("sse", "http_streaming"), "direction=both,peer_to_peer & lifetime=request",
     "One streamed response answers one request; it can't carry the messages your clients "
     "send while it runs."),
    ("push", "direction=both & lifetime=request",
     "A push arrives outside any request: it can't be the answer to one, nor carry the "
     "messages your clients send while they wait for it."),
    ("http_streaming", "payload=media & freshness=subsecond,realtime",
     "Players buffer streamed HTTP media before playing it, a few seconds behind live; under "
     "a second needs WebRTC."),
)
# fmt: on


# ---------------------------------------------------------------------------------------
# Weighted evidence. Positive points: a reason to pick it. Zero or less: a caveat.
# ---------------------------------------------------------------------------------------

# fmt: off
EVIDENCE = (
    # (candidate or candidates, points, when, reason if points > 0 else caveat)

    # -- Who sends the data ------------------------------------------------------------
    ("sse", STRONG, "direction=server_to_client",
     "Data flows one way, from your server to clients: exactly what Server-Sent Events do, "
     "over an ordinary HTTP response."),
    ("http_streaming", GOOD, "direction=server_to_client",
     "Data flows one way, from server to client, which a streamed HTTP response carries "
     "with no extra protocol."),
    ("long_polling", SOME, "direction=server_to_client",
     "One-way updates suit long polling: the server answers a waiting request as soon as "
     "there is news."),
    ("polling", SOME, "direction=server_to_client",
     "One-way updates can simply be fetched by the client; nothing has to push."),
    ("push", SOME, "direction=server_to_client",
     "Push goes from your server to people's devices, the one direction you need."),
    ("websocket", MINUS, "direction=server_to_client",
     "A two-way channel is more than you need when only the server sends: you write your "
     "own message protocol and reconnection, and lose HTTP caching."),
    ("webtransport", MINUS, "direction=server_to_client",
     "Streams and datagrams in both directions are more than one-way updates need."),
    ("webrtc", BAD, "direction=server_to_client",
     "WebRTC connects peers; server-to-client updates would need a WebRTC stack on your "
     "server."),

    ("websocket", STRONG, "direction=both",
     "Both sides send whenever they like: one WebSocket connection carries messages each "
     "way, with no request per message."),
    ("webtransport", GOOD, "direction=both",
     "WebTransport carries both directions, over reliable streams or unreliable datagrams."),
    ("grpc", GOOD, "direction=both",
     "Bidirectional streaming calls carry messages both ways over one HTTP/2 stream."),
    ("mqtt", SOME, "direction=both",
     "Every MQTT client both publishes and subscribes."),
    ("webrtc", SOME, "direction=both",
     "Data channels carry messages both ways."),
    ("long_polling", MINUS, "direction=both",
     "Two-way traffic over long polling costs a request for every client message and a "
     "waiting request for the server's; it works, at a price in requests and latency."),
    ("sse", BAD, "direction=both,peer_to_peer",
     "SSE only streams from server to client: every message a client sends needs its own "
     "HTTP request beside the stream."),
    ("polling", POOR, "direction=both,peer_to_peer",
     "Polling turns every message into a request and delays the server's messages by up to "
     "the polling interval."),
    ("http_streaming", BAD, "direction=both,peer_to_peer",
     "A streamed response only carries server to client; client messages need separate "
     "requests."),
    ("push", POOR, "direction=both",
     "Push only covers the server-to-device half; while the app is open, pair it with a "
     "WebSocket or SSE for the conversation itself."),

    ("polling", STRONG, "direction=client_to_server",
     "When clients do the sending, each message (or a batch) can be an ordinary HTTP POST: "
     "stateless, retryable and easy to scale."),
    ("mqtt", GOOD, "direction=client_to_server",
     "MQTT is built for clients publishing readings to a broker."),
    ("websocket", SOME, "direction=client_to_server",
     "An open WebSocket saves the per-request overhead when clients send many small "
     "messages."),
    ("grpc", SOME, "direction=client_to_server",
     "A client-streaming call sends a stream of messages to the server in one call."),
    ("webtransport", SOME, "direction=client_to_server",
     "Clients can open streams or send datagrams to the server without a request each."),
    ("long_polling", POOR, "direction=client_to_server",
     "Long polling is a way of waiting for the server; it adds nothing when clients do the "
     "sending."),

    ("webrtc", DECISIVE, "direction=peer_to_peer",
     "Only WebRTC connects users' devices directly: your server just introduces them "
     "(signalling, STUN) and relays through TURN when no direct path exists."),
    ("websocket", SOME, "direction=peer_to_peer",
     "A WebSocket server can relay messages between users, which is simpler than WebRTC when "
     "going through your server is acceptable; it is also the usual WebRTC signalling "
     "channel."),
    (every_candidate_but("webrtc", "websocket", "push"), MINUS, "direction=peer_to_peer",
     "Every message between users would go through your server; nothing here connects peers "
     "directly."),

    # -- How fresh ---------------------------------------------------------------------
    ("polling", STRONG, "freshness=minutes",
     "Minutes of staleness are fine, so a request every minute or so is the simplest thing "
     "that works: cacheable, stateless, nothing to keep alive."),
    ("long_polling", MINUS, "freshness=minutes",
     "Long polling holds requests open to deliver within seconds, speed you said you don't "
     "need."),
    (("websocket", "sse", "mqtt"), POOR, "freshness=minutes & lifetime!=request",
     "Keeping a connection open for every client buys speed you said you don't need."),
    (("webrtc", "webtransport"), BAD, "freshness=minutes",
     "Built for milliseconds; minutes of tolerance don't justify its complexity."),

    ("long_polling", GOOD, "freshness=seconds",
     "Seconds of delay suit long polling: the server answers a waiting request the moment "
     "there is news."),
    (("sse", "websocket"), SOME, "freshness=seconds",
     "An open connection delivers within a second, comfortably inside a few seconds."),
    ("polling", SOME, "freshness=seconds & direction!=client_to_server",
     "A poll every few seconds meets this, if clients are few or the answer is cacheable."),
    ("push", SOME, "freshness=seconds",
     "Push services usually deliver within seconds, though without a guarantee."),

    (("websocket", "sse"), GOOD, "freshness=subsecond",
     "Messages go out over an already-open connection as soon as they exist, well under a "
     "second."),
    (("webtransport", "webrtc", "mqtt", "grpc", "http_streaming"), SOME, "freshness=subsecond",
     "Messages go out over an open connection as soon as they exist, well under a second."),
    ("long_polling", MINUS, "freshness=subsecond",
     "Messages that follow each other quickly wait for the client's next request."),
    ("polling", BAD, "freshness=subsecond",
     "Under a second would mean every client polling several times a second."),

    (("webtransport", "webrtc"), STRONG, "freshness=realtime",
     "Over UDP, a lost packet only delays its own message: newer updates don't queue behind "
     "a retransmission."),
    (("websocket", "grpc"), SOME, "freshness=realtime",
     "With no per-message handshake, messages leave immediately: tens of milliseconds on a "
     "good network."),
    (("websocket", "grpc", "sse", "mqtt", "http_streaming"), MINUS, "freshness=realtime",
     "It runs over TCP: one lost packet holds back every later message until it is "
     "retransmitted, which players and operators feel as stutter."),

    # -- Message rate ------------------------------------------------------------------
    ("push", GOOD, "rate=rare",
     "Occasional messages are what push services are for; they throttle frequent ones."),
    ("long_polling", SOME, "rate=rare & freshness=seconds,subsecond",
     "With rare messages, a waiting request costs little and answers the moment something "
     "happens."),
    ("polling", POOR, "rate=rare & freshness=seconds,subsecond",
     "Most polls would come back empty: quick delivery of rare messages means asking many "
     "times for each update."),
    ("websocket", GOOD, "rate=high",
     "Many messages a second ride one connection with 2 to 14 bytes of framing each, "
     "instead of HTTP headers per message."),
    (("webtransport", "grpc"), GOOD, "rate=high",
     "High message rates ride open streams with compact framing and flow control."),
    (("webrtc", "mqtt", "sse"), SOME, "rate=high",
     "A steady stream adds only a few bytes of framing per message."),
    ("polling", POOR, "rate=high & freshness!=minutes",
     "At many messages a second, polls either come very often or return big delayed "
     "batches."),
    ("long_polling", BAD, "rate=high",
     "Every message or small batch costs a new request; at many messages a second that is "
     "a request storm."),

    # -- Payload -----------------------------------------------------------------------
    ("sse", SOME, "payload=text",
     "SSE carries UTF-8 text, which is what you send."),
    ("sse", BAD, "payload=binary",
     "SSE is text-only: binary data must be base64-encoded, a third larger."),
    ("grpc", GOOD, "payload=binary",
     "Protocol Buffers are gRPC's native, compact binary format."),
    (("websocket", "mqtt", "webtransport", "webrtc", "http_streaming"), SOME, "payload=binary",
     "Binary data travels as it is, with no text encoding."),
    ("push", POOR, "payload=binary",
     "Push payloads are small and meant for text or JSON."),

    ("webrtc", DECISIVE, "payload=media",
     "WebRTC is the web's real-time media stack: send audio and video as media tracks, with "
     "jitter buffers, echo cancellation and congestion control, and use data channels beside "
     "them for chat and control."),
    ("polling", STRONG + SOME,
     "payload=media & direction=server_to_client & audience=same & freshness=minutes,seconds",
     "Broadcast video to many viewers is HLS or DASH: players fetch short segments over plain "
     "HTTP from a CDN, a few seconds behind live."),
    ("webtransport", SOME, "payload=media",
     "WebTransport can carry media frames (with WebCodecs) over streams or datagrams."),
    ("webtransport", MINUS, "payload=media",
     "You build the media pipeline yourself; Media over QUIC is still being standardised."),
    ("websocket", POOR, "payload=media",
     "Media over WebSocket means building pacing, jitter buffers and congestion control "
     "yourself, over TCP where one lost packet stalls the audio."),
    (("long_polling", "mqtt"), BAD, "payload=media",
     "It carries discrete messages, not continuous audio or video."),
    (("grpc", "http_streaming"), MINUS, "payload=media",
     "It can carry media bytes, but nothing in it is made for live audio or video."),

    # -- Size --------------------------------------------------------------------------
    ("http_streaming", STRONG, "size=bulk",
     "A streamed response sends megabytes as they are produced, and browsers can save it as "
     "a download."),
    ("polling", GOOD, "size=bulk",
     "Plain HTTP handles big transfers best: resumable uploads, Range requests, compression "
     "and caching."),
    ("webtransport", SOME, "size=bulk",
     "Large transfers get their own stream with flow control, without blocking other "
     "messages."),
    ("websocket", POOR, "size=bulk",
     "A large message blocks every message behind it on the connection, and browsers hold "
     "whole messages in memory; you would chunk it yourself."),
    ("sse", POOR, "size=bulk",
     "Megabytes of text events are a poor fit: no binary, no resumable download."),
    ("mqtt", POOR, "size=bulk",
     "Brokers cap message sizes (AWS IoT Core at 128 KB); large payloads belong on HTTP, "
     "with MQTT carrying a link to them."),
    ("webrtc", MINUS, "size=bulk",
     "Browsers cap data-channel messages (Chrome at 256 KB), so large transfers are sent in "
     "chunks."),
    ("long_polling", MINUS, "size=bulk",
     "Long polling is for waiting on small events, not moving megabytes."),

    # -- Lifetime ----------------------------------------------------------------------
    ("http_streaming", STRONG, "lifetime=request",
     "One streamed response is one request's answer, delivered as it is produced."),
    ("sse", STRONG, "lifetime=request",
     "An SSE response streams one request's answer event by event, the way most LLM APIs "
     "stream tokens."),
    ("grpc", SOME, "lifetime=request",
     "A server-streaming call answers one request with a stream of messages."),
    ("sse", NOTE, "lifetime=request & clients=browser,browser_no_safari",
     "The browser's EventSource only makes GET requests without a body; to POST a prompt, "
     "read the SSE stream with fetch()."),
    ("websocket", POOR, "lifetime=request",
     "Opening a WebSocket for one answer adds a handshake, a custom protocol and your own "
     "end-of-stream signal where one HTTP response does the job."),
    ("push", POOR, "lifetime=request",
     "Push is for messages outside any request, not for answering one."),
    ("mqtt", BAD, "lifetime=request",
     "MQTT sessions are for long-lived clients, not one-off answers."),
    ("webrtc", BAD, "lifetime=request",
     "Setting up a peer connection (signalling, ICE, DTLS) for one answer is far too much."),
    ("webtransport", MINUS, "lifetime=request",
     "A WebTransport session for one answer is more setup than a streamed response."),
    (("websocket", "sse"), SOME, "lifetime=session",
     "One connection lives exactly as long as the page or app is open."),
    ("mqtt", GOOD, "lifetime=always",
     "MQTT keeps long-lived sessions healthy: keep-alives, persistent sessions, and a "
     "last-will message when a client vanishes."),
    ("websocket", SOME, "lifetime=always",
     "A persistent connection suits clients that stay connected."),
    ("grpc", SOME, "lifetime=always & clients=service",
     "Long-lived streams between services get keep-alives, deadlines and flow control."),
    ("push", SOME, "lifetime=always & clients=mobile,browser,browser_no_safari",
     "The operating system keeps one push connection for every app, so yours needn't keep "
     "its own open and drain the battery."),
    ("http_streaming", POOR, "lifetime=always",
     "One endless response is fragile: proxies and load balancers cut long responses, and "
     "nothing can be sent back on it."),

    # -- Clients -----------------------------------------------------------------------
    ("sse", SOME, "clients=browser,browser_no_safari",
     "Browsers have EventSource built in, with automatic reconnection."),
    ("websocket", SOME, "clients=browser,browser_no_safari",
     "Every browser supports WebSocket, Safari included."),
    ("sse", NOTE, "clients=browser,browser_no_safari",
     "Over HTTP/1.1 browsers allow about six connections per site, shared by all tabs; "
     "serve SSE over HTTP/2 or HTTP/3."),
    ("mqtt", MINUS, "clients=browser,browser_no_safari",
     "Browsers speak MQTT only over WebSocket, through a client library and a broker that "
     "accepts WebSocket connections."),
    ("grpc", POOR, "clients=browser,browser_no_safari & direction=server_to_client",
     "Browsers need gRPC-Web and a translating proxy (such as Envoy) for server streaming."),
    ("webtransport", BAD, "clients=browser",
     "Safari and iOS have supported WebTransport only since 26.4 (March 2026): people on "
     "older iPhones and Macs don't have it, so you need a WebSocket fallback."),
    ("push", MINUS, "clients=browser & delivery=closed",
     "On iPhone and iPad, Web Push only reaches web apps added to the Home Screen (iOS "
     "16.4 and later)."),
    ("grpc", STRONG, "clients=service",
     "Between backend services, gRPC gives typed contracts, deadlines and HTTP/2 "
     "multiplexing."),
    ("http_streaming", SOME, "clients=service",
     "Any HTTP client reads a streamed response; services need no special library."),
    ("webrtc", POOR, "clients=service",
     "Backend services rarely speak WebRTC; it needs a full ICE, DTLS and SCTP stack."),
    ("mqtt", STRONG + SOME, "clients=device",
     "MQTT was designed for constrained devices: a 2-byte header, small client libraries, "
     "and QoS levels and keep-alives that work over narrowband links."),
    (("webrtc", "webtransport"), BAD, "clients=device",
     "Its stack (QUIC or ICE, DTLS and SCTP) is heavy for microcontrollers."),
    ("grpc", POOR, "clients=device",
     "HTTP/2 and Protocol Buffers tooling is heavy for microcontrollers."),
    ("websocket", MINUS, "clients=device",
     "WebSocket clients exist for microcontrollers, but you design acknowledgements, retries "
     "and sessions yourself."),
    (("sse", "http_streaming", "long_polling"), MINUS, "clients=device",
     "Holding HTTP responses open on a constrained device is awkward and costs power."),

    # -- Delivery ----------------------------------------------------------------------
    ("polling", SOME, "delivery=latest",
     "Only the latest value matters, so each poll simply fetches the current state."),
    ("mqtt", SOME, "delivery=latest",
     "Retained messages hand new subscribers the latest value immediately."),
    (("webrtc", "webtransport"), SOME, "delivery=latest & freshness=realtime,subsecond",
     "Unreliable delivery (unordered data channels, datagrams) drops stale updates instead "
     "of retransmitting them."),
    ("grpc", SOME, "delivery=every",
     "Streams are reliable and ordered, with flow control."),
    (("websocket", "sse", "webtransport", "http_streaming"), NOTE, "delivery=every",
     "Messages sent while a connection is down are lost unless you number them and resend "
     "after reconnecting."),
    ("sse", GOOD, "delivery=catch_up",
     "SSE resumes after a drop: the browser sends the Last-Event-ID it saw, and your server "
     "replays what was missed."),
    ("mqtt", GOOD, "delivery=catch_up",
     "Persistent sessions with QoS 1 or 2 queue messages while a client is offline."),
    (("long_polling", "polling"), SOME, "delivery=catch_up",
     "Each request asks for everything after a cursor, so catching up is the normal path."),
    (("websocket", "webtransport", "grpc", "http_streaming"), NOTE, "delivery=catch_up",
     "There is no built-in resume: add sequence numbers and replay what was missed on "
     "reconnect."),
    ("push", DECISIVE + SOME, "delivery=closed",
     "Only push services (Web Push, APNs, FCM) reach people while your app or tab is closed: "
     "the operating system keeps one connection on behalf of every app."),
    ("push", BAD, "delivery=every,catch_up",
     "Push services promise neither delivery nor order: messages can be delayed, collapsed, "
     "or dropped when their time to live runs out. Treat a push as a nudge to fetch."),
    (every_candidate_but("push"), MINUS, "delivery=closed",
     "It only delivers while your app is open; pair it with push notifications for "
     "everything else."),

    # -- Audience ----------------------------------------------------------------------
    ("polling", GOOD, "audience=same",
     "Everyone gets the same answer, so a CDN or cache can serve most polls without touching "
     "your servers."),
    ("sse", SOME, "audience=same",
     "Everyone gets the same stream: one broadcast feeds every connection."),
    ("polling", MINUS, "audience=personal & scale=large,huge & direction!=client_to_server",
     "Every poll is a personal request your servers must answer; at this scale that is a "
     "lot of mostly empty requests."),

    # -- Scale -------------------------------------------------------------------------
    (("polling", "long_polling"), SOME, "scale=small",
     "At a few hundred clients, plain requests cost little and are the simplest to run."),
    (("websocket", "sse", "long_polling", "webtransport"), MINUS, "scale=large & lifetime!=request",
     "Tens of thousands of open connections need servers and load balancers tuned for them, "
     "and a pub/sub layer between processes."),
    (("websocket", "sse", "long_polling", "webtransport"), MINUS, "scale=large & lifetime=request",
     "Tens of thousands of responses open at once need servers and load balancers tuned for "
     "long requests."),
    (("websocket", "sse", "long_polling", "webtransport"), POOR, "scale=huge & existing!=managed",
     "Millions of open connections need a fleet built for them, or a managed service."),
    ("websocket", GOOD, "scale=huge & existing=managed",
     "A managed service holds millions of connections for you."),
    ("polling", SOME, "scale=huge & audience=same",
     "A CDN absorbs millions of identical polls."),
    ("push", GOOD, "scale=huge",
     "Push services are built to reach millions of devices."),
    ("mqtt", SOME, "scale=large,huge",
     "Clustered or managed MQTT brokers handle millions of device connections."),

    # -- Limits ------------------------------------------------------------------------
    ("long_polling", STRONG + SOME, "limits=proxy",
     "Long polling is ordinary HTTP requests and responses: it passes any proxy that lets "
     "the rest of your site through."),
    ("polling", STRONG, "limits=proxy",
     "Plain requests pass any proxy that lets the rest of your site through."),
    ("websocket", BAD, "limits=proxy",
     "Some corporate proxies and TLS-inspecting firewalls block the upgrade or cut idle "
     "connections: use wss:// on port 443, heartbeats, and keep a fallback."),
    (("sse", "http_streaming"), POOR, "limits=proxy",
     "Buffering proxies can hold a streamed response back or cut it after a timeout; send a "
     "heartbeat every 15 to 30 seconds and check that nothing buffers."),
    ("webtransport", BAD + MINUS, "limits=proxy",
     "Corporate networks often block UDP, and then WebTransport has no reliable fallback."),
    ("webrtc", BAD, "limits=proxy",
     "Corporate firewalls often block UDP; you would need a TURN relay over TLS on port 443."),
    ("mqtt", POOR, "limits=proxy",
     "MQTT's ports (1883, 8883) are usually blocked; MQTT over WebSocket on 443 inherits "
     "WebSocket's proxy problems."),
    ("grpc", POOR, "limits=proxy",
     "Many proxies mishandle end-to-end HTTP/2, and gRPC needs its trailers."),

    ("polling", STRONG, "limits=serverless",
     "Polling needs nothing but short requests, which serverless functions handle well."),
    ("push", GOOD, "limits=serverless",
     "Sending a push is one short HTTP call to the push service, a natural fit for "
     "functions."),
    ("websocket", BAD + BAD, "limits=serverless & existing!=managed",
     "Your functions can't hold WebSocket connections open, so a managed real-time service "
     "(AWS API Gateway WebSocket APIs, Azure Web PubSub, Ably, Pusher) or a hosted relay "
     "you don't run must hold them for you. You haven't ticked that one is allowed, but it "
     "is the way out here."),
    ("websocket", STRONG, "limits=serverless & existing=managed",
     "A managed real-time service holds the WebSocket connections; your functions publish to "
     "it with one HTTP call."),
    ("sse", BAD, "limits=serverless & existing=managed & lifetime!=request",
     "Your functions can't hold the stream open, so a managed service must, and most speak "
     "only WebSocket; Ably and Fastly Fanout are among those that offer SSE."),
    (("sse", "http_streaming"), MINUS, "limits=serverless & lifetime=request",
     "It needs a platform that streams function responses (many do), and the stream must end "
     "within the function's time limit."),
    ("long_polling", POOR, "limits=serverless",
     "Every waiting request keeps a function running, and billed, until it answers or times "
     "out."),
    ("webrtc", MINUS, "limits=serverless",
     "You still need signalling and a TURN relay running somewhere (managed TURN services "
     "exist)."),

    ("mqtt", STRONG, "limits=flaky",
     "MQTT was built for links that drop: QoS 1 and 2 redeliver after reconnecting, and "
     "persistent sessions keep subscriptions."),
    (("polling", "long_polling"), SOME, "limits=flaky",
     "Each request stands alone; a dropped one is simply retried."),
    ("sse", SOME, "limits=flaky",
     "EventSource reconnects by itself and resumes from the last event id."),
    (("websocket", "webtransport", "grpc"), MINUS, "limits=flaky",
     "On links that drop, you need heartbeats to notice dead connections and reconnection "
     "with backoff."),
    ("webrtc", MINUS, "limits=flaky",
     "Peer connections that drop need an ICE restart through your signalling server."),

    # -- What exists already ------------------------------------------------------------
    ("webtransport", SOME, "existing=http3",
     "You have HTTP/3 end to end, which WebTransport needs."),
    ("mqtt", STRONG, "existing=mqtt_broker",
     "You already run an MQTT broker: clients connect to it directly, browsers over its "
     "WebSocket listener."),
    ("grpc", GOOD, "existing=grpc & clients=service",
     "You already run gRPC services, so streaming fits your tooling: protobuf contracts, "
     "interceptors, deadlines."),
    ("websocket", SOME, "existing=managed & limits!=serverless",
     "A managed service can take connections, fan-out and scaling off your hands."),
    ("mqtt", SOME, "existing=managed & existing!=mqtt_broker",
     "Managed MQTT brokers (AWS IoT Core, HiveMQ Cloud, EMQX Cloud) spare you running one."),
    ("mqtt", MINUS, "existing!=mqtt_broker,managed",
     "You would have to run an MQTT broker."),
)
# fmt: on
