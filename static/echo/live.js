// The home page's live readout: round trips from this browser to this site's echo
// service, one small message every two seconds while the page is visible. Without
// JavaScript, or when the service cannot be reached, the static description stays.

import { RttChart } from "./chart.js";
import { formatMs } from "./codec.js";
import { percentile } from "./stats.js";

const INTERVAL_MS = 2000;
const POINTS = 30;
const MAX_PINGS = 150; // five minutes, then the connection is given back

const panel = document.querySelector(".hero-live");
const readout = panel.querySelector(".hero-live__readout");
const status = document.getElementById("hero-live-status");
const figures = {
  last: document.getElementById("hero-live-last"),
  median: document.getElementById("hero-live-median"),
  count: document.getElementById("hero-live-count"),
};
const chart = new RttChart(panel.querySelector(".hero-live__chart"), POINTS);
const echoUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/echo/`;

const live = { socket: null, timer: null, sent: new Map(), next: 1, rtts: [] };

function show(state, text) {
  panel.dataset.state = state;
  status.textContent = text;
}

function render() {
  const sorted = [...live.rtts].sort((a, b) => a - b);
  figures.last.textContent = formatMs(live.rtts.at(-1));
  figures.median.textContent = formatMs(percentile(sorted, 0.5));
  figures.count.textContent = String(live.rtts.length);
  chart.update(live.rtts);
}

function ping() {
  if (live.next > MAX_PINGS) {
    stop();
    show("done", `Measured ${live.rtts.length} round trips; reload the page to measure again.`);
    return;
  }
  const id = String(live.next);
  live.next += 1;
  live.sent.set(id, performance.now());
  live.socket.send(id);
}

function start() {
  if (live.socket || live.next > MAX_PINGS) return;
  const socket = new WebSocket(echoUrl);
  live.socket = socket;
  show("connecting", "Connecting from your browser…");
  socket.addEventListener("open", () => {
    show("live", `Live: your browser to ${echoUrl}`);
    ping();
    live.timer = setInterval(ping, INTERVAL_MS);
  });
  socket.addEventListener("message", (event) => {
    const sentAt = live.sent.get(event.data);
    if (sentAt === undefined) return;
    live.sent.delete(event.data);
    live.rtts.push(performance.now() - sentAt);
    if (live.rtts.length > POINTS) live.rtts.shift();
    render();
  });
  socket.addEventListener("close", (event) => {
    if (socket !== live.socket) return;
    stop();
    show("unavailable", `The echo service closed the connection (${event.code}). The echo tester shows why.`);
  });
}

function stop() {
  clearInterval(live.timer);
  live.timer = null;
  const socket = live.socket;
  live.socket = null;
  live.sent.clear();
  if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
}

// A hidden tab keeps no connection open; coming back resumes the measurements.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") start();
  else if (live.socket) {
    stop();
    show("paused", "Paused while this tab is hidden.");
  }
});

readout.hidden = false;
render();
if (document.visibilityState === "visible") start();
else show("paused", "Paused while this tab is hidden.");
