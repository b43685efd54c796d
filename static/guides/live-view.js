// Pure helpers of the guides' live examples (live.js): where to connect, and how to show
// a message. No side effects on import; everything a server sends is set as text only.

/** The socket URL for `path` on this page's own host: ws: beside http:, wss: beside https:. */
export function socketUrl(location, path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** "+12 ms", "+1.25 s": time since the run started. */
export function formatElapsed(ms) {
  return ms < 1000 ? `+${Math.round(ms)} ms` : `+${(ms / 1000).toFixed(2)} s`;
}

/** The parsed handshake report of /ws/inspect/, or null for any other message. */
export function parseHandshake(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(data) || data.type !== "handshake" || !isObject(data.request) || !isObject(data.response)) {
    return null;
  }
  return data;
}

function element(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** The request as the server read it: the request line, then one `Name: value` per header. */
export function requestTranscript(request) {
  const headers = Array.isArray(request.headers) ? request.headers : [];
  const lines = headers
    .filter((header) => Array.isArray(header) && header.length === 2)
    .map(([name, value]) => `${name}: ${value}`);
  return [String(request.line ?? ""), ...lines].join("\n");
}

/** A readable view of the handshake report: the request, the Sec-WebSocket-Accept
 * computation step by step, and what the server answered. */
export function handshakeView(data, doc = document) {
  const view = element(doc, "div", "handshake");
  view.dataset.kind = "handshake";
  view.append(element(doc, "p", "handshake__title", "The request the server received:"));
  const pre = element(doc, "pre", "handshake__request");
  pre.tabIndex = 0;
  pre.append(element(doc, "code", "", requestTranscript(data.request)));
  view.append(pre);

  const response = data.response;
  const accept = response.accept && typeof response.accept === "object" ? response.accept : {};
  view.append(element(doc, "p", "handshake__title", "How the server computed Sec-WebSocket-Accept:"));
  const steps = element(doc, "dl", "handshake__accept");
  for (const [term, value] of [
    ["Sec-WebSocket-Key", accept.key],
    ["followed by the GUID", accept.guid],
    ["gives", accept.concatenated],
    ["SHA-1 of that (hex)", accept.sha1_hex],
    ["in Base64: Sec-WebSocket-Accept", accept.accept],
  ]) {
    const row = element(doc, "div");
    const description = element(doc, "dd");
    description.append(element(doc, "code", "", value ?? "(missing)"));
    row.append(element(doc, "dt", "", term), description);
    steps.append(row);
  }
  view.append(steps);

  const extensions = Array.isArray(response.extensions) ? response.extensions.join(", ") : response.extensions;
  view.append(
    element(
      doc,
      "p",
      "handshake__response",
      `Answer: ${response.status ?? "?"} Switching Protocols; subprotocol: ${response.subprotocol || "none"}; ` +
        `extensions: ${extensions || "none"}.` +
        (data.then === "echo" ? " From here on the server echoes each message." : ""),
    ),
  );
  return view;
}

/** How a received message is shown: the handshake view for a handshake report,
 * anything else as plain text (an echoed `<script>` stays text). */
export function messageView(text, doc = document) {
  const handshake = typeof text === "string" ? parseHandshake(text) : null;
  if (handshake) return handshakeView(handshake, doc);
  return element(doc, "code", "live-example__text", typeof text === "string" ? text : `(${text.byteLength ?? text.size} bytes of binary)`);
}
