// Streaming candle aggregation: feed trades (and the passage of time) in, get candle updates out.
// Every trade yields an update of the open 1m candle and of each open coarser candle; when a
// minute ends (a later trade arrives, or advanceTime() passes its end) the 1m candle is emitted
// closed, and a coarser candle is emitted closed when its last minute closes. The worker persists
// closed candles and upserts the latest open one. Same conventions as aggregate.ts: closed candles
// equal aggregateTrades()/deriveCandles() over the same trades.

import type { Candle, CandleInterval, TradeTick } from '../types.ts';
import {
  accAddCandle,
  accAddTrade,
  accFlat,
  accFromTrade,
  accIsEmpty,
  accToCandle,
  cloneAcc,
  type CandleAcc,
} from './aggregate.ts';
import { CANDLE_INTERVALS, INTERVAL_MS, alignTime } from './intervals.ts';

export interface CandleUpdate {
  candle: Candle;
  /** True when the interval has ended and the candle is final. */
  closed: boolean;
}

export interface CandleAggregatorOptions {
  /** Intervals to maintain besides 1m (which is always built). Default all. */
  intervals?: readonly CandleInterval[];
  /**
   * Default true (Binance): a minute without trades gets a flat candle at the previous close, and
   * advanceTime() keeps closing such candles while the market is quiet.
   */
  fillGaps?: boolean;
}

interface SymbolCandles {
  /** Open 1m candle (null before the first trade, or in a gap without fillGaps). */
  m1: CandleAcc | null;
  /** Per coarser interval: closed minutes of its current bucket folded together. */
  higher: Map<CandleInterval, CandleAcc | null>;
  /** Everything before this time is closed; trades before it are late. */
  closedThrough: number;
}

const MINUTE = INTERVAL_MS['1m'];

export class CandleAggregator {
  private readonly intervals: readonly CandleInterval[];
  private readonly fillGaps: boolean;
  private readonly symbols = new Map<string, SymbolCandles>();
  /** Trades dropped because their minute was already closed. */
  lateTrades = 0;

  constructor(options: CandleAggregatorOptions = {}) {
    this.intervals = (options.intervals ?? CANDLE_INTERVALS).filter((i) => i !== '1m');
    this.fillGaps = options.fillGaps ?? true;
  }

  /**
   * Add one trade; returns the candles it closed (first) and the open candles it updated. With
   * `emitOpen: false` only closed candles are returned (a backfill that reads the open ones once at
   * the end with openCandles() skips building ~7 candle objects per trade).
   */
  addTrade(trade: TradeTick, emitOpen = true): CandleUpdate[] {
    let s = this.symbols.get(trade.symbol);
    if (!s) {
      s = { m1: null, higher: new Map(), closedThrough: -Infinity };
      this.symbols.set(trade.symbol, s);
    }
    if (trade.time < s.closedThrough || (s.m1 && trade.time < s.m1.openTime)) {
      this.lateTrades++;
      return [];
    }
    const out: CandleUpdate[] = [];
    const minute = alignTime(trade.time, '1m');
    this.closeThrough(trade.symbol, s, minute, out);
    if (!s.m1 || accIsEmpty(s.m1)) {
      s.m1 = accFromTrade(trade.symbol, minute, trade.price, trade.quantity);
    } else {
      accAddTrade(s.m1, trade.price, trade.quantity);
    }
    if (emitOpen) this.pushOpen(s, out);
    return out;
  }

  /** Close every candle that ended at or before `now` (call it on a timer, e.g. each second). */
  advanceTime(now: number): CandleUpdate[] {
    const out: CandleUpdate[] = [];
    for (const [symbol, s] of this.symbols) {
      const before = out.length;
      this.closeThrough(symbol, s, now, out);
      if (out.length > before) this.pushOpen(s, out);
    }
    return out;
  }

  /** The open (not yet closed) candles of a symbol, 1m first. */
  openCandles(symbol: string): Candle[] {
    const s = this.symbols.get(symbol);
    if (!s) return [];
    const out: CandleUpdate[] = [];
    this.pushOpen(s, out);
    return out.map((u) => u.candle);
  }

  private pushOpen(s: SymbolCandles, out: CandleUpdate[]): void {
    const m1 = s.m1;
    if (!m1) return;
    out.push({ candle: accToCandle(m1, '1m'), closed: false });
    for (const interval of this.intervals) {
      const h = s.higher.get(interval);
      let view: CandleAcc;
      if (h) {
        view = cloneAcc(h);
        accAddCandle(view, m1);
      } else {
        view = { ...m1, openTime: alignTime(m1.openTime, interval) };
      }
      out.push({ candle: accToCandle(view, interval), closed: false });
    }
  }

  private closeThrough(symbol: string, s: SymbolCandles, t: number, out: CandleUpdate[]): void {
    while (s.m1 && s.m1.openTime + MINUTE <= t) {
      const closed = s.m1;
      const next = closed.openTime + MINUTE;
      out.push({ candle: accToCandle(closed, '1m'), closed: true });
      for (const interval of this.intervals) {
        const h = s.higher.get(interval);
        if (h) accAddCandle(h, closed);
        else s.higher.set(interval, { ...closed, openTime: alignTime(closed.openTime, interval) });
      }
      this.closeHigher(s, next, out);
      s.closedThrough = next;
      s.m1 = this.fillGaps ? accFlat(symbol, next, closed.close) : null;
    }
    if (!s.m1) {
      this.closeHigher(s, t, out);
      if (t > s.closedThrough) s.closedThrough = alignTime(t, '1m');
    }
  }

  private closeHigher(s: SymbolCandles, t: number, out: CandleUpdate[]): void {
    for (const interval of this.intervals) {
      const h = s.higher.get(interval);
      if (h && h.openTime + INTERVAL_MS[interval] <= t) {
        out.push({ candle: accToCandle(h, interval), closed: true });
        s.higher.set(interval, null);
      }
    }
  }
}
