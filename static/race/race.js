// The transport race: creates a race on the server, reads it over four lanes at once and
// shows each lane's figures as they come. State lives in the DOM: #race[data-state] and
// each lane's [data-metric] cells.

import { wireCopyButtons } from "../js/copy.js";
import { drawChart } from "./chart.js";
import { LaneStats } from "./stats.js";
import { NAMES, verdict } from "./verdict.js";

const root = document.getElementById("race");
const form = document.getElementById("race-form");
const startButton = document.getElementById("start");
const statusLine = document.getElementById("race-status");
const chart = document.getElementById("latency-chart");
const offsetText = document.getElementById("clock-offset");
const verdictBox = document.getElementById("verdict");
const LANES = ["polling", "long_polling", "sse", "websocket"];
const FIELDS = ["rate", "size", "duration", "interval"];
const encoder = new TextEncoder();
// The server's 101 answer to a WebSocket handshake, headers included: not reported by
// any browser API, so estimated.
const WEBSOCKET_HANDSHAKE_BYTES = 200;
// The first thing an event stream sends (race/views.py).
const RETRY_FRAME = "retry: 1000\n\n";

const now = () => performance.timeOrigin + performance.now();
const byteLength = (text) => encoder.encode(text).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function setState(state, message) {
  root.dataset.state = state;
  statusLine.textContent = message;
}

// The server's clock minus ours, from the quickest of a few round trips.
async function measureOffset(url, samples = 5) {
  let best = null;
  for (let i = 0; i < samples; i += 1) {
    const sent = now();
    const response = await fetch(url, { cache: "no-store" });
    const { now: server } = await response.json();
    const arrived = now();
    const roundTrip = arrived - sent;
    if (!best || roundTrip < best.roundTrip) best = { roundTrip, offset: server - (sent + arrived) / 2 };
  }
  return best;
}

// HTTP/1.1 chunked framing around one chunk of `size` bytes.
const chunkFraming = (size) => size.toString(16).length + 4;

// A response's size when Resource Timing does not say: status line, headers, body.
function estimateResponse(response, body) {
  let size = `HTTP/1.1 ${response.status} OK\r\n`.length + 2;
  for (const [name, value] of response.headers) size += name.length + value.length + 4;
  return size + byteLength(body);
}

class Race {
  constructor(settings, created, offset) {
    this.settings = settings;
    this.created = created;
    this.offset = offset;
    this.total = created.total;
    this.lanes = new Map(LANES.map((key) => [key, new LaneStats()]));
    this.headerBytes = null; // a JSON answer's headers, measured on the polling lane
    this.controller = new AbortController();
    this.scheduled = false;
  }

  get signal() {
    return this.controller.signal;
  }

  receive(key, text) {
    const event = JSON.parse(text);
    this.lanes.get(key).receive(event, now() + this.offset - event.sent);
    this.render();
  }

  // Resource Timing: the bytes of every poll and long poll of this race. (Chromium reports
  // an event stream too, but only once it is closed, and one closed by the page on its
  // end event counts only its headers.)
  observe() {
    const prefix = `/tools/race/${this.created.id}/`;
    const lanes = { poll: "polling", "long-poll": "long_polling" };
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const path = new URL(entry.name).pathname;
        if (!path.startsWith(prefix) || !entry.transferSize) continue;
        const lane = this.lanes.get(lanes[path.slice(prefix.length)]);
        if (!lane) continue;
        lane.measuredBytes += entry.transferSize;
        lane.measuredRequests += 1;
        if (path.endsWith("/poll") && entry.encodedBodySize) {
          this.headerBytes = entry.transferSize - entry.encodedBodySize;
        }
      }
      this.render();
    });
    this.observer.observe({ type: "resource", buffered: false });
  }

  async fetchAnswer(key, path, after) {
    const lane = this.lanes.get(key);
    lane.requests += 1;
    const response = await fetch(`${path}?after=${after}`, { cache: "no-store", signal: this.signal });
    const body = await response.text();
    lane.estimatedBytes += estimateResponse(response, body);
    if (!response.ok) throw new Error(`${NAMES[key]}: the server answered ${response.status}`);
    const answer = JSON.parse(body);
    if (!answer.events.length) lane.emptyAnswers += 1;
    for (const event of answer.events) this.receive(key, JSON.stringify(event));
    return answer.done;
  }

  async polling() {
    const lane = this.lanes.get("polling");
    // A real poller's timer has no relation to when events leave: start at a random
    // moment of the first interval, not in step with the source.
    await sleep(Math.random() * this.settings.interval);
    for (;;) {
      const started = now();
      if (await this.fetchAnswer("polling", this.created.endpoints.poll, lane.highest)) return;
      await sleep(this.settings.interval - (now() - started));
    }
  }

  async longPolling() {
    const lane = this.lanes.get("long_polling");
    while (!(await this.fetchAnswer("long_polling", this.created.endpoints.long_poll, lane.highest)));
  }

  sse() {
    const lane = this.lanes.get("sse");
    return new Promise((resolve, reject) => {
      const source = new EventSource(this.created.endpoints.sse);
      this.signal.addEventListener("abort", () => {
        source.close();
        reject(new Error("Server-Sent Events: stopped"));
      });
      source.addEventListener("open", () => {
        lane.requests += 1;
        lane.estimatedBytes += byteLength(RETRY_FRAME) + chunkFraming(byteLength(RETRY_FRAME));
        this.render();
      });
      source.addEventListener("message", (message) => {
        const frame = `id: ${message.lastEventId}\ndata: ${message.data}\n\n`;
        lane.estimatedBytes += byteLength(frame) + chunkFraming(byteLength(frame));
        this.receive("sse", message.data);
      });
      source.addEventListener("end", () => {
        source.close();
        resolve();
      });
      source.addEventListener("error", () => {
        // EventSource reconnects by itself with Last-Event-ID, unless told to stop.
        if (source.readyState === EventSource.CLOSED) reject(new Error("Server-Sent Events: closed"));
      });
    });
  }

  websocket() {
    const lane = this.lanes.get("websocket");
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.created.endpoints.websocket);
      this.signal.addEventListener("abort", () => socket.close(1000, "Stopped"));
      socket.addEventListener("open", () => {
        lane.requests += 1;
        lane.estimatedBytes += WEBSOCKET_HANDSHAKE_BYTES;
        this.render();
      });
      socket.addEventListener("message", (message) => {
        const size = byteLength(message.data);
        lane.estimatedBytes += size + (size < 126 ? 2 : size < 65536 ? 4 : 10);
        this.receive("websocket", message.data);
      });
      socket.addEventListener("close", (close) => {
        if (close.code === 1000) resolve();
        else reject(new Error(`WebSocket closed with ${close.code} ${close.reason}`));
      });
    });
  }

  async run() {
    this.observe();
    const runners = {
      polling: () => this.polling(),
      long_polling: () => this.longPolling(),
      sse: () => this.sse(),
      websocket: () => this.websocket(),
    };
    // However the lanes fare, the race is over some time after its last event was due.
    const limit = this.created.starts_at - this.offset - now() + this.settings.duration * 1000 + 15000;
    const timer = setTimeout(() => this.controller.abort(), limit);
    const results = await Promise.allSettled(
      LANES.map((key) =>
        runners[key]().then(
          () => this.finishLane(key, "Finished."),
          (error) => this.finishLane(key, error.message || "Stopped."),
        ),
      ),
    );
    clearTimeout(timer);
    await this.settleResourceTiming();
    this.observer.disconnect();
    this.render(true);
    return results;
  }

  finishLane(key, message) {
    const lane = this.lanes.get(key);
    lane.total = this.total;
    lane.done = true;
    lane.message = message;
    this.render();
  }

  // Resource Timing entries arrive shortly after their responses: wait for them a little.
  async settleResourceTiming() {
    const deadline = now() + 1500;
    const reported = () =>
      ["polling", "long_polling"].every((key) => this.lanes.get(key).bytesMeasured);
    while (!reported() && now() < deadline) await sleep(50);
  }

  render(final = false) {
    if (final) return this.paint(true);
    if (this.scheduled) return undefined;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.paint(false);
    });
    return undefined;
  }

  paint(final) {
    // An event stream's response headers are those of a poll's answer, measured there.
    const sse = this.lanes.get("sse");
    sse.estimatedExtra = (this.headerBytes ?? 0) * sse.requests;
    for (const [key, lane] of this.lanes) {
      const card = root.querySelector(`[data-lane="${key}"]`);
      const summary = lane.summary();
      const cell = (name) => card.querySelector(`[data-metric="${name}"]`);
      cell("received").textContent = summary.received;
      cell("missed").textContent = summary.missed;
      cell("duplicated").textContent = summary.duplicated;
      cell("out_of_order").textContent = summary.outOfOrder;
      cell("median").textContent = summary.median === null ? "–" : `${Math.round(summary.median)} ms`;
      cell("p95").textContent = summary.p95 === null ? "–" : `${Math.round(summary.p95)} ms`;
      cell("requests").textContent = summary.requests;
      cell("bytes").textContent =
        summary.bytesPerMessage === null
          ? "–"
          : `${Math.round(summary.bytesPerMessage)}${summary.bytesMeasured ? "" : " (estimated)"}`;
      cell("bytes").dataset.source = summary.bytesMeasured ? "measured" : "estimated";
      cell("state").textContent = lane.done ? lane.message : `Receiving: ${summary.received} of ${this.total}.`;
    }
    drawChart(chart, this.lanes, this.total);
    if (final) {
      const results = Object.fromEntries([...this.lanes].map(([key, lane]) => [key, lane.summary()]));
      const sentences = verdict({ ...this.settings, total: this.total }, results);
      verdictBox.replaceChildren(...sentences.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    }
  }
}

function readSettings() {
  const values = Object.fromEntries(FIELDS.map((name) => [name, Number(form.elements[name].value)]));
  return values;
}

function showErrors(fields) {
  for (const name of FIELDS) {
    const message = fields[name];
    const input = form.elements[name];
    const error = document.getElementById(`${name}-error`);
    error.textContent = message || "";
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", `${name}-error`);
  }
}

function checkInterval(settings) {
  const input = form.elements.interval;
  const low = Number(input.min);
  const high = Number(input.max);
  if (Number.isInteger(settings.interval) && settings.interval >= low && settings.interval <= high) return {};
  return { interval: `Polling interval: a whole number of milliseconds from ${low} to ${high}.` };
}

async function start(event) {
  event.preventDefault();
  const settings = readSettings();
  const intervalError = checkInterval(settings);
  showErrors(intervalError);
  if (intervalError.interval) return;
  const query = new URLSearchParams(new FormData(form));
  history.replaceState(null, "", `?${query}`);
  startButton.disabled = true;
  try {
    setState("measuring", "Measuring the clock difference…");
    const clock = await measureOffset(root.dataset.clockUrl);
    offsetText.textContent = `the server is ${Math.round(clock.offset)} ms ${clock.offset >= 0 ? "ahead" : "behind"}, ± ${Math.round(clock.roundTrip / 2)} ms`;
    const response = await fetch(root.dataset.createUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rate: settings.rate, size: settings.size, duration: settings.duration }),
    });
    const answer = await response.json();
    if (!response.ok) {
      showErrors(answer.fields || {});
      setState("failed", answer.error);
      return;
    }
    setState("running", `Racing: ${answer.total} events over ${settings.duration} seconds.`);
    const race = new Race(settings, answer, clock.offset);
    await race.run();
    const missed = [...race.lanes.values()].reduce((sum, lane) => sum + lane.missed, 0);
    setState("finished", missed ? `Finished, with ${missed} events missed.` : "Finished: every lane got every event.");
  } catch (error) {
    setState("failed", `The race stopped: ${error.message}`);
  } finally {
    startButton.disabled = false;
  }
}

form.addEventListener("submit", start);

wireCopyButtons();
