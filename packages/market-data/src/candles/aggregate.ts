// Exact (decimal) aggregation of trades into candles and derivation of coarser candles.
//
// Conventions (those of Binance klines):
// - A candle's openTime is aligned to its interval from the Unix epoch (UTC); it covers
//   [openTime, openTime + interval).
// - open/close are the first/last trade in time order (ties keep arrival order), high/low the
//   extreme trade prices, volume the exact sum of quantities (base asset), trades the count.
// - Gaps: an interval without trades after the first trade gets a flat candle,
//   open = high = low = close = previous close, volume 0, trades 0 (Binance does this). Before the
//   first trade of a symbol there are no candles. `fillGaps: false` omits empty intervals instead.
// - Derived intervals (5m … 1d from 1m) equal direct aggregation of the same trades: empty 1m
//   candles contribute nothing to a bucket that has trades.
// - Prices keep the exact strings of the trades they came from; volumes are plain decimal strings
//   (no exponent).

import type { Candle, CandleInterval, TradeTick } from '../types.ts';
import { D } from './decimal.ts';
import { INTERVAL_MS, alignTime } from './intervals.ts';

export interface AggregateOptions {
  /** Default true: empty intervals between trades become flat candles at the previous close. */
  fillGaps?: boolean;
}

/** A candle being built; prices compared as Decimals, reported as the original strings. */
export interface CandleAcc {
  symbol: string;
  openTime: number;
  open: string;
  high: string;
  highD: D;
  low: string;
  lowD: D;
  close: string;
  volume: D;
  trades: number;
}

export function accFromTrade(
  symbol: string,
  openTime: number,
  price: string,
  qty: string,
): CandleAcc {
  const p = new D(price);
  return {
    symbol,
    openTime,
    open: price,
    high: price,
    highD: p,
    low: price,
    lowD: p,
    close: price,
    volume: new D(qty),
    trades: 1,
  };
}

export function accFlat(symbol: string, openTime: number, close: string): CandleAcc {
  const p = new D(close);
  return {
    symbol,
    openTime,
    open: close,
    high: close,
    highD: p,
    low: close,
    lowD: p,
    close,
    volume: new D(0),
    trades: 0,
  };
}

export function accFromCandle(c: Candle, openTime: number): CandleAcc {
  return {
    symbol: c.symbol,
    openTime,
    open: c.open,
    high: c.high,
    highD: new D(c.high),
    low: c.low,
    lowD: new D(c.low),
    close: c.close,
    volume: new D(c.volume),
    trades: c.trades,
  };
}

export function accAddTrade(acc: CandleAcc, price: string, qty: string): void {
  const p = new D(price);
  if (p.gt(acc.highD)) {
    acc.highD = p;
    acc.high = price;
  }
  if (p.lt(acc.lowD)) {
    acc.lowD = p;
    acc.low = price;
  }
  acc.close = price;
  acc.volume = acc.volume.plus(qty);
  acc.trades += 1;
}

/** A candle without trades (a gap filler: flat at the previous close). */
export function accIsEmpty(acc: CandleAcc): boolean {
  return acc.trades === 0 && acc.volume.isZero();
}

/**
 * Fold a later candle of the same bucket into acc. Empty candles contribute nothing, and an empty
 * acc is replaced by the first non-empty candle, so that the open of a derived candle is its first
 * trade and derivation from 1m equals direct aggregation of the trades.
 */
export function accAddCandle(acc: CandleAcc, c: CandleAcc): void {
  if (accIsEmpty(c)) return;
  if (accIsEmpty(acc)) {
    Object.assign(acc, { ...c, openTime: acc.openTime });
    return;
  }
  if (c.highD.gt(acc.highD)) {
    acc.highD = c.highD;
    acc.high = c.high;
  }
  if (c.lowD.lt(acc.lowD)) {
    acc.lowD = c.lowD;
    acc.low = c.low;
  }
  acc.close = c.close;
  acc.volume = acc.volume.plus(c.volume);
  acc.trades += c.trades;
}

export function cloneAcc(acc: CandleAcc): CandleAcc {
  return { ...acc };
}

export function accToCandle(acc: CandleAcc, interval: CandleInterval): Candle {
  return {
    symbol: acc.symbol,
    interval,
    openTime: acc.openTime,
    open: acc.open,
    high: acc.high,
    low: acc.low,
    close: acc.close,
    volume: acc.volume.toFixed(),
    trades: acc.trades,
  };
}

function bySymbol<T extends { symbol: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    let list = m.get(it.symbol);
    if (!list) m.set(it.symbol, (list = []));
    list.push(it);
  }
  return m;
}

/**
 * Aggregate trades into candles of one interval, per symbol (symbols in order of first
 * appearance, candles in time order). Trades need not be sorted; equal times keep input order.
 */
export function aggregateTrades(
  trades: readonly TradeTick[],
  interval: CandleInterval = '1m',
  options: AggregateOptions = {},
): Candle[] {
  const fillGaps = options.fillGaps ?? true;
  const ms = INTERVAL_MS[interval];
  const out: Candle[] = [];
  for (const [symbol, list] of bySymbol(trades)) {
    const sorted = list
      .map((t, i) => ({ t, i }))
      .sort((a, b) => a.t.time - b.t.time || a.i - b.i)
      .map((x) => x.t);
    let acc: CandleAcc | null = null;
    for (const t of sorted) {
      const openTime = alignTime(t.time, interval);
      if (acc && acc.openTime === openTime) {
        accAddTrade(acc, t.price, t.quantity);
        continue;
      }
      if (acc) {
        out.push(accToCandle(acc, interval));
        if (fillGaps) {
          for (let gap = acc.openTime + ms; gap < openTime; gap += ms) {
            out.push(accToCandle(accFlat(symbol, gap, acc.close), interval));
          }
        }
      }
      acc = accFromTrade(symbol, openTime, t.price, t.quantity);
    }
    if (acc) out.push(accToCandle(acc, interval));
  }
  return out;
}

/**
 * The candle of one period from two parts of it: `earlier` covers trades before every trade of
 * `later` (e.g. what was stored before a restart, and what the restarted process aggregated since).
 * Open from the first non-empty part, close from the last, extremes and sums over both.
 */
export function mergeCandles(earlier: Candle, later: Candle): Candle {
  if (
    earlier.symbol !== later.symbol ||
    earlier.interval !== later.interval ||
    earlier.openTime !== later.openTime
  ) {
    throw new Error(
      `cannot merge ${earlier.symbol} ${earlier.interval}@${earlier.openTime} with ${later.symbol} ${later.interval}@${later.openTime}`,
    );
  }
  const acc = accFromCandle(earlier, earlier.openTime);
  accAddCandle(acc, accFromCandle(later, later.openTime));
  return accToCandle(acc, earlier.interval);
}

/**
 * Derive candles of a coarser interval from finer ones (e.g. 5m/15m/1h/4h/1d from 1m), per symbol.
 * The input candles must all share one interval that divides the target, and be in time order
 * per symbol. Buckets without any input candle get a flat candle when fillGaps (default true).
 */
export function deriveCandles(
  candles: readonly Candle[],
  interval: CandleInterval,
  options: AggregateOptions = {},
): Candle[] {
  const fillGaps = options.fillGaps ?? true;
  const ms = INTERVAL_MS[interval];
  const out: Candle[] = [];
  for (const [symbol, list] of bySymbol(candles)) {
    let acc: CandleAcc | null = null;
    let prevTime = -Infinity;
    for (const c of list) {
      const srcMs = INTERVAL_MS[c.interval];
      if (ms % srcMs !== 0) {
        throw new Error(`cannot derive ${interval} candles from ${c.interval} candles`);
      }
      if (c.openTime <= prevTime) {
        throw new Error(`${symbol} candles out of order at openTime ${c.openTime}`);
      }
      prevTime = c.openTime;
      const openTime = alignTime(c.openTime, interval);
      if (acc && acc.openTime === openTime) {
        accAddCandle(acc, accFromCandle(c, openTime));
        continue;
      }
      if (acc) {
        out.push(accToCandle(acc, interval));
        if (fillGaps) {
          for (let gap = acc.openTime + ms; gap < openTime; gap += ms) {
            out.push(accToCandle(accFlat(symbol, gap, acc.close), interval));
          }
        }
      }
      acc = accFromCandle(c, openTime);
    }
    if (acc) out.push(accToCandle(acc, interval));
  }
  return out;
}
