// The Handshake panel: opens /ws/inspect/ with the tester's subprotocols, shows the
// description of the opening handshake the server sends first, then closes with 1000.

import { parseProtocols } from "./codec.js";

const $ = (id) => document.getElementById(id);
const panel = $("handshake");
const button = $("handshake-inspect");
const status = $("handshake-status");
const NONE = "(none)";

function inspectUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/inspect/`;
}

function setState(state, message) {
  panel.dataset.state = state;
  status.textContent = message;
  button.disabled = state === "connecting";
}

function fill(id, value) {
  $(id).textContent = value === null || value === undefined || value === "" ? NONE : value;
}

function listed(values) {
  return values && values.length ? values.join(", ") : NONE;
}

function fillRows(tableId, rows) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren(
    ...rows.map((cells) => {
      const row = document.createElement("tr");
      for (const cell of cells) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.append(td);
      }
      return row;
    }),
  );
}

function show(handshake) {
  const { request, response } = handshake;
  const { accept } = response;
  const fromProxy = new Set(request.from_proxy.map((name) => name.toLowerCase()));
  fill("handshake-line", request.line);
  fill("handshake-client", request.client);
  fill("handshake-origin", request.offered.origin);
  fill("handshake-version", request.offered.version);
  fill("handshake-offered-protocols", listed(request.offered.subprotocols));
  fill("handshake-offered-extensions", listed(request.offered.extensions));
  fillRows(
    "handshake-request-headers",
    request.headers.map(([name, value]) => [name, value, fromProxy.has(name.toLowerCase()) ? "proxy" : "client"]),
  );
  fill("handshake-status-code", `${response.status} Switching Protocols`);
  fill("handshake-subprotocol", response.subprotocol);
  fill("handshake-extensions", response.extensions ? listed(response.extensions) : response.extensions_note);
  fill("handshake-key", accept.key);
  fill("handshake-key-valid", accept.key_valid ? "yes: base64 of 16 bytes" : `no: ${accept.key_problem}`);
  fill("handshake-guid", accept.guid);
  fill("handshake-concatenated", accept.concatenated);
  fill("handshake-sha1", accept.sha1_hex);
  fill("handshake-accept", accept.accept);
  if (accept.sent === null) fill("handshake-accept-sent", "not visible to the application");
  else fill("handshake-accept-sent", `${accept.sent} (${accept.sent === accept.accept ? "matches" : "differs"})`);
  $("handshake-response-block").hidden = !response.headers;
  if (response.headers) fillRows("handshake-response-headers", response.headers);
  $("handshake-result").hidden = false;
}

function inspect() {
  const offered = parseProtocols($("protocols").value);
  if (offered.error) {
    setState("failed", `Subprotocols: ${offered.error}`);
    return;
  }
  setState("connecting", "Opening /ws/inspect/…");
  let socket;
  try {
    socket = new WebSocket(inspectUrl(), offered.protocols);
  } catch (error) {
    setState("failed", `Could not open /ws/inspect/: ${error.message}`);
    return;
  }
  let described = false;
  socket.addEventListener("message", (event) => {
    if (described) return;
    described = true;
    try {
      show(JSON.parse(event.data));
    } catch {
      setState("failed", "The server's description could not be read.");
    }
    socket.close(1000, "Done");
  });
  socket.addEventListener("close", (event) => {
    if (!described) {
      setState("failed", `The connection closed before the description arrived (code ${event.code}).`);
    } else if (panel.dataset.state === "connecting") {
      setState("done", `Your handshake, as the server saw it. The connection then closed with code ${event.code}.`);
    }
  });
}

button.addEventListener("click", inspect);
