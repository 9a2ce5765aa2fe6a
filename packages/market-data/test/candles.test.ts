import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateTrades, deriveCandles } from '../src/candles/aggregate.ts';
import { CANDLE_INTERVALS, INTERVAL_MS, alignTime } from '../src/candles/intervals.ts';
import { CandleAggregator, type CandleUpdate } from '../src/candles/stream.ts';
import type { Candle, CandleInterval, TradeTick } from '../src/types.ts';

const M = 60_000;
const T = Date.UTC(2026, 0, 5, 10, 0, 0); // a Monday, 10:00 UTC

const trade = (
  time: number,
  price: string,
  quantity: string,
  side: 'buy' | 'sell' = 'buy',
): TradeTick => ({
  kind: 'trade',
  symbol: 'BTCUSDT',
  time,
  price,
  quantity,
  side,
});

describe('intervals', () => {
  it('align to UTC boundaries', () => {
    const t = Date.UTC(2026, 0, 5, 13, 47, 31, 250);
    expect(alignTime(t, '1m')).toBe(Date.UTC(2026, 0, 5, 13, 47));
    expect(alignTime(t, '5m')).toBe(Date.UTC(2026, 0, 5, 13, 45));
    expect(alignTime(t, '15m')).toBe(Date.UTC(2026, 0, 5, 13, 45));
    expect(alignTime(t, '1h')).toBe(Date.UTC(2026, 0, 5, 13));
    expect(alignTime(t, '4h')).toBe(Date.UTC(2026, 0, 5, 12));
    expect(alignTime(t, '1d')).toBe(Date.UTC(2026, 0, 5));
  });
});

describe('aggregateTrades (worked example)', () => {
  // 10:00  trades 100.1 x0.1, 100.5 x0.2, 99.9 x0.3, 100.2 x0.4
  //        -> O 100.1 H 100.5 L 99.9 C 100.2, V 0.1+0.2+0.3+0.4 = 1.0 exactly (floats give
  //           0.30000000000000004 on the way), 4 trades
  // 10:01  no trade -> flat candle at the previous close 100.2, V 0, 0 trades (Binance)
  // 10:02  trade 101.0 x0.05 -> O=H=L=C 101.0, V 0.05, 1 trade
  const trades = [
    trade(T + 1_000, '100.1', '0.1'),
    trade(T + 2_000, '100.5', '0.2'),
    trade(T + 3_000, '99.9', '0.3', 'sell'),
    trade(T + 59_999, '100.2', '0.4'),
    trade(T + 2 * M + 5, '101.0', '0.05'),
  ];

  it('builds exact 1m candles and fills the gap with a flat candle', () => {
    expect(aggregateTrades(trades)).toEqual<Candle[]>([
      {
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T,
        open: '100.1',
        high: '100.5',
        low: '99.9',
        close: '100.2',
        volume: '1',
        trades: 4,
      },
      {
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T + M,
        open: '100.2',
        high: '100.2',
        low: '100.2',
        close: '100.2',
        volume: '0',
        trades: 0,
      },
      {
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T + 2 * M,
        open: '101.0',
        high: '101.0',
        low: '101.0',
        close: '101.0',
        volume: '0.05',
        trades: 1,
      },
    ]);
  });

  it('omits empty minutes with fillGaps: false', () => {
    expect(aggregateTrades(trades, '1m', { fillGaps: false }).map((c) => c.openTime)).toEqual([
      T,
      T + 2 * M,
    ]);
  });

  it('derives a 5m candle equal to direct aggregation', () => {
    const direct = aggregateTrades(trades, '5m');
    expect(direct).toEqual([
      {
        symbol: 'BTCUSDT',
        interval: '5m',
        openTime: T,
        open: '100.1',
        high: '101.0',
        low: '99.9',
        close: '101.0',
        volume: '1.05',
        trades: 5,
      },
    ]);
    expect(deriveCandles(aggregateTrades(trades, '1m'), '5m')).toEqual(direct);
  });

  it('sums volumes exactly where floats would not', () => {
    const ts = Array.from({ length: 10 }, (_, i) => trade(T + i, '1', '0.1'));
    expect(aggregateTrades(ts)[0]!.volume).toBe('1');
    expect(ts.reduce((a) => a + 0.1, 0)).not.toBe(1);
    const big = [trade(T, '1', '123456789012345.123456789'), trade(T + 1, '1', '0.000000001')];
    expect(aggregateTrades(big)[0]!.volume).toBe('123456789012345.12345679');
  });

  it('orders by time (ties keep input order) and keeps symbols apart', () => {
    const ts = [
      trade(T + 30_000, '2', '1'),
      { ...trade(T + 10_000, '50', '1'), symbol: 'ETHUSDT' },
      trade(T + 10_000, '1', '1'),
      trade(T + 10_000, '3', '1'),
    ];
    const out = aggregateTrades(ts);
    expect(out.map((c) => [c.symbol, c.open, c.close])).toEqual([
      ['BTCUSDT', '1', '2'],
      ['ETHUSDT', '50', '50'],
    ]);
  });

  it('refuses to derive from a coarser or non-dividing interval', () => {
    const c5 = aggregateTrades(trades, '5m');
    expect(() => deriveCandles(c5, '1m')).toThrow(/cannot derive/);
    expect(deriveCandles(c5, '15m')[0]!.volume).toBe('1.05');
  });
});

// Random trades over up to ~2 days (to cross 4h and 1d boundaries), prices and sizes as exact
// decimal strings.
const tradesArb = fc
  .array(
    fc.record({
      dt: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 6 * 3_600_000 })),
      p: fc.integer({ min: 1, max: 2_000_000 }),
      q: fc.integer({ min: 1, max: 100_000 }),
      sym: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    let t = T - 7 * M + 123;
    return rows.map((r): TradeTick => {
      t += r.dt;
      return {
        kind: 'trade',
        symbol: r.sym,
        time: t,
        price: (r.p / 100).toFixed(2),
        quantity: (r.q / 1000).toFixed(3),
        side: 'buy',
      };
    });
  });

const higher = CANDLE_INTERVALS.filter((i) => i !== '1m');

describe('properties', () => {
  it('deriving from 1m equals aggregating the trades directly, for every interval', () => {
    fc.assert(
      fc.property(tradesArb, fc.boolean(), (trades, fillGaps) => {
        const m1 = aggregateTrades(trades, '1m', { fillGaps });
        for (const interval of higher) {
          expect(deriveCandles(m1, interval, { fillGaps })).toEqual(
            aggregateTrades(trades, interval, { fillGaps }),
          );
        }
        // Chained derivation (1m -> 5m -> 15m -> 1h -> 4h -> 1d) agrees as well.
        let prev = m1;
        for (const interval of higher) {
          prev = deriveCandles(prev, interval, { fillGaps });
          expect(prev).toEqual(aggregateTrades(trades, interval, { fillGaps }));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('volume is conserved and high/low bound every trade', () => {
    fc.assert(
      fc.property(tradesArb, (trades) => {
        for (const interval of CANDLE_INTERVALS) {
          const cs = aggregateTrades(trades, interval);
          const milli = (s: string): number => Math.round(Number(s) * 1000);
          expect(cs.reduce((a, c) => a + milli(c.volume), 0)).toBe(
            trades.reduce((a, t) => a + milli(t.quantity), 0),
          );
          expect(cs.reduce((a, c) => a + c.trades, 0)).toBe(trades.length);
          for (const t of trades) {
            const c = cs.find(
              (x) => x.symbol === t.symbol && x.openTime === alignTime(t.time, interval),
            )!;
            expect(Number(t.price)).toBeGreaterThanOrEqual(Number(c.low));
            expect(Number(t.price)).toBeLessThanOrEqual(Number(c.high));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the streaming aggregator closes exactly the candles of batch aggregation', () => {
    fc.assert(
      fc.property(tradesArb, fc.boolean(), (trades, fillGaps) => {
        const sorted = [...trades].sort((a, b) => a.time - b.time);
        const agg = new CandleAggregator({ fillGaps });
        const updates: CandleUpdate[] = [];
        for (const t of sorted) updates.push(...agg.addTrade(t));
        const end = alignTime(sorted.at(-1)!.time, '1d') + INTERVAL_MS['1d'];
        updates.push(...agg.advanceTime(end));
        for (const interval of CANDLE_INTERVALS) {
          const lastBucket = new Map<string, number>();
          for (const t of sorted) lastBucket.set(t.symbol, alignTime(t.time, interval));
          const closed = updates
            .filter((u) => u.closed && u.candle.interval === interval)
            .map((u) => u.candle)
            .filter((c) => c.openTime <= lastBucket.get(c.symbol)!);
          const batch = aggregateTrades(sorted, interval, { fillGaps });
          const key = (c: Candle): string => `${c.symbol}:${c.openTime}`;
          expect(closed.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
            batch.sort((a, b) => key(a).localeCompare(key(b))),
          );
        }
        // Each open update of 1m is the running state of its candle: the last one before close
        // equals the closed candle.
      }),
      { numRuns: 100 },
    );
  });
});

describe('CandleAggregator', () => {
  it('emits open updates for every interval, then closes the minute when a later trade arrives', () => {
    const agg = new CandleAggregator({ intervals: ['1m', '5m', '1h'] });
    const u1 = agg.addTrade(trade(T + 1_000, '100.0', '1'));
    expect(u1.map((u) => [u.candle.interval, u.closed])).toEqual([
      ['1m', false],
      ['5m', false],
      ['1h', false],
    ]);
    const u2 = agg.addTrade(trade(T + 2_000, '101.0', '2'));
    expect(u2[1]!.candle).toMatchObject({
      interval: '5m',
      open: '100.0',
      high: '101.0',
      close: '101.0',
      volume: '3',
      trades: 2,
    });
    const u3 = agg.addTrade(trade(T + M + 1, '99.0', '1'));
    expect(u3[0]).toEqual({
      closed: true,
      candle: {
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T,
        open: '100.0',
        high: '101.0',
        low: '100.0',
        close: '101.0',
        volume: '3',
        trades: 2,
      },
    });
    expect(u3.slice(1).map((u) => [u.candle.interval, u.closed, u.candle.volume])).toEqual([
      ['1m', false, '1'],
      ['5m', false, '4'],
      ['1h', false, '4'],
    ]);
    expect(agg.openCandles('BTCUSDT').map((c) => c.low)).toEqual(['99.0', '99.0', '99.0']);
  });

  it('advanceTime closes quiet minutes with flat candles (Binance) and closes coarser candles', () => {
    const agg = new CandleAggregator({ intervals: ['5m'] });
    agg.addTrade(trade(T + 1_000, '100.0', '1'));
    const out = agg.advanceTime(T + 5 * M);
    const closed = out
      .filter((u) => u.closed)
      .map((u) => [u.candle.interval, u.candle.openTime, u.candle.trades]);
    expect(closed).toEqual([
      ['1m', T, 1],
      ['1m', T + M, 0],
      ['1m', T + 2 * M, 0],
      ['1m', T + 3 * M, 0],
      ['1m', T + 4 * M, 0],
      ['5m', T, 1],
    ]);
    // A new flat minute is open, carrying the previous close.
    expect(agg.openCandles('BTCUSDT')[0]).toMatchObject({
      openTime: T + 5 * M,
      open: '100.0',
      trades: 0,
    });
    // The first trade of a minute that started flat becomes its open.
    agg.addTrade(trade(T + 5 * M + 10, '105.5', '1'));
    expect(agg.openCandles('BTCUSDT')[0]).toMatchObject({ open: '105.5', low: '105.5', trades: 1 });
    expect(agg.advanceTime(T + 5 * M + 30_000)).toEqual([]);
  });

  it('without fillGaps quiet minutes produce nothing', () => {
    const agg = new CandleAggregator({ intervals: ['5m'], fillGaps: false });
    agg.addTrade(trade(T + 1_000, '100.0', '1'));
    const out = agg.advanceTime(T + 10 * M);
    expect(out.map((u) => [u.candle.interval, u.closed])).toEqual([
      ['1m', true],
      ['5m', true],
    ]);
    expect(agg.openCandles('BTCUSDT')).toEqual([]);
  });

  it('drops trades for minutes already closed', () => {
    const agg = new CandleAggregator();
    agg.addTrade(trade(T + M + 1, '100.0', '1'));
    expect(agg.addTrade(trade(T + 5, '90.0', '1'))).toEqual([]);
    agg.advanceTime(T + 3 * M);
    expect(agg.addTrade(trade(T + 2 * M + 1, '90.0', '1'))).toEqual([]);
    expect(agg.lateTrades).toBe(2);
  });

  it('keeps up with the simulator: 1 h of BTC trades into all intervals', async () => {
    const { SimulatorSource } = await import('../src/simulator/source.ts');
    const sim = new SimulatorSource({
      seed: 'candles',
      startTime: T,
      market: { symbols: ['BTCUSDT'] },
    });
    const agg = new CandleAggregator();
    const trades: TradeTick[] = [];
    const closed: Candle[] = [];
    sim.onTick((t) => {
      if (t.kind !== 'trade') return;
      trades.push(t);
      for (const u of agg.addTrade(t)) if (u.closed) closed.push(u.candle);
    });
    sim.advance(3_600_000);
    for (const u of agg.advanceTime(T + 3_600_000)) if (u.closed) closed.push(u.candle);
    const byInterval = (i: CandleInterval): Candle[] => closed.filter((c) => c.interval === i);
    expect(byInterval('1m')).toHaveLength(60);
    // The last step's trade at exactly T + 1h opens the next minute, which is still open.
    const done = trades.filter((t) => t.time < T + 3_600_000);
    expect(done.length).toBe(trades.length - 1);
    expect(byInterval('1m')).toEqual(aggregateTrades(done, '1m'));
    expect(byInterval('5m')).toEqual(aggregateTrades(done, '5m'));
    expect(byInterval('1h')).toEqual(aggregateTrades(done, '1h'));
  });
});
