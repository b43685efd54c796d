// Turning what a person types into bytes and bytes into what a person can read.
// Pure functions: no DOM, no state.

const encoder = new TextEncoder();

/** Size of a string in UTF-8 bytes, as it travels in a text frame. */
export function utf8Length(text) {
  return encoder.encode(text).length;
}

/** Bytes from hex: pairs of digits, spaces, colons and "0x" prefixes allowed. */
export function parseHex(input) {
  const cleaned = input.replace(/0x/gi, "").replace(/[\s:,-]/g, "");
  if (/[^0-9a-f]/i.test(cleaned)) {
    const bad = cleaned.match(/[^0-9a-f]/i)[0];
    throw new Error(`"${bad}" is not a hex digit.`);
  }
  if (cleaned.length % 2 !== 0) {
    throw new Error("Hex needs two digits per byte: the digit count is odd.");
  }
  const bytes = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = parseInt(cleaned.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

/** Bytes from base64, standard or URL-safe, padding optional. */
export function parseBase64(input) {
  let cleaned = input.replace(/\s/g, "").replace(/-/g, "+").replace(/_/g, "/");
  if (/[^A-Za-z0-9+/=]/.test(cleaned) || /=[^=]/.test(cleaned) || cleaned.length % 4 === 1) {
    throw new Error("That is not base64: use A-Z, a-z, 0-9, + and / (or - and _).");
  }
  cleaned += "=".repeat((4 - (cleaned.length % 4)) % 4);
  const binary = atob(cleaned);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ASCII beside them. */
export function hexDump(bytes, maxBytes = Infinity) {
  const shown = bytes.subarray(0, Math.min(bytes.length, maxBytes));
  const lines = [];
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = shown.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0"));
    const left = hex.slice(0, 8).join(" ");
    const right = hex.slice(8).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  if (shown.length < bytes.length) lines.push(`… ${bytes.length - shown.length} more bytes`);
  return lines.join("\n");
}

/** Parses JSON, explaining where it went wrong in words a person can act on. */
export function checkJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error.message}` };
  }
}

export function looksLikeJson(text) {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return false;
  return checkJson(text).ok;
}

export function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A size in the units the service states its limits in (echo/limits.py's format_size):
 * "5 B", "64 KiB", "1 MiB". Between whole units it rounds up to a tenth, so a message one
 * byte over a 64 KiB limit reads 64.1 KiB, never 64.0.
 */
export function formatBytes(count) {
  if (count < 1024) return `${count} B`;
  const [unit, size] = count < 1024 * 1024 ? ["KiB", 1024] : ["MiB", 1024 * 1024];
  return `${Math.ceil((count / size) * 10) / 10} ${unit}`;
}

export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "–";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Local wall-clock time to the millisecond: 14:03:07.251 */
export function formatClock(date) {
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDuration(seconds) {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m) return `${m} min ${String(rest).padStart(2, "0")} s`;
  return `${rest} s`;
}

/**
 * A URL cut where a line may break without splitting a word: after "/", "?", "&" and "="
 * (but not inside "://") and before ".". Joined with <wbr>, a long URL wraps between parts.
 */
export function urlParts(url) {
  return url.split(/(?<=[/?&=])(?!\/)|(?=\.)/).filter(Boolean);
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// The subprotocols offered in a comma-separated list: RFC 7230 tokens, each once.
export function parseProtocols(value) {
  const protocols = value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = protocols.find((p) => !TOKEN.test(p));
  if (bad) return { error: `"${bad}" is not a valid subprotocol name: no spaces, quotes or separators.` };
  if (new Set(protocols).size !== protocols.length) return { error: "Each subprotocol may be offered once." };
  return { protocols };
}
