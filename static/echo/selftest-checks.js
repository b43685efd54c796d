// The endpoint self-test's pure logic: what each check sends, how an outcome is judged,
// and the Markdown summary. No DOM, no sockets (selftest.js does the I/O), so every
// verdict is a function of what was sent and what came back.

import { formatMs, utf8Length } from "./codec.js";

export const PASS = "pass";
export const FAIL = "fail";
export const NOT_APPLICABLE = "not applicable";

export const MESSAGE_TOO_BIG = 1009;
export const POLICY_VIOLATION = 1008;
export const ORDERED_MESSAGES = 1000;
export const MIB = 1024 * 1024;

const count = (n) => n.toLocaleString("en-US");

/** Deterministic bytes that do not compress (xorshift32), so a message keeps its size on
 * the wire under permessage-deflate and a corrupted byte can be located. */
export function patternBytes(length, seed = 0x9e3779b9) {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export function allByteValues() {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** The echo checks, in the order they run. `payload()` builds the message lazily. */
export const ECHO_CHECKS = [
  { id: "empty-text", name: "Empty text message", payload: () => "" },
  { id: "empty-binary", name: "Empty binary message", payload: () => new Uint8Array(0) },
  {
    id: "utf8-multibyte",
    name: "Multi-byte UTF-8 text (2 and 3 bytes a character)",
    payload: () => "café · Ελληνικά · Русский · 日本語 · ☃ €",
  },
  {
    id: "utf8-4byte",
    name: "4-byte UTF-8 text (outside the Basic Multilingual Plane)",
    payload: () => "😀 𝄞 𠜎 🇺🇳 👩‍💻",
  },
  { id: "length-125", name: "125 bytes (largest 7-bit length)", payload: () => patternBytes(125) },
  { id: "length-126", name: "126 bytes (smallest 16-bit length)", payload: () => patternBytes(126) },
  { id: "length-65535", name: "65,535 bytes (largest 16-bit length)", payload: () => patternBytes(65535) },
  { id: "length-65536", name: "65,536 bytes (smallest 64-bit length)", payload: () => patternBytes(65536) },
  { id: "byte-values", name: "All 256 byte values, binary round trip", payload: allByteValues },
  { id: "one-mib", name: "1 MiB message", payload: () => patternBytes(MIB), timeout: 60_000 },
];

export const ORDER_CHECK = { id: "ordering", name: "Order of 1,000 pipelined messages" };

export const CLOSE_CHECKS = [
  { id: "close-1000", name: "Close with 1000", code: 1000, reason: "" },
  { id: "close-4000", name: "Close with 4000 and a reason", code: 4000, reason: "self-test: ünïcode reason" },
];

export const ALL_CHECKS = [...ECHO_CHECKS, ORDER_CHECK, ...CLOSE_CHECKS];

export function messageSize(payload) {
  return typeof payload === "string" ? utf8Length(payload) : payload.byteLength;
}

function describeMessage(payload) {
  const kind = typeof payload === "string" ? "text" : "binary";
  return `${count(messageSize(payload))} bytes of ${kind}`;
}

function closeWords(close) {
  const reason = close.reason ? ` "${close.reason}"` : " and no reason";
  return `closed with ${close.code}${reason}`;
}

/** Published limits apply only to this site's own endpoint; elsewhere they are unknown. */
export function overPublishedLimit(payload, limits) {
  if (!limits || !limits.maxMessageBytes) return "";
  const size = messageSize(payload);
  if (size <= limits.maxMessageBytes) return "";
  return `over this service's limit of ${limits.maxMessageWords} (see ${limits.page})`;
}

/** Where two messages first differ, in words, or "" when they are the same. */
export function difference(sent, received) {
  const sentText = typeof sent === "string";
  const receivedText = typeof received === "string";
  if (sentText !== receivedText) {
    return `sent ${sentText ? "text" : "binary"}, received ${receivedText ? "text" : "binary"}`;
  }
  if (sentText) {
    if (sent === received) return "";
    const sentChars = Array.from(sent);
    const receivedChars = Array.from(received);
    let i = 0;
    while (i < sentChars.length && sentChars[i] === receivedChars[i]) i += 1;
    const got = i < receivedChars.length ? `U+${receivedChars[i].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}` : "the end of the message";
    const wanted = i < sentChars.length ? `U+${sentChars[i].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}` : "the end of the message";
    return `text differs at character ${i + 1}: sent ${wanted}, received ${got}`;
  }
  const length = Math.min(sent.length, received.length);
  for (let i = 0; i < length; i += 1) {
    if (sent[i] !== received[i]) {
      const hex = (b) => `0x${b.toString(16).padStart(2, "0")}`;
      return `byte ${count(i)} differs: sent ${hex(sent[i])}, received ${hex(received[i])}`;
    }
  }
  if (sent.length !== received.length) {
    return `sent ${count(sent.length)} bytes, received ${count(received.length)}`;
  }
  return "";
}

/** What happened to one echoed message → { status, detail }.
 * `outcome` is { message } (what came back), { close } (the endpoint closed instead),
 * { timeout } (milliseconds waited) or { failure } (the connection never opened). */
export function judgeEcho(payload, outcome, limits) {
  const what = describeMessage(payload);
  if ("message" in outcome) {
    const problem = difference(payload, outcome.message);
    if (problem) return { status: FAIL, detail: `The echo of ${what} was wrong: ${problem}.` };
    return { status: PASS, detail: `${what} came back identical.` };
  }
  if (outcome.close) {
    if (outcome.close.code === MESSAGE_TOO_BIG && !limits) {
      return {
        status: NOT_APPLICABLE,
        detail: `The endpoint refused a message of ${count(messageSize(payload))} bytes with 1009 (message too big): a limit, not a fault.`,
      };
    }
    return { status: FAIL, detail: `Instead of echoing ${what}, the endpoint ${closeWords(outcome.close)}.` };
  }
  return unreachable(outcome, `the echo of ${what}`);
}

function unreachable(outcome, waitingFor) {
  if ("timeout" in outcome) {
    return { status: FAIL, detail: `No answer: waited ${formatMs(outcome.timeout)} for ${waitingFor}.` };
  }
  return { status: FAIL, detail: outcome.failure };
}

/** How 1,000 messages are split over connections: all on one, unless the endpoint is
 * ours and publishes a burst smaller than that, when each connection sends one burst
 * (more would be closed with 1008 by design, which says nothing about ordering). */
export function orderingPlan(limits, total = ORDERED_MESSAGES) {
  const burst = limits && limits.rate > 0 ? Math.max(1, Math.min(limits.burst, total)) : total;
  const batches = [];
  for (let sent = 0; sent < total; sent += burst) batches.push(Math.min(burst, total - sent));
  return batches;
}

export function orderedMessage(batch, index) {
  return `${batch}:${index}`;
}

/** Judges the ordering check from one result per batch: { received: [...] } when the
 * batch came back in full, or { received, close } / { received, timeout } / { failure }. */
export function judgeOrder(batches, results, limits) {
  const total = batches.reduce((a, b) => a + b, 0);
  for (let b = 0; b < batches.length; b += 1) {
    const result = results[b];
    const received = result.received || [];
    for (let i = 0; i < received.length; i += 1) {
      const expected = orderedMessage(b, i);
      if (received[i] !== expected) {
        return {
          status: FAIL,
          detail: `Out of order on connection ${b + 1}: echo ${i + 1} was "${received[i]}", expected "${expected}".`,
        };
      }
    }
    if (received.length === batches[b]) continue;
    if (result.close && result.close.code === POLICY_VIOLATION && !limits) {
      return {
        status: NOT_APPLICABLE,
        detail: `The endpoint closed with 1008 (policy violation) after ${count(received.length)} of ${count(batches[b])} pipelined messages: a rate limit, not a fault.`,
      };
    }
    if (result.close) {
      return {
        status: FAIL,
        detail: `After ${count(received.length)} of ${count(batches[b])} echoes the endpoint ${closeWords(result.close)}.`,
      };
    }
    return unreachable(result, `echo ${received.length + 1} of ${count(batches[b])}`);
  }
  const split =
    batches.length === 1
      ? "on one connection"
      : `over ${batches.length} connections of up to ${count(batches[0])} (this service's burst limit; see ${limits.page})`;
  return { status: PASS, detail: `${count(total)} messages pipelined ${split} came back in order.` };
}

/** Judges a close the browser started: the closing handshake must complete cleanly, and
 * the endpoint answers with the code it received (RFC 6455 5.5.1). */
export function judgeClose(check, outcome) {
  if (!outcome.close) return unreachable(outcome, "the endpoint's close frame");
  const { code, reason, wasClean } = outcome.close;
  const answer = reason ? `${code} "${reason}"` : `${code}`;
  if (!wasClean) {
    return { status: FAIL, detail: `The closing handshake did not complete: the browser reports ${code} and wasClean false.` };
  }
  if (code !== check.code) {
    return { status: FAIL, detail: `Sent ${check.code}, the endpoint answered ${answer}; it should echo the code it received.` };
  }
  return { status: PASS, detail: `Clean close; the endpoint answered ${answer}.` };
}

export function summaryLine(results) {
  const tally = { [PASS]: 0, [FAIL]: 0, [NOT_APPLICABLE]: 0 };
  for (const result of results) tally[result.status] += 1;
  return `${results.length} checks: ${tally[PASS]} pass, ${tally[FAIL]} fail, ${tally[NOT_APPLICABLE]} not applicable.`;
}

function cell(text) {
  return String(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The results as a Markdown table with a heading naming the endpoint and the time. */
export function markdownSummary(endpoint, results, when) {
  const lines = [
    `## WebSocket self-test of \`${endpoint.replace(/`/g, "")}\``,
    "",
    `Run ${when.toISOString().replace(/\.\d+Z$/, "Z")} from a browser. ${summaryLine(results)}`,
    "",
    "| Check | Result | Time | Details |",
    "|---|---|---|---|",
  ];
  for (const result of results) {
    lines.push(`| ${cell(result.name)} | ${cell(result.status)} | ${cell(formatMs(result.ms))} | ${cell(result.detail)} |`);
  }
  return `${lines.join("\n")}\n`;
}
