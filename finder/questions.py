"""The finder's twelve questions and their answers: data, with no Django and no logic.

The form, the engine's conditions, the JSON API and its documentation page all read these.
A rule between answers of one question (the two browser answers exclude each other) is
part of the question, so every reader enforces it the same way.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Exclusive:
    """Answers of a tick-all question that must not be ticked together, and why."""

    values: frozenset
    message: str


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    help: str
    choices: tuple[Choice, ...]
    multiple: bool = False
    required: bool = True
    exclusive: tuple[Exclusive, ...] = ()

    @property
    def values(self):
        return tuple(choice.value for choice in self.choices)

    def label(self, value):
        return next(choice.label for choice in self.choices if choice.value == value)

    def conflict(self, ticked):
        """The message for ticks that exclude each other, or "" when there are none."""
        clash = next((rule for rule in self.exclusive if rule.values <= set(ticked)), None)
        return clash.message if clash else ""


QUESTIONS = (
    Question(
        "direction",
        "Who sends the data?",
        "Think of the messages that must arrive quickly, not every request your app makes.",
        (
            Choice(
                "server_to_client",
                "The server, to clients only",
                "prices, scores, feeds, progress, a streamed reply",
            ),
            Choice("both", "Both sides, often", "chat, games, collaborative editing"),
            Choice(
                "client_to_server",
                "Mostly the clients, to the server",
                "telemetry, sensor readings, uploads, analytics",
            ),
            Choice(
                "peer_to_peer",
                "Users, directly to each other",
                "calls, file sharing, peer-to-peer games: the server only introduces them",
            ),
        ),
    ),
    Question(
        "freshness",
        "How fresh must the data be when it arrives?",
        "The delay after which users notice, or the feature breaks.",
        (
            Choice("minutes", "Minutes old is fine", "reports, weather, a nightly job's status"),
            Choice("seconds", "Within a few seconds", "notifications, chat, order tracking"),
            Choice("subsecond", "Under a second", "trading screens, live cursors, auctions"),
            Choice(
                "realtime",
                "Within tens of milliseconds",
                "action games, remote control, live audio",
            ),
        ),
    ),
    Question(
        "rate",
        "How often does one client send or receive a message?",
        "At the busiest time, for one client.",
        (
            Choice("rare", "Now and then", "a few messages a minute or fewer"),
            Choice("steady", "Steadily", "up to a few messages a second"),
            Choice("high", "Constantly", "tens of messages a second or more"),
        ),
    ),
    Question(
        "payload",
        "What do the messages carry?",
        "Choose the heaviest kind you send.",
        (
            Choice("text", "Small text or JSON", "events, chat lines, status updates"),
            Choice("binary", "Binary data", "Protocol Buffers, CBOR, images, file chunks"),
            Choice("media", "Live audio or video", "calls, streams, screen sharing"),
        ),
    ),
    Question(
        "size",
        "How big is one message or transfer?",
        "The largest thing sent in one go.",
        (
            Choice("small", "Small messages", "up to tens of kilobytes each"),
            Choice("bulk", "Bulk transfers", "megabytes or more: files, exports, datasets"),
        ),
    ),
    Question(
        "lifetime",
        "How long does one stream of data live?",
        "From the first message to the last one on the same stream.",
        (
            Choice(
                "request",
                "The answer to one request",
                "a streamed LLM reply, an export, a build log",
            ),
            Choice("session", "A user's session", "open while the page or app is open"),
            Choice("always", "Always on", "devices and services that stay connected for days"),
        ),
    ),
    Question(
        "clients",
        "Who are the clients?",
        "Tick all that apply.",
        (
            Choice("browser", "Web browsers, Safari and iPhone included", "the public web"),
            Choice(
                "browser_no_safari",
                "Web browsers, but only Chrome, Edge and Firefox need to work",
                "an internal tool, a kiosk",
            ),
            Choice("mobile", "Native mobile apps", "iOS and Android"),
            Choice("service", "Backend services", "your own servers or partners' servers"),
            Choice(
                "device",
                "Constrained devices",
                "microcontrollers, battery-powered sensors, narrowband links",
            ),
        ),
        multiple=True,
        exclusive=(
            Exclusive(
                frozenset({"browser", "browser_no_safari"}),
                "Tick only one of the two browser answers: Safari either must work or needn't.",
            ),
        ),
    ),
    Question(
        "delivery",
        "What must delivery guarantee?",
        "Choose the strongest need.",
        (
            Choice("latest", "Only the latest value matters", "a missed update is replaced"),
            Choice("every", "Every message, in order, while connected", "nothing may be lost"),
            Choice(
                "catch_up",
                "Clients that were offline catch up",
                "on reconnecting they get what they missed",
            ),
            Choice(
                "closed",
                "Messages reach people while the app is closed",
                "alerts on a lock screen or desktop",
            ),
        ),
    ),
    Question(
        "audience",
        "Does everyone receive the same data?",
        "Shared data can be cached and broadcast; personal data cannot.",
        (
            Choice("same", "Everyone gets the same data", "public prices, scores, status pages"),
            Choice(
                "personal",
                "Each user or group gets their own",
                "inboxes, chat rooms, documents, account data",
            ),
        ),
    ),
    Question(
        "scale",
        "How many clients are connected at once, at peak?",
        "A rough order of magnitude is enough.",
        (
            Choice("small", "Hundreds"),
            Choice("medium", "Thousands"),
            Choice("large", "Tens to hundreds of thousands"),
            Choice("huge", "Millions"),
        ),
    ),
    Question(
        "limits",
        "Which of these limits apply?",
        "Tick any that apply; leave them all unticked if none do.",
        (
            Choice(
                "proxy",
                "Restrictive proxies or firewalls",
                "corporate networks that block upgrades, buffer responses or cut idle connections",
            ),
            Choice(
                "serverless",
                "Serverless functions only",
                "your backend can't hold connections open",
            ),
            Choice(
                "flaky",
                "Unreliable networks",
                "mobile data, vehicles, remote sites: connections drop often",
            ),
        ),
        multiple=True,
        required=False,
    ),
    Question(
        "existing",
        "What do you already have, or may use?",
        "Tick any that apply; leave them all unticked if none do.",
        (
            Choice(
                "http3",
                "HTTP/3 end to end",
                "servers, load balancers and networks pass QUIC over UDP",
            ),
            Choice("mqtt_broker", "An MQTT broker"),
            Choice("grpc", "gRPC services"),
            Choice(
                "managed",
                "A managed real-time service is allowed",
                "a hosted service that holds the connections for you, such as AWS API "
                "Gateway WebSocket APIs, Azure Web PubSub, Ably or Pusher",
            ),
        ),
        multiple=True,
        required=False,
    ),
)
QUESTIONS_BY_KEY = {question.key: question for question in QUESTIONS}
