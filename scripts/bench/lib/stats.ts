// Figures of a load run: throughput and latency percentiles, and the outcomes by status.

export interface RunStats {
  label: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Outcomes other than success: "<status> <reason>" -> count. */
  errors: Record<string, number>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export function summarize(
  label: string,
  latencies: number[],
  seconds: number,
  errors: Record<string, number>,
): RunStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    label,
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    errors,
  };
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

export function printTable(rows: RunStats[]): void {
  console.log(
    [
      'run'.padEnd(28),
      'requests'.padStart(9),
      'req/s'.padStart(8),
      'p50 ms'.padStart(8),
      'p95 ms'.padStart(8),
      'p99 ms'.padStart(8),
      'max ms'.padStart(8),
      '  errors',
    ].join(' '),
  );
  for (const r of rows) {
    const errs = Object.entries(r.errors)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    console.log(
      [
        r.label.padEnd(28),
        String(r.requests).padStart(9),
        f(r.perSecond).padStart(8),
        f(r.p50).padStart(8),
        f(r.p95).padStart(8),
        f(r.p99).padStart(8),
        f(r.max).padStart(8),
        `  ${errs || 'none'}`,
      ].join(' '),
    );
  }
}
