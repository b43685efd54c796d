// Live examples in guides: each panel runs its preset when the reader clicks Run (never
// on page load), logs what was sent and received with timings, and closes every socket it
// opened. Without JavaScript the panel lists what it would send and links to the tester.
import { formatElapsed, messageView, socketUrl } from "./live-view.js";

export { handshakeView, messageView, parseHandshake, requestTranscript, socketUrl } from "./live-view.js";

const ANSWER_TIMEOUT_MS = 5000;

function settingsOf(panel) {
  const protocols = panel.dataset.protocols ? panel.dataset.protocols.split(",") : [];
  const closeCode = panel.dataset.closeCode ? Number(panel.dataset.closeCode) : 1000;
  return {
    endpoint: panel.dataset.endpoint,
    url: socketUrl(location, panel.dataset.path),
    protocols,
    messages: [...panel.querySelectorAll("[data-message]")].map((node) => node.textContent),
    closeCode,
    closeReason: panel.dataset.closeReason || "",
  };
}

class Run {
  constructor(panel, settings, onFinish) {
    this.panel = panel;
    this.settings = settings;
    this.onFinish = onFinish;
    this.log = panel.querySelector("[data-log]");
    this.status = panel.querySelector("[data-status]");
    this.sockets = new Map(); // label -> WebSocket
    this.next = 0; // index of the next message to send
    this.timer = null;
    this.started = performance.now();
  }

  entry(direction, who, content) {
    const item = document.createElement("li");
    item.className = `live-example__entry live-example__entry--${direction}`;
    item.dataset.direction = direction;
    const time = document.createElement("span");
    time.className = "live-example__time";
    time.textContent = formatElapsed(performance.now() - this.started);
    const label = document.createElement("span");
    label.className = "live-example__who";
    label.textContent = who;
    item.append(time, " ", label, " ");
    if (typeof content === "string") item.append(content);
    else item.append(content);
    this.log.append(item);
    return item;
  }

  open(label) {
    const { url, protocols } = this.settings;
    const socket = protocols.length ? new WebSocket(url, protocols) : new WebSocket(url);
    socket.binaryType = "arraybuffer";
    this.sockets.set(label, socket);
    this.entry("event", label, `connecting to ${url}${protocols.length ? `, offering ${protocols.join(", ")}` : ""}…`);
    socket.addEventListener("error", () => {
      this.entry("error", label, "error: the browser gives no details; the close below has the code.");
    });
    socket.addEventListener("close", (event) => this.closed(label, event));
    return new Promise((resolve) => {
      socket.addEventListener("open", () => {
        const chosen = socket.protocol ? `subprotocol “${socket.protocol}”` : "no subprotocol";
        this.entry("event", label, `open (${chosen}${socket.extensions ? `, extensions ${socket.extensions}` : ""})`);
        resolve(socket);
      });
    });
  }

  async start() {
    const { endpoint } = this.settings;
    this.status.textContent = "Running…";
    if (endpoint === "room") {
      const listener = await this.open("receiver");
      listener.addEventListener("message", (event) => this.answered("receiver", event.data));
      await this.open("sender");
      this.sendNext();
      return;
    }
    const socket = await this.open("socket");
    socket.addEventListener("message", (event) => this.answered("socket", event.data));
    if (endpoint === "inspect") {
      this.waitForAnswer(); // the handshake report comes first, unasked
    } else {
      this.sendNext();
    }
  }

  sendNext() {
    const { messages } = this.settings;
    if (this.next >= messages.length) {
      this.finish();
      return;
    }
    const text = messages[this.next];
    this.next += 1;
    const sender = this.sockets.get(this.settings.endpoint === "room" ? "sender" : "socket");
    if (sender.readyState !== WebSocket.OPEN) return;
    sender.send(text);
    const code = document.createElement("code");
    code.className = "live-example__text";
    code.textContent = text;
    this.entry("sent", this.settings.endpoint === "room" ? "sender → sent" : "→ sent", code);
    this.waitForAnswer();
  }

  waitForAnswer() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.entry("error", "", `no answer within ${ANSWER_TIMEOUT_MS / 1000} s; closing.`);
      this.finish();
    }, ANSWER_TIMEOUT_MS);
  }

  answered(label, data) {
    clearTimeout(this.timer);
    this.entry("received", `${label === "receiver" ? "receiver " : ""}← received`, messageView(data));
    this.sendNext();
  }

  /** Close every socket still open: the preset's code and reason on the one that sent. */
  finish() {
    clearTimeout(this.timer);
    for (const [label, socket] of this.sockets) {
      if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) continue;
      if (label === "receiver") {
        socket.close(1000);
        continue;
      }
      const { closeCode, closeReason } = this.settings;
      this.entry("event", label, `closing with ${closeCode}${closeReason ? ` and the reason “${closeReason}”` : ""}…`);
      socket.close(closeCode, closeReason);
    }
  }

  closed(label, event) {
    clearTimeout(this.timer);
    const reason = event.reason ? `“${event.reason}”` : "(none)";
    const item = this.entry(
      event.wasClean ? "close" : "error",
      label,
      `closed: code ${event.code}, reason ${reason}, wasClean ${event.wasClean}`,
    );
    item.dataset.closeCode = String(event.code);
    this.finish(); // the other socket of a room, if this one closed first
    if ([...this.sockets.values()].every((socket) => socket.readyState === WebSocket.CLOSED)) {
      this.status.textContent = `Finished: every socket closed (${formatElapsed(performance.now() - this.started)}).`;
      this.onFinish();
    }
  }
}

function setUp(panel) {
  const settings = settingsOf(panel);
  const button = panel.querySelector("[data-run]");
  const link = panel.querySelector("[data-tester-link]");
  const log = panel.querySelector("[data-log]");
  const preset = new URL(link.href, location.href);
  preset.searchParams.set("url", settings.url);
  link.href = preset.pathname + preset.search;
  let current = null;
  button.hidden = false;
  button.addEventListener("click", () => {
    if (current) return;
    log.replaceChildren();
    log.hidden = false;
    button.disabled = true;
    panel.dataset.state = "running";
    current = new Run(panel, settings, () => {
      current = null;
      button.disabled = false;
      panel.dataset.state = "finished";
    });
    current.start();
  });
  // Leaving the page ends a run cleanly instead of dropping its sockets.
  addEventListener("pagehide", () => current?.finish());
}

for (const panel of document.querySelectorAll("[data-live-example]")) setUp(panel);
