// The endpoint self-test in the echo tester: runs the checks of selftest-checks.js from
// the visitor's browser against the URL in the tester's Server URL field, one connection
// per check, and shows each check's status in its table row.

import {
  ALL_CHECKS,
  CLOSE_CHECKS,
  FAIL,
  NOT_APPLICABLE,
  ORDER_CHECK,
  judgeClose,
  judgeEcho,
  judgeOrder,
  markdownSummary,
  orderedMessage,
  orderingPlan,
  overPublishedLimit,
  summaryLine,
} from "./selftest-checks.js";
import { formatMs } from "./codec.js";

const ANSWER_TIMEOUT = 10_000;
const $ = (id) => document.getElementById(id);

const panel = $("selftest");
const ui = {
  url: $("url"),
  protocols: $("protocols"),
  run: $("selftest-run"),
  status: $("selftest-status"),
  error: $("selftest-error"),
  rows: $("selftest-rows"),
  markdown: $("selftest-markdown"),
  copy: $("selftest-copy"),
  copyStatus: $("selftest-copy-status"),
};

/** This site's limits, published on the page; they apply only to its own endpoint. */
function limitsFor(url) {
  if (url !== panel.dataset.echoUrl) return null;
  return {
    maxMessageBytes: Number(panel.dataset.maxMessageBytes),
    maxMessageWords: panel.dataset.maxMessageWords,
    rate: Number(panel.dataset.rate),
    burst: Number(panel.dataset.burst),
    page: panel.dataset.limitsPage,
  };
}

// --- Sockets ---------------------------------------------------------------------------

function closeOf(event) {
  return { code: event.code, reason: event.reason, wasClean: event.wasClean };
}

/** Opens a connection; resolves { socket } once open, or { failure } in words. */
function openSocket(url, protocols) {
  return new Promise((resolve) => {
    let socket;
    try {
      socket = new WebSocket(url, protocols);
    } catch (error) {
      resolve({ failure: `The browser refused the URL: ${error.message}` });
      return;
    }
    socket.binaryType = "arraybuffer";
    const timer = setTimeout(() => {
      socket.close();
      resolve({ failure: `Could not connect: no handshake answer within ${formatMs(ANSWER_TIMEOUT)}.` });
    }, ANSWER_TIMEOUT);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(timer);
      resolve({
        failure: `Could not connect: the connection closed with ${event.code} before it opened (the browser's console may say why).`,
      });
    });
  });
}

/** Collects `expected` messages from an open socket, or stops at a close or a timeout. */
function receive(socket, expected, timeout) {
  return new Promise((resolve) => {
    const received = [];
    const done = (extra) => {
      clearTimeout(timer);
      socket.onmessage = socket.onclose = null;
      resolve({ received, ...extra });
    };
    const timer = setTimeout(() => done({ timeout }), timeout);
    socket.onmessage = (event) => {
      received.push(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
      if (received.length === expected) done({});
    };
    socket.onclose = (event) => done({ close: closeOf(event) });
    if (expected === 0) done({});
  });
}

/** Closes with `code` and `reason`; resolves with the close event, or a timeout. */
function closeSocket(socket, code = 1000, reason = "") {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve({});
  const waiting = new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timeout: ANSWER_TIMEOUT }), ANSWER_TIMEOUT);
    socket.addEventListener("close", (event) => {
      clearTimeout(timer);
      resolve({ close: closeOf(event) });
    });
  });
  socket.close(code, reason);
  return waiting;
}

/** Runs `work(socket)` on a fresh connection, then closes it before the next check, so
 * that no check counts against another's connection or rate limits. */
async function withConnection(target, work) {
  const opened = await openSocket(target.url, target.protocols);
  if (opened.failure) return { failure: opened.failure };
  try {
    return await work(opened.socket);
  } finally {
    await closeSocket(opened.socket);
  }
}

// --- Checks ------------------------------------------------------------------------------

async function runEcho(check, target) {
  const payload = check.payload();
  const over = overPublishedLimit(payload, target.limits);
  if (over) return { status: NOT_APPLICABLE, detail: `Not applicable: ${over}.` };
  const outcome = await withConnection(target, async (socket) => {
    const answer = receive(socket, 1, check.timeout || ANSWER_TIMEOUT);
    socket.send(payload);
    const result = await answer;
    return result.received.length ? { message: result.received[0] } : result;
  });
  return judgeEcho(payload, outcome, target.limits);
}

async function runOrdering(target) {
  const batches = orderingPlan(target.limits);
  const results = [];
  for (const [batch, size] of batches.entries()) {
    const result = await withConnection(target, async (socket) => {
      const answers = receive(socket, size, ANSWER_TIMEOUT);
      for (let i = 0; i < size; i += 1) socket.send(orderedMessage(batch, i));
      return answers;
    });
    results.push(result);
    if (result.failure || result.received.length !== size) break;
  }
  return judgeOrder(batches, results, target.limits);
}

async function runClose(check, target) {
  const opened = await openSocket(target.url, target.protocols);
  if (opened.failure) return judgeClose(check, opened);
  return judgeClose(check, await closeSocket(opened.socket, check.code, check.reason));
}

function runCheck(check, target) {
  if (check === ORDER_CHECK) return runOrdering(target);
  if (CLOSE_CHECKS.includes(check)) return runClose(check, target);
  return runEcho(check, target);
}

// --- Page ----------------------------------------------------------------------------------

const rows = new Map();

function buildRows() {
  for (const check of ALL_CHECKS) {
    const row = document.createElement("tr");
    row.dataset.check = check.id;
    row.dataset.status = "pending";
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = check.name;
    const status = document.createElement("td");
    status.className = "selftest__status";
    status.textContent = "not run";
    const time = document.createElement("td");
    time.className = "selftest__time";
    time.textContent = "–";
    const detail = document.createElement("td");
    detail.className = "selftest__detail";
    row.append(name, status, time, detail);
    ui.rows.append(row);
    rows.set(check.id, row);
  }
}

function showResult(check, result) {
  const row = rows.get(check.id);
  row.dataset.status = result.status;
  row.querySelector(".selftest__status").textContent = result.status;
  row.querySelector(".selftest__time").textContent = formatMs(result.ms);
  row.querySelector(".selftest__detail").textContent = result.detail;
}

function resetRows() {
  for (const row of rows.values()) {
    row.dataset.status = "pending";
    row.querySelector(".selftest__status").textContent = "waiting";
    row.querySelector(".selftest__time").textContent = "–";
    row.querySelector(".selftest__detail").textContent = "";
  }
}

/** The target in the tester's fields, or an error sentence. */
function target() {
  const url = ui.url.value.trim();
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return { error: "Enter a ws:// or wss:// URL in the Server URL field first." };
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    return { error: "The Server URL must start with ws:// or wss://." };
  }
  const protocols = ui.protocols.value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return { url, protocols, limits: limitsFor(url) };
}

async function run() {
  const chosen = target();
  ui.error.hidden = !chosen.error;
  ui.error.textContent = chosen.error || "";
  if (chosen.error) return;
  ui.run.disabled = true;
  ui.copy.disabled = true;
  panel.dataset.state = "running";
  resetRows();
  const results = [];
  for (const [index, check] of ALL_CHECKS.entries()) {
    ui.status.textContent = `Running check ${index + 1} of ${ALL_CHECKS.length}: ${check.name}…`;
    rows.get(check.id).querySelector(".selftest__status").textContent = "running";
    const started = performance.now();
    let result;
    try {
      result = await runCheck(check, chosen);
    } catch (error) {
      result = { status: FAIL, detail: `The check stopped: ${error.message}` };
    }
    result = { ...result, name: check.name, ms: performance.now() - started };
    results.push(result);
    showResult(check, result);
  }
  ui.status.textContent = summaryLine(results);
  ui.markdown.value = markdownSummary(chosen.url, results, new Date());
  ui.copyStatus.textContent = "";
  ui.copy.disabled = false;
  ui.run.disabled = false;
  panel.dataset.state = "done";
}

async function copyMarkdown() {
  try {
    await navigator.clipboard.writeText(ui.markdown.value);
    ui.copyStatus.textContent = "Copied.";
  } catch {
    ui.copyStatus.textContent = "Copying was not allowed: select the text above and copy it yourself.";
  }
}

if (panel) {
  buildRows();
  ui.run.addEventListener("click", run);
  ui.copy.addEventListener("click", copyMarkdown);
  ui.run.disabled = false;
  panel.dataset.state = "ready";
}
