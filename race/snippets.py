"""Ready-to-copy clients for each lane; `{base}` and `{race}` are filled in."""

CREATE = """# Create a race (the answer holds its id and these endpoints):
curl -s -H 'Content-Type: application/json' \\
  -d '{{"rate": 2, "size": 256, "duration": 10}}' {base}/tools/race/new
"""

POLLING = """// Plain polling: ask every second for the events after the last one seen.
let after = 0;
const timer = setInterval(async () => {{
  const response = await fetch(`{base}{poll}?after=${{after}}`);
  const {{ events, done }} = await response.json();
  for (const event of events) {{
    console.log(event.seq, event.sent);
    after = event.seq;
  }}
  if (done) clearInterval(timer);
}}, 1000);
"""

LONG_POLLING = """// Long polling: the server holds each request until there is an event.
let after = 0;
for (let done = false; !done; ) {{
  const response = await fetch(`{base}{long_poll}?after=${{after}}`);
  const answer = await response.json();
  for (const event of answer.events) {{
    console.log(event.seq, event.sent);
    after = event.seq;
  }}
  done = answer.done;
}}
"""

SSE = """// Server-Sent Events: one response that stays open. After a drop, EventSource
// reconnects with Last-Event-ID and gets only what it missed.
const source = new EventSource("{base}{sse}");
source.addEventListener("message", (message) => {{
  const event = JSON.parse(message.data);
  console.log(event.seq, event.sent);
}});
source.addEventListener("end", () => source.close());

# or from a shell, resuming after event 5:
curl -N -H 'Last-Event-ID: 5' {base}{sse}
"""

WEBSOCKET = """// WebSocket: one connection; each event is a text message. The server closes
// with 1000 when the race is over. Add ?after=5 to start after event 5.
const socket = new WebSocket("{websocket}");
socket.addEventListener("message", (message) => {{
  const event = JSON.parse(message.data);
  console.log(event.seq, event.sent);
}});
socket.addEventListener("close", (close) => console.log("closed", close.code, close.reason));
"""

SNIPPETS = (
    ("create", "Create a race", "shell", CREATE),
    ("polling", "Polling", "javascript", POLLING),
    ("long_polling", "Long polling", "javascript", LONG_POLLING),
    ("sse", "Server-Sent Events", "javascript", SSE),
    ("websocket", "WebSocket", "javascript", WEBSOCKET),
)


def snippets(base, endpoints):
    """[(key, label, language, code)]: `base` is the site's address, `endpoints` a race's
    paths (poll, long_poll, sse) and WebSocket URL (websocket)."""
    return [
        (key, label, language, code.format(base=base, **endpoints))
        for key, label, language, code in SNIPPETS
    ]
