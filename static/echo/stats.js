// Counters and round-trip statistics for one tester session.

const MAX_SAMPLES = 10000;

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted, fraction) {
  if (!sorted.length) return null;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export class Stats {
  constructor() {
    this.reset();
  }

  reset() {
    this.sent = { messages: 0, bytes: 0 };
    this.received = { messages: 0, bytes: 0 };
    this.rtts = []; // the latest MAX_SAMPLES round trips, in arrival order
    this.minRtt = null;
  }

  countSent(bytes) {
    this.sent.messages += 1;
    this.sent.bytes += bytes;
  }

  countReceived(bytes) {
    this.received.messages += 1;
    this.received.bytes += bytes;
  }

  addRtt(ms) {
    this.rtts.push(ms);
    if (this.rtts.length > MAX_SAMPLES) this.rtts.splice(0, this.rtts.length - MAX_SAMPLES);
    this.minRtt = this.minRtt === null ? ms : Math.min(this.minRtt, ms);
  }

  rttSummary() {
    const sorted = [...this.rtts].sort((a, b) => a - b);
    return {
      count: sorted.length,
      min: this.minRtt,
      median: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
    };
  }

  latest(count) {
    return this.rtts.slice(-count);
  }
}
