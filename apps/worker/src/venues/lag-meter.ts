// How far the trading loop of a venue runs behind its market: for each published batch, the time
// from its arrival until the loop is idle with it processed. Kept per reporting window (the worker
// logs it; the competition load benchmark reads those lines).
export interface LagSummary {
  batches: number;
  p50: number;
  p99: number;
  max: number;
}

export class LagMeter {
  private samples: number[] = [];
  private readonly cap: number;

  constructor(cap = 100_000) {
    this.cap = cap;
  }

  record(ms: number): void {
    if (this.samples.length < this.cap) this.samples.push(ms);
  }

  /** The window's figures, and a new window. */
  take(): LagSummary {
    const s = this.samples.sort((a, b) => a - b);
    this.samples = [];
    const at = (q: number) =>
      s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : 0;
    return { batches: s.length, p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? 0 };
  }
}
