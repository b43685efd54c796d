// The latency chart: one polyline per lane in an SVG, x the event number, y the latency.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 52, right: 12, top: 12, bottom: 34 };

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A round scale top: 1, 2 or 5 times a power of ten.
function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value);
}

// `lanes` maps a lane key to its LaneStats; `total` is the race's event count.
export function drawChart(svg, lanes, total) {
  const all = [...lanes.values()].flatMap((lane) => lane.latencies);
  const sorted = [...all].sort((a, b) => a - b);
  // The 98th percentile sets the scale, so one stray event does not flatten the rest.
  const top = niceCeiling(sorted.length ? sorted[Math.floor(sorted.length * 0.98)] * 1.1 : 100);
  const x = (seq) => PAD.left + ((seq - 1) / Math.max(1, total - 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (ms) =>
    HEIGHT - PAD.bottom - (Math.min(Math.max(ms, 0), top) / top) * (HEIGHT - PAD.top - PAD.bottom);

  const nodes = [];
  for (const fraction of [0, 0.5, 1]) {
    const value = top * fraction;
    nodes.push(element("line", { class: "chart__grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }));
    nodes.push(element("text", { class: "chart__label", x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end" }, `${Math.round(value)} ms`));
  }
  nodes.push(element("text", { class: "chart__label", x: PAD.left, y: HEIGHT - 10 }, "event 1"));
  nodes.push(element("text", { class: "chart__label", x: WIDTH - PAD.right, y: HEIGHT - 10, "text-anchor": "end" }, `event ${total}`));
  for (const [key, lane] of lanes) {
    const points = [...lane.points].sort((a, b) => a[0] - b[0]);
    if (!points.length) continue;
    const line = points.map(([seq, ms]) => `${x(seq).toFixed(1)},${y(ms).toFixed(1)}`).join(" ");
    nodes.push(element("polyline", { class: `chart__line chart__line--${key}`, points: line }));
  }
  svg.replaceChildren(...nodes);
}
