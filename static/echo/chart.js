// A live round-trip chart, drawn on a canvas with the page's own colours.

const POINTS = 120;

/**
 * Gridline values from 0 up to the first at or above `max`, in steps of 1, 2 or 5 times a
 * power of ten, about `target` of them: 0 / 5 / 10 / 15 / 20 ms, never 6.3 / 12.5 / 18.8.
 */
export function roundTicks(max, target = 4) {
  const top = max > 0 ? max : 1;
  const rough = top / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks = [0];
  while (ticks.at(-1) < top) ticks.push(Number((ticks.length * step).toFixed(decimals)));
  return ticks;
}

/** A tick's label: "0", "5 ms", "0.2 ms", "1.5 s". */
export function tickLabel(ms) {
  if (ms === 0) return "0";
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${ms} ms`;
}

export class RttChart {
  constructor(canvas, points = POINTS) {
    this.canvas = canvas;
    this.points = points;
    this.values = [];
    this.pending = false;
    new ResizeObserver(() => this.draw()).observe(canvas);
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
  }

  update(values) {
    this.values = values.slice(-this.points);
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  colours() {
    const style = getComputedStyle(this.canvas);
    const read = (name) => style.getPropertyValue(name).trim();
    return {
      line: read("--accent"),
      grid: read("--border"),
      text: read("--muted"),
      font: `12px ${read("--font") || "sans-serif"}`,
    };
  }

  draw() {
    const { canvas } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const colours = this.colours();
    context.font = colours.font;

    const left = 56;
    const right = 8;
    const top = 10;
    const bottom = 18;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;

    if (!this.values.length) {
      context.fillStyle = colours.text;
      context.textAlign = "center";
      context.textBaseline = "middle";
      context.fillText("Round trips appear here as echoes come back.", width / 2, height / 2);
      return;
    }

    const ticks = roundTicks(Math.max(...this.values));
    const max = ticks.at(-1);
    context.strokeStyle = colours.grid;
    context.fillStyle = colours.text;
    context.lineWidth = 1;
    context.textAlign = "right";
    context.textBaseline = "middle";
    for (const value of ticks) {
      const y = Math.round(top + plotHeight - (value / max) * plotHeight) + 0.5;
      context.beginPath();
      context.moveTo(left, y);
      context.lineTo(width - right, y);
      context.stroke();
      context.fillText(tickLabel(value), left - 8, y);
    }
    context.textAlign = "left";
    context.textBaseline = "alphabetic";
    const count = this.values.length;
    context.fillText(`${count === this.points ? "last " : ""}${count} round trip${count === 1 ? "" : "s"}`, left, height - 3);

    // From the left edge, one step per round trip; the chart scrolls once it is full.
    const step = plotWidth / Math.max(1, this.points - 1);
    const x = (i) => left + i * step;
    const y = (value) => top + plotHeight - (value / max) * plotHeight;
    context.strokeStyle = colours.line;
    context.lineWidth = 2;
    context.lineJoin = "round";
    context.beginPath();
    this.values.forEach((value, i) => {
      if (i === 0) context.moveTo(x(i), y(value));
      else context.lineTo(x(i), y(value));
    });
    context.stroke();
    context.fillStyle = colours.line;
    const last = this.values.length - 1;
    context.beginPath();
    context.arc(x(last), y(this.values[last]), 3.5, 0, 2 * Math.PI);
    context.fill();
  }
}
