// The echo tester: a WebSocket client in the page. The visitor's browser connects,
// to this site's echo service by default or to any ws:// or wss:// URL.

import { reconnectDelay } from "./backoff.js";
import { RttChart } from "./chart.js";
import {
  checkJson,
  formatBytes,
  formatDuration,
  formatMs,
  looksLikeJson,
  parseBase64,
  parseHex,
  parseProtocols,
  sameBytes,
  urlParts,
  utf8Length,
} from "./codec.js";
import { download, MessageLog } from "./log.js";
import { Stats } from "./stats.js";

const $ = (id) => document.getElementById(id);
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PENDING = 1000;
const STATE_TEXT = {
  closed: "Disconnected",
  connecting: "Connecting…",
  open: "Open",
  closing: "Closing…",
  reconnecting: "Reconnecting",
};

const ui = {
  connectForm: $("connect-form"),
  url: $("url"),
  protocols: $("protocols"),
  connect: $("connect-button"),
  disconnect: $("disconnect-button"),
  autoReconnect: $("auto-reconnect"),
  state: $("state"),
  facts: $("facts"),
  factUrl: $("fact-url"),
  factProtocol: $("fact-protocol"),
  factExtensions: $("fact-extensions"),
  lastClose: $("last-close"),
  roomForm: $("room-form"),
  roomName: $("room-name"),
  roomTab: $("room-tab-link"),
  shareLink: $("share-link"),
  shareCopy: $("share-copy"),
  shareStatus: $("share-status"),
  sendForm: $("send-form"),
  message: $("message"),
  binaryOptions: $("binary-options"),
  formatJson: $("format-json"),
  repeat: $("repeat"),
  repeatMs: $("repeat-ms"),
  closeForm: $("close-form"),
  closeCode: $("close-code"),
  closeReason: $("close-reason"),
  logFilter: $("log-filter"),
  logDirection: $("log-direction"),
  logPause: $("log-pause"),
  logClear: $("log-clear"),
  exportJson: $("log-export-json"),
  exportText: $("log-export-text"),
  announcer: $("announcer"),
  stat: {
    sent: $("stat-sent"),
    received: $("stat-received"),
    min: $("stat-rtt-min"),
    median: $("stat-rtt-median"),
    p99: $("stat-rtt-p99"),
    uptime: $("stat-uptime"),
  },
};

const log = new MessageLog({ list: $("log"), scroller: $("log-scroller"), count: $("log-count") });
const stats = new Stats();
const chart = new RttChart($("rtt-chart"));

const session = {
  socket: null,
  target: null, // { url, protocols, room }
  userClosed: false,
  afterClose: null,
  attempt: 0,
  reconnectTimer: null,
  countdownTimer: null,
  openedAt: null,
  uptimeTimer: null,
  pending: [],
  history: [],
  historyIndex: null,
  draft: "",
  repeatTimer: null,
};

// --- Close codes: the meanings, and the troubleshooting guides, come from the table the
// page shows --------------------------------------------------------------------------------

const closeCodes = new Map();
const closeRanges = [];
for (const row of document.querySelectorAll("#close-codes tr[data-code], #close-codes tr[data-range]")) {
  const guide = row.querySelector(".close-guide");
  const entry = {
    name: row.querySelector(".close-name").textContent,
    meaning: row.querySelector(".close-meaning__text").textContent,
    guide: guide ? { href: guide.getAttribute("href"), text: guide.textContent } : null,
  };
  if (row.dataset.code) closeCodes.set(Number(row.dataset.code), entry);
  else {
    const [low, high] = row.dataset.range.split("-").map(Number);
    closeRanges.push({ low, high, ...entry });
  }
}

function describeClose(code) {
  if (closeCodes.has(code)) return closeCodes.get(code);
  const range = closeRanges.find((r) => code >= r.low && code <= r.high);
  return range ?? { name: "Unregistered", meaning: "Not in the IANA registry.", guide: null };
}

/** A link to the troubleshooting guide `guide` ({ href, text }) names. */
function guideLink(guide) {
  const link = document.createElement("a");
  link.href = guide.href;
  link.textContent = guide.text;
  return link;
}

// --- Form errors, beside their fields -------------------------------------------------------

function showError(input, message) {
  const error = $(`${input.id}-error`);
  error.textContent = message || "";
  error.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return !message;
}

function fail(input, message) {
  showError(input, message);
  input.focus();
  return false;
}

// --- Targets ---------------------------------------------------------------------------

const wsOrigin = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const echoUrl = `${wsOrigin}/ws/echo/`;

function roomUrl(name) {
  return `${wsOrigin}/ws/room/${name}/`;
}

function roomOf(url) {
  try {
    const parsed = new URL(url);
    const match = parsed.pathname.match(/^\/ws\/room\/([A-Za-z0-9_-]{1,64})\/$/);
    return parsed.host === location.host && match ? match[1] : null;
  } catch {
    return null;
  }
}

function checkUrl(value) {
  if (!value) return "Enter a WebSocket URL, like ws://localhost:8080/ or wss://example.com/socket.";
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    return "That is not a URL. Start with ws:// or wss://.";
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    return `WebSocket URLs start with ws:// or wss://, not ${parsed.protocol}//.`;
  }
  if (parsed.hash) return "A WebSocket URL cannot have a #fragment.";
  if (location.protocol === "https:" && parsed.protocol === "ws:") {
    return "This page is served over HTTPS, so the browser only allows wss:// URLs.";
  }
  return "";
}

function setUrl(value) {
  ui.url.value = value;
  ui.url.dispatchEvent(new Event("input", { bubbles: true }));
}

// --- Connection state -----------------------------------------------------------------------

function setState(name, text) {
  ui.state.dataset.state = name;
  ui.state.textContent = text || STATE_TEXT[name];
  const idle = name === "closed" || name === "reconnecting";
  ui.connect.disabled = !idle;
  ui.disconnect.disabled = name === "closed";
  ui.facts.hidden = name !== "open";
  document.querySelector(".echo").dataset.connection = name;
}

function connect() {
  cancelReconnect();
  const url = ui.url.value.trim();
  const urlError = checkUrl(url);
  if (urlError) return fail(ui.url, urlError);
  showError(ui.url, "");
  const { protocols, error } = parseProtocols(ui.protocols.value);
  if (error) return fail(ui.protocols, error);
  showError(ui.protocols, "");
  session.attempt = 0;
  switchTo({ url, protocols, room: roomOf(url) });
  return true;
}

function open(target) {
  session.target = target;
  session.userClosed = false;
  session.pending = [];
  let socket;
  try {
    socket = new WebSocket(target.url, target.protocols);
  } catch (error) {
    log.add({ direction: "event", level: "error", text: `Could not connect: ${error.message}` });
    setState("closed");
    return;
  }
  socket.binaryType = "arraybuffer";
  session.socket = socket;
  setState("connecting");
  const offered = target.protocols.length ? ` offering ${target.protocols.join(", ")}` : "";
  log.add({ direction: "event", text: `Connecting to ${target.url}${offered}…` });
  socket.addEventListener("open", () => onOpen(socket));
  socket.addEventListener("message", (event) => onMessage(socket, event));
  socket.addEventListener("error", () => {
    if (socket !== session.socket) return;
    log.add({
      direction: "event",
      level: "error",
      text: "Error: the browser gives no details of WebSocket errors; the close below has the code.",
    });
  });
  socket.addEventListener("close", (event) => onClose(socket, event));
}

function onOpen(socket) {
  if (socket !== session.socket) return;
  session.attempt = 0;
  session.openedAt = performance.now();
  stats.reset();
  renderStats();
  setState("open");
  showUrl(ui.factUrl, socket.url);
  ui.factProtocol.textContent = socket.protocol || "none";
  ui.factExtensions.textContent = socket.extensions || "none";
  const room = session.target.room ? ` (room "${session.target.room}": messages from other members appear here)` : "";
  log.add({
    direction: "event",
    level: "open",
    text: `Open${room}. Subprotocol: ${socket.protocol || "none"}. Extensions: ${socket.extensions || "none"}.`,
  });
  clearInterval(session.uptimeTimer);
  session.uptimeTimer = setInterval(renderUptime, 1000);
  renderUptime();
}

/** Shows a URL in `element` as text, with line-break opportunities only between its parts. */
function showUrl(element, url) {
  element.replaceChildren();
  urlParts(url).forEach((part, index) => {
    if (index) element.append(document.createElement("wbr"));
    element.append(part);
  });
}

/** "Reason: “Done.”" or "Reason: “done”.": the sentence ends once, inside or after the quote. */
function reasonSentence(reason) {
  if (!reason) return "Reason: none.";
  return /[.!?…]$/.test(reason) ? `Reason: “${reason}”` : `Reason: “${reason}”.`;
}

function onClose(socket, event) {
  if (socket !== session.socket) return;
  session.socket = null;
  clearInterval(session.uptimeTimer);
  stopRepeat();
  const { name, meaning, guide } = describeClose(event.code);
  const text = `Closed: ${event.code} ${name}. ${meaning} ${reasonSentence(event.reason)} wasClean: ${event.wasClean}.`;
  log.add({ direction: "event", level: event.wasClean ? "close" : "error", text, link: guide ?? undefined });
  ui.lastClose.hidden = false;
  ui.lastClose.querySelector(".last-close__code").textContent = `${event.code} ${name}`;
  ui.lastClose.querySelector(".last-close__meaning").textContent = meaning;
  ui.lastClose.querySelector(".last-close__reason").textContent = event.reason || "(none)";
  ui.lastClose.querySelector(".last-close__clean").textContent = event.wasClean ? "yes" : "no";
  ui.lastClose.querySelector(".last-close__help").hidden = !guide;
  ui.lastClose.querySelector(".last-close__guide").replaceChildren(...(guide ? [guideLink(guide)] : []));
  setState("closed");
  renderUptime();
  if (session.afterClose) {
    const next = session.afterClose;
    session.afterClose = null;
    next();
  } else if (!session.userClosed && ui.autoReconnect.checked) {
    scheduleReconnect();
  }
}

function scheduleReconnect() {
  session.attempt += 1;
  const delay = reconnectDelay(session.attempt);
  const due = performance.now() + delay;
  log.add({
    direction: "event",
    text: `Reconnecting in ${formatMs(delay)} (attempt ${session.attempt}, backoff with jitter).`,
  });
  const tick = () => {
    const left = Math.max(0, due - performance.now());
    setState("reconnecting", `Reconnecting in ${(left / 1000).toFixed(1)} s`);
  };
  tick();
  session.countdownTimer = setInterval(tick, 100);
  session.reconnectTimer = setTimeout(() => {
    clearInterval(session.countdownTimer);
    session.reconnectTimer = null;
    open(session.target);
  }, delay);
}

function cancelReconnect() {
  if (session.reconnectTimer === null) return false;
  clearTimeout(session.reconnectTimer);
  clearInterval(session.countdownTimer);
  session.reconnectTimer = null;
  return true;
}

function disconnect() {
  if (cancelReconnect()) {
    log.add({ direction: "event", text: "Reconnection cancelled." });
    setState("closed");
    return;
  }
  if (!session.socket) return;
  session.userClosed = true;
  session.socket.close(1000);
  setState("closing");
}

/** Connects to `target` now, closing the current connection first if there is one. */
function switchTo(target) {
  cancelReconnect();
  if (session.socket && session.socket.readyState <= WebSocket.OPEN) {
    session.userClosed = true;
    session.afterClose = () => open(target);
    session.socket.close(1000);
    setState("closing");
  } else {
    open(target);
  }
}

// --- Messages ---------------------------------------------------------------------------

function currentKind() {
  return ui.sendForm.elements.kind.value;
}

function buildMessage() {
  const kind = currentKind();
  const value = ui.message.value;
  if (kind === "json") {
    const result = checkJson(value);
    if (!result.ok) throw new Error(result.message);
    return { kind, data: value, text: value, size: utf8Length(value) };
  }
  if (kind === "binary") {
    const encoding = ui.sendForm.elements.encoding.value;
    const bytes = encoding === "base64" ? parseBase64(value) : parseHex(value);
    return { kind, data: bytes, bytes, size: bytes.length };
  }
  return { kind, data: value, text: value, size: utf8Length(value) };
}

function transmit(message) {
  const socket = session.socket;
  const record = log.add({
    direction: "out",
    kind: message.kind,
    size: message.size,
    text: message.text,
    bytes: message.bytes,
  });
  const sentAt = performance.now();
  socket.send(message.data);
  stats.countSent(message.size);
  if (!session.target.room) {
    session.pending.push({ message, sentAt, record });
    if (session.pending.length > MAX_PENDING) session.pending.shift();
  }
  scheduleStats();
}

function isOpen() {
  return session.socket !== null && session.socket.readyState === WebSocket.OPEN;
}

function send() {
  if (!isOpen()) return fail(ui.message, "Not connected: connect first, then send.");
  let message;
  try {
    message = buildMessage();
  } catch (error) {
    return fail(ui.message, error.message);
  }
  showError(ui.message, "");
  transmit(message);
  const value = ui.message.value;
  if (value && session.history.at(-1) !== value) session.history.push(value);
  session.historyIndex = null;
  if (!session.repeatTimer) ui.message.value = "";
  return true;
}

function matchPending(data) {
  const isText = typeof data === "string";
  const index = session.pending.findIndex(({ message }) =>
    isText ? message.text === data && message.kind !== "binary" : message.kind === "binary" && sameBytes(message.bytes, data),
  );
  if (index < 0) return null;
  return session.pending.splice(index, 1)[0];
}

function onMessage(socket, event) {
  if (socket !== session.socket) return;
  const now = performance.now();
  const isText = typeof event.data === "string";
  const bytes = isText ? null : new Uint8Array(event.data);
  const size = isText ? utf8Length(event.data) : bytes.length;
  const echo = session.target.room ? null : matchPending(isText ? event.data : bytes);
  const rtt = echo ? now - echo.sentAt : null;
  if (rtt !== null) stats.addRtt(rtt);
  stats.countReceived(size);
  log.add({
    direction: "in",
    kind: isText ? (looksLikeJson(event.data) ? "json" : "text") : "binary",
    size,
    text: isText ? event.data : undefined,
    bytes: bytes ?? undefined,
    rtt,
    from: session.target.room ? "from another member" : undefined,
  });
  announce(isText ? event.data : null, size);
  scheduleStats();
}

// Screen readers hear received messages politely, at most one summary a second and a half.
const announcements = { count: 0, last: null, timer: null };

function announce(text, size) {
  announcements.count += 1;
  announcements.last = text === null ? `${formatBytes(size)} of binary` : text.slice(0, 120);
  if (announcements.timer) return;
  announcements.timer = setTimeout(() => {
    const { count, last } = announcements;
    ui.announcer.textContent =
      count === 1 ? `Received: ${last}` : `${count} messages received. Latest: ${last}`;
    announcements.count = 0;
    announcements.timer = null;
  }, 1500);
}

// --- Statistics ---------------------------------------------------------------------------

let statsPending = false;

function scheduleStats() {
  if (statsPending) return;
  statsPending = true;
  requestAnimationFrame(() => {
    statsPending = false;
    renderStats();
  });
}

function countText({ messages, bytes }) {
  return `${messages} message${messages === 1 ? "" : "s"} · ${formatBytes(bytes)}`;
}

function renderStats() {
  ui.stat.sent.textContent = countText(stats.sent);
  ui.stat.received.textContent = countText(stats.received);
  const rtt = stats.rttSummary();
  ui.stat.min.textContent = formatMs(rtt.min);
  ui.stat.median.textContent = formatMs(rtt.median);
  ui.stat.p99.textContent = formatMs(rtt.p99);
  chart.update(stats.latest(120));
}

function renderUptime() {
  ui.stat.uptime.textContent =
    session.openedAt === null || !isOpen() ? "–" : formatDuration((performance.now() - session.openedAt) / 1000);
}

// --- Repeat ---------------------------------------------------------------------------

function startRepeat() {
  const interval = Number(ui.repeatMs.value);
  if (!Number.isInteger(interval) || interval < 10 || interval > 3600000) {
    ui.repeat.checked = false;
    return fail(ui.repeatMs, "Choose a whole number of milliseconds from 10 to 3600000.");
  }
  showError(ui.repeatMs, "");
  if (!isOpen()) {
    ui.repeat.checked = false;
    return fail(ui.message, "Not connected: connect first, then repeat.");
  }
  let message;
  try {
    message = buildMessage();
  } catch (error) {
    ui.repeat.checked = false;
    return fail(ui.message, error.message);
  }
  showError(ui.message, "");
  log.add({ direction: "event", text: `Repeating this message every ${interval} ms.` });
  transmit(message);
  session.repeatTimer = setInterval(() => {
    if (isOpen()) transmit(message);
    else stopRepeat();
  }, interval);
  return true;
}

function stopRepeat() {
  if (!session.repeatTimer) return;
  clearInterval(session.repeatTimer);
  session.repeatTimer = null;
  ui.repeat.checked = false;
  log.add({ direction: "event", text: "Repeat stopped." });
}

// --- Closing with a chosen code ------------------------------------------------------------

function closeWithCode() {
  const code = Number(ui.closeCode.value);
  if (!Number.isInteger(code) || !(code === 1000 || (code >= 3000 && code <= 4999))) {
    return fail(ui.closeCode, "Browsers may close with 1000 or a code from 3000 to 4999.");
  }
  showError(ui.closeCode, "");
  const reason = ui.closeReason.value;
  if (utf8Length(reason) > 123) {
    return fail(ui.closeReason, `The reason is ${utf8Length(reason)} bytes long; the limit is 123 bytes of UTF-8.`);
  }
  showError(ui.closeReason, "");
  if (!isOpen()) return fail(ui.closeCode, "Not connected: there is nothing to close.");
  session.userClosed = true;
  const shown = reason ? ` and reason “${reason}”` : "";
  log.add({ direction: "event", text: `Closing with ${code} ${describeClose(code).name}${shown}…` });
  session.socket.close(code, reason);
  setState("closing");
  return true;
}

// --- Sharing ---------------------------------------------------------------------------

function shareUrl() {
  const link = new URL("/echo/", location.origin);
  const room = roomOf(ui.url.value.trim());
  if (room) link.searchParams.set("room", room);
  else if (ui.url.value.trim() && ui.url.value.trim() !== echoUrl) link.searchParams.set("url", ui.url.value.trim());
  if (ui.protocols.value.trim()) link.searchParams.set("protocols", ui.protocols.value.trim());
  return link.href;
}

function updateShare() {
  ui.shareLink.value = shareUrl();
  ui.shareStatus.textContent = "";
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied.";
  } catch {
    status.textContent = "Copying was not allowed: select the text and copy it yourself.";
  }
}

// --- Wiring ---------------------------------------------------------------------------

ui.connectForm.addEventListener("submit", (event) => {
  event.preventDefault();
  connect();
});
ui.disconnect.addEventListener("click", disconnect);
ui.url.addEventListener("input", updateShare);
ui.protocols.addEventListener("input", updateShare);

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = ui.roomName.value.trim();
  if (!ROOM_NAME.test(name)) {
    return fail(ui.roomName, "Use 1 to 64 letters, digits, hyphens (-) and underscores (_).");
  }
  showError(ui.roomName, "");
  setUrl(roomUrl(name));
  const { protocols, error } = parseProtocols(ui.protocols.value);
  if (error) return fail(ui.protocols, error);
  switchTo({ url: roomUrl(name), protocols, room: name });
  return true;
});
ui.roomName.addEventListener("input", () => {
  const name = ui.roomName.value.trim();
  if (ROOM_NAME.test(name)) ui.roomTab.href = `/echo/?room=${encodeURIComponent(name)}`;
});

ui.shareCopy.addEventListener("click", () => copy(ui.shareLink.value, ui.shareStatus));

ui.sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
ui.sendForm.addEventListener("change", (event) => {
  if (event.target.name !== "kind" && event.target.name !== "encoding") return;
  const kind = currentKind();
  ui.binaryOptions.hidden = kind !== "binary";
  ui.formatJson.hidden = kind !== "json";
  const encoding = ui.sendForm.elements.encoding.value;
  ui.message.placeholder =
    kind === "json"
      ? '{"type": "ping", "id": 1}'
      : kind === "binary"
        ? encoding === "base64"
          ? "SGVsbG8="
          : "48 65 6c 6c 6f"
        : "Hello, echo!";
  showError(ui.message, "");
});
ui.formatJson.addEventListener("click", () => {
  const result = checkJson(ui.message.value);
  if (!result.ok) return fail(ui.message, result.message);
  ui.message.value = JSON.stringify(result.value, null, 2);
  return showError(ui.message, "");
});

ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
    return;
  }
  const { value, selectionStart, selectionEnd } = ui.message;
  if (event.key === "ArrowUp" && !value.slice(0, selectionStart).includes("\n") && session.history.length) {
    if (session.historyIndex === null) {
      session.draft = value;
      session.historyIndex = session.history.length;
    }
    if (session.historyIndex > 0) {
      event.preventDefault();
      session.historyIndex -= 1;
      ui.message.value = session.history[session.historyIndex];
    }
  } else if (event.key === "ArrowDown" && !value.slice(selectionEnd).includes("\n") && session.historyIndex !== null) {
    event.preventDefault();
    session.historyIndex += 1;
    if (session.historyIndex >= session.history.length) {
      ui.message.value = session.draft;
      session.historyIndex = null;
    } else {
      ui.message.value = session.history[session.historyIndex];
    }
  }
});

ui.repeat.addEventListener("change", () => {
  if (ui.repeat.checked) startRepeat();
  else stopRepeat();
});

ui.closeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  closeWithCode();
});

ui.logFilter.addEventListener("input", () => log.filter({ query: ui.logFilter.value }));
ui.logDirection.addEventListener("change", () => log.filter({ direction: ui.logDirection.value }));
ui.logPause.addEventListener("click", () => {
  const paused = ui.logPause.getAttribute("aria-pressed") !== "true";
  ui.logPause.setAttribute("aria-pressed", String(paused));
  log.setAutoscroll(!paused);
});
ui.logClear.addEventListener("click", () => log.clear());
const stamp = () => new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
ui.exportJson.addEventListener("click", () =>
  download(`echo-log-${stamp()}.json`, log.asJson(), "application/json"),
);
ui.exportText.addEventListener("click", () => download(`echo-log-${stamp()}.txt`, log.asText(), "text/plain"));

// --- Start ---------------------------------------------------------------------------

function start() {
  const params = new URLSearchParams(location.search);
  const room = params.get("room");
  if (!ui.roomName.value) ui.roomName.value = `room-${Math.random().toString(16).slice(2, 6)}`;
  ui.roomName.dispatchEvent(new Event("input"));
  if (!params.get("url") && !room) setUrl(echoUrl);
  updateShare();
  setState("closed");
  renderStats();
  document.querySelector(".echo").dataset.ready = "true";
  if (room && ROOM_NAME.test(room)) {
    // A link into one of this site's own rooms joins it; a foreign URL never connects
    // without a click.
    ui.roomForm.requestSubmit();
  }
}

start();
