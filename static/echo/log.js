// The message log: entries kept in memory, rendered as text only (never as HTML),
// filtered, exported.

import { formatBytes, formatClock, formatMs, hexDump, toBase64 } from "./codec.js";

const MAX_ENTRIES = 2000;
const PREVIEW_CHARS = 480;
const PREVIEW_LINES = 8;
const PREVIEW_BYTES = 128;
const DIRECTION_LABEL = { out: "Sent", in: "Received", event: "Event" };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function preview(text) {
  const lines = text.split("\n");
  let cut = text;
  if (lines.length > PREVIEW_LINES) cut = lines.slice(0, PREVIEW_LINES).join("\n");
  if (cut.length > PREVIEW_CHARS) cut = cut.slice(0, PREVIEW_CHARS);
  return cut.length < text.length ? `${cut}…` : null;
}

export class MessageLog {
  constructor({ list, scroller, count }) {
    this.list = list;
    this.scroller = scroller;
    this.count = count;
    this.entries = [];
    this.nextId = 1;
    this.query = "";
    this.direction = "all";
    this.autoscroll = true;
  }

  add(entry) {
    const record = { id: this.nextId, time: new Date(), ...entry };
    this.nextId += 1;
    this.entries.push(record);
    record.node = this.render(record);
    record.node.hidden = !this.matches(record);
    this.list.append(record.node);
    while (this.entries.length > MAX_ENTRIES) this.entries.shift().node.remove();
    this.updateCount();
    if (this.autoscroll) this.scroller.scrollTop = this.scroller.scrollHeight;
    return record;
  }

  /** Adds the round trip to an entry already shown (the echo of a sent message). */
  setRtt(record, ms) {
    record.rtt = ms;
    const meta = record.node.querySelector(".entry__meta");
    meta.append(element("span", "entry__rtt", `round trip ${formatMs(ms)}`));
  }

  bodyText(record) {
    if (record.kind === "binary") return hexDump(record.bytes);
    return record.text;
  }

  render(record) {
    const item = element("li", `entry entry--${record.direction}`);
    if (record.level) item.classList.add(`entry--${record.level}`);
    item.dataset.direction = record.direction;
    const meta = element("p", "entry__meta");
    meta.append(element("span", "entry__dir", DIRECTION_LABEL[record.direction]));
    const time = element("time", "entry__time", formatClock(record.time));
    time.dateTime = record.time.toISOString();
    meta.append(time);
    if (record.direction !== "event") {
      meta.append(element("span", "entry__type", record.kind));
      meta.append(element("span", "entry__size", formatBytes(record.size)));
      if (record.from) meta.append(element("span", "entry__from", record.from));
    }
    if (record.rtt !== undefined && record.rtt !== null) {
      meta.append(element("span", "entry__rtt", `round trip ${formatMs(record.rtt)}`));
    }
    item.append(meta);

    if (record.direction === "event") {
      const text = element("p", "entry__event", record.text);
      if (record.link) {
        // A link the page itself names (a close code's troubleshooting guide), never one
        // from a message.
        const link = element("a", "entry__link", record.link.text);
        link.href = record.link.href;
        text.append(" ", link);
      }
      item.append(text);
      return item;
    }
    const full = this.bodyText(record);
    const short =
      record.kind === "binary"
        ? record.bytes.length > PREVIEW_BYTES
          ? hexDump(record.bytes, PREVIEW_BYTES)
          : null
        : preview(full);
    const bodyClass = record.kind === "binary" ? "entry__body entry__body--binary" : "entry__body";
    if (full === "") {
      item.append(element("p", "entry__empty", record.kind === "binary" ? "(no bytes)" : "(empty)"));
    } else if (short === null) {
      item.append(element("pre", bodyClass, full));
    } else {
      item.append(element("pre", `${bodyClass} entry__preview`, short));
      const details = element("details", "entry__long");
      details.append(element("summary", "", `Show all ${formatBytes(record.size)}`));
      details.append(element("pre", bodyClass, full));
      item.append(details);
    }
    return item;
  }

  matches(record) {
    if (this.direction !== "all" && record.direction !== this.direction) return false;
    if (!this.query) return true;
    const haystack = (
      record.kind === "binary" ? `${this.bodyText(record)} ${record.kind}` : `${record.text} ${record.kind ?? ""}`
    ).toLowerCase();
    return haystack.includes(this.query);
  }

  filter({ query = this.query, direction = this.direction } = {}) {
    this.query = query.trim().toLowerCase();
    this.direction = direction;
    for (const record of this.entries) record.node.hidden = !this.matches(record);
    this.updateCount();
  }

  updateCount() {
    const shown = this.entries.filter((record) => !record.node.hidden).length;
    const total = this.entries.length;
    this.count.textContent =
      shown === total ? `${total} ${total === 1 ? "entry" : "entries"}` : `${shown} of ${total} entries shown`;
  }

  clear() {
    this.entries = [];
    this.list.replaceChildren();
    this.updateCount();
  }

  setAutoscroll(on) {
    this.autoscroll = on;
    if (on) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  asJson() {
    const rows = this.entries.map((record) => {
      const row = { time: record.time.toISOString(), direction: record.direction };
      if (record.direction === "event") {
        row.event = record.text;
        return row;
      }
      row.type = record.kind;
      row.size = record.size;
      if (record.rtt !== undefined && record.rtt !== null) row.rtt_ms = Number(record.rtt.toFixed(3));
      if (record.kind === "binary") row.base64 = toBase64(record.bytes);
      else row.text = record.text;
      return row;
    });
    return JSON.stringify(rows, null, 2);
  }

  asText() {
    return this.entries
      .map((record) => {
        const head = [formatClock(record.time), DIRECTION_LABEL[record.direction].padEnd(8)];
        if (record.direction === "event") return `${head.join("  ")}  ${record.text}`;
        head.push(record.kind, formatBytes(record.size));
        if (record.rtt !== undefined && record.rtt !== null) head.push(`round trip ${formatMs(record.rtt)}`);
        const body = this.bodyText(record);
        const indented = body.includes("\n") ? `\n${body.replace(/^/gm, "    ")}` : `  ${body}`;
        return `${head.join("  ")}${indented}`;
      })
      .join("\n");
  }
}

/** Offers `content` as a file download, without leaving the page. */
export function download(filename, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
