// One lane's figures, kept from the events it receives: pure, no DOM.

export function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export class LaneStats {
  constructor() {
    this.seen = new Set();
    this.highest = 0;
    this.duplicated = 0;
    this.outOfOrder = 0;
    this.latencies = [];
    this.points = []; // [seq, latency in ms]
    this.requests = 0;
    this.emptyAnswers = 0;
    this.estimatedBytes = 0;
    this.estimatedExtra = 0; // headers known only later (an event stream's)
    this.measuredBytes = 0;
    this.measuredRequests = 0;
    this.total = null; // known when the race is over
    this.done = false;
  }

  // Counts one event; `latency` in ms. Returns whether it was new.
  receive(event, latency) {
    if (this.seen.has(event.seq)) {
      this.duplicated += 1;
      return false;
    }
    if (event.seq < this.highest) this.outOfOrder += 1;
    this.seen.add(event.seq);
    this.highest = Math.max(this.highest, event.seq);
    this.latencies.push(latency);
    this.points.push([event.seq, latency]);
    return true;
  }

  get received() {
    return this.seen.size;
  }

  get missed() {
    return Math.max(0, (this.total ?? this.highest) - this.seen.size);
  }

  // Measured (Resource Timing) when the browser reported every request, else estimated.
  get bytesMeasured() {
    return this.requests > 0 && this.measuredRequests >= this.requests;
  }

  get bytesPerMessage() {
    if (!this.received) return null;
    const bytes = this.bytesMeasured
      ? this.measuredBytes
      : this.estimatedBytes + this.estimatedExtra;
    return bytes / this.received;
  }

  summary() {
    return {
      received: this.received,
      missed: this.missed,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      median: percentile(this.latencies, 50),
      p95: percentile(this.latencies, 95),
      requests: this.requests,
      emptyAnswers: this.emptyAnswers,
      bytesPerMessage: this.bytesPerMessage,
      bytesMeasured: this.bytesMeasured,
    };
  }
}
