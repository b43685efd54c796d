// A live round-trip chart, drawn on a canvas with the page's own colours.

const POINTS = 120;

function niceCeiling(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function label(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`;
  if (ms >= 1) return `${Number.isInteger(ms) ? ms : ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export class RttChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.values = [];
    this.pending = false;
    new ResizeObserver(() => this.draw()).observe(canvas);
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
  }

  update(values) {
    this.values = values.slice(-POINTS);
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

    const max = niceCeiling(Math.max(...this.values) * 1.1);
    context.strokeStyle = colours.grid;
    context.fillStyle = colours.text;
    context.lineWidth = 1;
    context.textAlign = "right";
    context.textBaseline = "middle";
    for (let i = 0; i <= 4; i += 1) {
      const value = (max * i) / 4;
      const y = Math.round(top + plotHeight - (value / max) * plotHeight) + 0.5;
      context.beginPath();
      context.moveTo(left, y);
      context.lineTo(width - right, y);
      context.stroke();
      context.fillText(label(value), left - 8, y);
    }
    context.textAlign = "left";
    context.textBaseline = "alphabetic";
    context.fillText(`last ${this.values.length} round trips`, left, height - 3);

    const step = plotWidth / Math.max(1, POINTS - 1);
    const x = (i) => left + (POINTS - this.values.length + i) * step;
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
