import type { CandleInterval } from '../types.ts';

// Browser-safe (imports nothing at run time): the web app reads it through '@lab/market-data/intervals'.
export const CANDLE_INTERVALS = [
  '1m',
  '5m',
  '15m',
  '1h',
  '4h',
  '1d',
] as const satisfies readonly CandleInterval[];

const MINUTE = 60_000;

export const INTERVAL_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
};

/**
 * Open time of the interval containing `time`. Buckets are aligned to the Unix epoch, which is
 * midnight UTC, so 1h/4h/1d candles open at UTC hour boundaries (4h at 00, 04, 08 … UTC; 1d at
 * 00:00 UTC), as Binance aligns them.
 */
export function alignTime(time: number, interval: CandleInterval): number {
  const ms = INTERVAL_MS[interval];
  return Math.floor(time / ms) * ms;
}

export function isCandleInterval(x: string): x is CandleInterval {
  return (CANDLE_INTERVALS as readonly string[]).includes(x);
}
