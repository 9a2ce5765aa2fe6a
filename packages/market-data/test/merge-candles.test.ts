// mergeCandles: a candle stored before a restart + the candle aggregated after it = the candle of
// all the trades (what the worker relies on to continue the candles in progress after a restart).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CANDLE_INTERVALS,
  aggregateTrades,
  mergeCandles,
  type Candle,
  type TradeTick,
} from '../src/index.ts';

const T0 = Date.UTC(2026, 0, 5);
const trade = (time: number, price: string, quantity: string): TradeTick => ({
  kind: 'trade',
  symbol: 'BTCUSDT',
  time,
  price,
  quantity,
  side: 'buy',
});
const only = (c: Candle[]) => {
  expect(c).toHaveLength(1);
  return c[0]!;
};

describe('mergeCandles', () => {
  it('worked example: open from the earlier part, close from the later, extremes and sums over both', () => {
    const before = [trade(T0 + 1000, '100.5', '0.1'), trade(T0 + 2000, '103', '0.25')];
    const after = [trade(T0 + 40_000, '99.9', '1'), trade(T0 + 50_000, '101.2', '0.05')];
    const merged = mergeCandles(only(aggregateTrades(before)), only(aggregateTrades(after)));
    // open 100.5, high max(103, 101.2) = 103, low min(100.5, 99.9) = 99.9, close 101.2,
    // volume 0.1 + 0.25 + 1 + 0.05 = 1.4, trades 2 + 2 = 4
    expect(merged).toEqual({
      symbol: 'BTCUSDT',
      interval: '1m',
      openTime: T0,
      open: '100.5',
      high: '103',
      low: '99.9',
      close: '101.2',
      volume: '1.4',
      trades: 4,
    });
    expect(merged).toEqual(only(aggregateTrades([...before, ...after])));
  });

  it('a flat (no-trade) part contributes nothing', () => {
    const c = only(aggregateTrades([trade(T0 + 5, '10', '2')]));
    const flat: Candle = {
      ...c,
      open: '9',
      high: '9',
      low: '9',
      close: '9',
      volume: '0',
      trades: 0,
    };
    expect(mergeCandles(flat, c)).toEqual(c);
    expect(mergeCandles(c, flat)).toEqual(c);
  });

  it('refuses candles of different periods', () => {
    const a = only(aggregateTrades([trade(T0, '1', '1')]));
    expect(() => mergeCandles(a, { ...a, openTime: T0 + 60_000 })).toThrow(
      /cannot merge BTCUSDT 1m@/,
    );
    expect(() => mergeCandles(a, { ...a, interval: '5m' })).toThrow(/cannot merge/);
  });

  describe('properties', () => {
    it('merge(candle of the trades before t, candle of the trades from t) = candle of all trades, every interval', () => {
      const arbTrade = fc.record({
        dt: fc.integer({ min: 0, max: 86_399_999 }),
        price: fc.integer({ min: 1, max: 1_000_000 }).map((n) => (n / 10).toFixed(1)),
        qty: fc.integer({ min: 1, max: 100_000 }).map((n) => (n / 1000).toFixed(3)),
      });
      fc.assert(
        fc.property(
          fc.array(arbTrade, { minLength: 2, maxLength: 40 }),
          fc.integer({ min: 1, max: 39 }),
          (raw, cut) => {
            const trades = raw
              .map((r) => trade(T0 + r.dt, r.price, r.qty))
              .sort((a, b) => a.time - b.time);
            const k = Math.min(cut, trades.length - 1);
            const split = trades[k]!.time;
            const before = trades.filter((t) => t.time < split);
            const after = trades.filter((t) => t.time >= split);
            for (const interval of CANDLE_INTERVALS) {
              const all = aggregateTrades(trades, interval);
              const b = aggregateTrades(before, interval);
              const a = aggregateTrades(after, interval);
              // The one period the cut falls in appears in both halves: merged it equals the whole.
              const key = (c: Candle) => c.openTime;
              const shared = a.find((c) => b.some((x) => key(x) === key(c)));
              if (!shared) continue;
              const merged = mergeCandles(
                b.find((x) => key(x) === key(shared))!,
                shared,
              );
              expect(merged).toEqual(all.find((c) => key(c) === key(shared)));
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
