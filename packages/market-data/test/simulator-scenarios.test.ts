import { describe, expect, it } from 'vitest';
import { DEFAULT_FUNDING, DEFAULT_MARKET, HOUR_MS, YEAR_MS } from '../src/simulator/config.ts';
import { addEvent, cancelEvent, computeFundingRate, premiumIndex } from '../src/simulator/model.ts';
import { SimulatorSource } from '../src/simulator/source.ts';
import type { BookTick, MarketTick, MarkTick, TradeTick } from '../src/types.ts';
import { T0, fixedRegime, run, setup, testMarket } from './helpers.ts';

const calmMarket = { ...DEFAULT_MARKET, regimes: fixedRegime('normal'), intradayAmplitude: 0 };

function lastTrade(ticks: readonly MarketTick[], symbol: string): number {
  const t = ticks.filter((x): x is TradeTick => x.kind === 'trade' && x.symbol === symbol).at(-1);
  if (!t) throw new Error(`no trade for ${symbol}`);
  return Number(t.price);
}

describe('scenario: crash and rally', () => {
  it('a 20% crash of BTC over 60 s moves it by about 20% and drags the others by their beta', () => {
    const { model, state } = setup(calmMarket, 'crash');
    const at = T0 + 10_000;
    const s0 = addEvent(model, run(model, state, 40, 250), {
      type: 'crash',
      percent: 20,
      durationMs: 60_000,
      symbol: 'BTCUSDT',
    }).state;
    expect(s0.time).toBe(at);
    const before = s0.instruments.map((i) => i.fair);
    const ticks: MarketTick[] = [];
    const half = run(model, s0, 120, 250, (_p, _n, t) => ticks.push(...t));
    const end = run(model, half, 120, 250, (_p, _n, t) => ticks.push(...t));
    const btc = end.instruments[0]!.fair / before[0]!;
    expect(Math.abs(btc - 0.8)).toBeLessThan(0.01);
    // Spread over the duration: about half the log move after 30 s.
    expect(Math.abs(half.instruments[0]!.fair / before[0]! - Math.sqrt(0.8))).toBeLessThan(0.01);
    // Last trade follows.
    expect(Math.abs(lastTrade(ticks, 'BTCUSDT') / before[0]! - 0.8)).toBeLessThan(0.01);
    // ETH: beta = 0.85 * 0.75 / 0.6.
    const beta = (0.85 * 0.75) / 0.6;
    expect(Math.abs(end.instruments[1]!.fair / before[1]! - 0.8 ** beta)).toBeLessThan(0.01);
    for (let i = 1; i < before.length; i++)
      expect(end.instruments[i]!.fair / before[i]!).toBeLessThan(0.9);
    // The event is finished and dropped.
    expect(end.events).toHaveLength(0);
  });

  it('without propagation only the target moves; with no symbol every instrument rallies', () => {
    const { model, state } = setup(calmMarket, 'rally');
    const alone = run(
      model,
      addEvent(model, state, {
        type: 'crash',
        percent: 30,
        durationMs: 10_000,
        symbol: 'SOLUSDT',
        propagate: false,
      }).state,
      40,
      250,
    );
    alone.instruments.forEach((inst, i) => {
      const r = inst.fair / model.instruments[i]!.params.startPrice;
      if (inst.symbol === 'SOLUSDT') expect(Math.abs(r - 0.7)).toBeLessThan(0.01);
      else expect(Math.abs(r - 1)).toBeLessThan(0.01);
    });
    const all = run(
      model,
      addEvent(model, state, { type: 'rally', percent: 10, durationMs: 5_000 }).state,
      20,
      250,
    );
    all.instruments.forEach((inst, i) => {
      expect(Math.abs(inst.fair / model.instruments[i]!.params.startPrice - 1.1)).toBeLessThan(
        0.01,
      );
    });
  });

  it('a scheduled event is deterministic and changes nothing before it starts', () => {
    const at = T0 + 30_000;
    const make = (withEvent: boolean): MarketTick[] => {
      const src = new SimulatorSource({
        seed: 'lecture',
        startTime: T0,
        scenario: withEvent ? [{ type: 'crash', percent: 15, durationMs: 20_000, at }] : [],
      });
      const out: MarketTick[] = [];
      src.onTick((t) => out.push(t));
      src.advance(60_000);
      return out;
    };
    const a = make(true);
    expect(make(true)).toEqual(a);
    const b = make(false);
    const beforeA = a.filter((t) => t.time <= at);
    expect(beforeA.length).toBeGreaterThan(100);
    expect(b.slice(0, beforeA.length)).toEqual(beforeA);
    expect(lastTrade(a, 'BTCUSDT') / lastTrade(b, 'BTCUSDT')).toBeLessThan(0.9);
  });

  it('on demand through the source: trigger, list and cancel', () => {
    const src = new SimulatorSource({ seed: 's', startTime: T0 });
    const ticks: MarketTick[] = [];
    src.onTick((t) => ticks.push(t));
    src.advance(1_000);
    const p0 = lastTrade(ticks, 'ETHUSDT');
    const e = src.trigger({ type: 'crash', percent: 10, durationMs: 4_000, symbol: 'ETHUSDT' });
    expect(e).toMatchObject({ id: 'event-1', at: T0 + 1_000 });
    const later = src.schedule({
      type: 'rally',
      percent: 50,
      durationMs: 1_000,
      at: T0 + 3_600_000,
    });
    expect(src.events().map((x) => x.id)).toEqual(['event-1', 'event-2']);
    expect(src.cancel(later.id)).toBe(true);
    expect(src.cancel('nope')).toBe(false);
    src.advance(4_000);
    expect(Math.abs(lastTrade(ticks, 'ETHUSDT') / p0 - 0.9)).toBeLessThan(0.01);
    expect(src.events()).toHaveLength(0);
  });

  it('rejects invalid events', () => {
    const { model, state } = setup(calmMarket);
    expect(() => addEvent(model, state, { type: 'crash', percent: 100, durationMs: 1 })).toThrow(
      /percent/,
    );
    expect(() => addEvent(model, state, { type: 'rally', percent: 5, durationMs: 0 })).toThrow(
      /duration/,
    );
    expect(() =>
      addEvent(model, state, { type: 'volSpike', multiplier: 2, durationMs: 1, symbol: 'X' }),
    ).toThrow(/unknown symbol/);
    expect(() =>
      addEvent(model, state, {
        type: 'liquidityDrought',
        spreadMultiplier: 0.5,
        depthMultiplier: 0.5,
        durationMs: 1,
      }),
    ).toThrow(/spreadMultiplier/);
    expect(() =>
      addEvent(model, state, { type: 'rally', percent: 5, durationMs: 10, at: state.time - 1 }),
    ).toThrow(/in the past/);
    const s1 = addEvent(model, state, { type: 'rally', percent: 5, durationMs: 10, id: 'x' }).state;
    expect(() =>
      addEvent(model, s1, { type: 'rally', percent: 5, durationMs: 10, id: 'x' }),
    ).toThrow(/duplicate/);
    expect(cancelEvent(s1, 'x').events).toHaveLength(0);
    expect(s1.events).toHaveLength(1); // pure
  });
});

describe('scenario: volatility spike', () => {
  it('multiplies realised volatility for its duration only', () => {
    const params = testMarket(
      { jumps: { perDay: 0, meanLog: 0, stdLog: 0 }, tradesPerSecond: 1e-9 },
      {
        regimes: fixedRegime('normal'),
        intradayAmplitude: 0,
        bookIntervalMs: 1e12,
      },
    );
    const { model, state } = setup(params, 'spike');
    const s0 = addEvent(model, state, {
      type: 'volSpike',
      multiplier: 3,
      durationMs: 5_000_000,
      symbol: 'BTCUSDT',
    }).state;
    const rv = (from: typeof s0, steps: number, i: number): { vol: number; end: typeof s0 } => {
      let sum = 0;
      const end = run(model, from, steps, 1_000, (p, n) => {
        sum += Math.log(n.instruments[i]!.fair / p.instruments[i]!.fair) ** 2;
      });
      return { vol: Math.sqrt(sum / steps / (1_000 / YEAR_MS)), end };
    };
    const during = rv(s0, 5_000, 0);
    expect(Math.abs(during.vol / (3 * 0.6) - 1)).toBeLessThan(0.06);
    expect(Math.abs(rv(s0, 5_000, 1).vol / 0.75 - 1)).toBeLessThan(0.06); // ETH untouched
    const after = rv(during.end, 5_000, 0);
    expect(Math.abs(after.vol / 0.6 - 1)).toBeLessThan(0.06);
  });
});

describe('scenario: liquidity drought', () => {
  it('widens the spread and thins the book, then liquidity returns', () => {
    const { model, state } = setup(calmMarket, 'drought');
    const books: BookTick[] = [];
    const collect = (_p: unknown, _n: unknown, t: MarketTick[]): void => {
      for (const x of t) if (x.kind === 'book' && x.symbol === 'ETHUSDT') books.push(x);
    };
    const s1 = run(model, state, 40, 250, collect);
    const normal = books.splice(0);
    const s2 = run(
      model,
      addEvent(model, s1, {
        type: 'liquidityDrought',
        spreadMultiplier: 8,
        depthMultiplier: 0.2,
        durationMs: 10_000,
      }).state,
      40,
      250,
      collect,
    );
    const dry = books.splice(0);
    run(model, s2, 40, 250, collect);
    const recovered = books.splice(0);
    const spread = (b: BookTick): number => Number(b.asks[0]![0]) - Number(b.bids[0]![0]);
    const depth = (bs: BookTick[]): number =>
      bs.reduce((a, b) => a + b.bids.reduce((s, [, q]) => s + Number(q), 0), 0) / bs.length;
    for (const b of normal) expect(spread(b)).toBeCloseTo(0.01, 8);
    for (const b of dry) expect(spread(b)).toBeCloseTo(0.08, 8);
    for (const b of recovered) expect(spread(b)).toBeCloseTo(0.01, 8);
    expect(depth(dry) / depth(normal)).toBeLessThan(0.3);
    expect(depth(dry) / depth(normal)).toBeGreaterThan(0.1);
    expect(depth(recovered) / depth(normal)).toBeGreaterThan(0.7);
  });
});

describe('funding', () => {
  it('follows Binance: F = P + clamp(I − P, ±0.05%), capped at ±0.75%', () => {
    const f = DEFAULT_FUNDING;
    expect(computeFundingRate(0, f)).toBeCloseTo(0.0001, 12);
    expect(computeFundingRate(0.0003, f)).toBeCloseTo(0.0001, 12); // within the clamp band
    expect(computeFundingRate(0.002, f)).toBeCloseTo(0.0015, 12); // 0.002 + (−0.0005)
    expect(computeFundingRate(-0.001, f)).toBeCloseTo(-0.0005, 12); // −0.001 + 0.0005
    expect(computeFundingRate(0.05, f)).toBe(0.0075);
    expect(computeFundingRate(-0.05, f)).toBe(-0.0075);
    // Premium index from the top of book: bid above index -> positive; ask below -> negative.
    expect(premiumIndex(101, 102, 100)).toBeCloseTo(0.01, 12);
    expect(premiumIndex(98, 99, 100)).toBeCloseTo(-0.01, 12);
    expect(premiumIndex(99, 101, 100)).toBe(0);
  });

  it('a perp trading far above (below) its index pays the capped rate, settled every 8h UTC', () => {
    for (const [mean, expected] of [
      [0.03, '0.00750000'],
      [-0.03, '-0.00750000'],
    ] as const) {
      const params = testMarket(
        { basis: { mean, std: 0, halfLifeMs: 60_000 }, tradesPerSecond: 1e-9 },
        { regimes: fixedRegime('calm'), bookIntervalMs: 1e12, markIntervalMs: 60_000 },
      );
      const { model, state } = setup(params, 'funding');
      const marks: MarkTick[] = [];
      const end = run(model, state, 10 * 60, 60_000, (_p, _n, t) => {
        for (const x of t) if (x.kind === 'mark' && x.symbol === 'BTCUSDT') marks.push(x);
      });
      expect(marks.at(-1)!.fundingRate).toBe(expected);
      // Settlements at 00:00, 08:00 UTC …: nextFundingTime moves in 8h steps on the UTC grid.
      const times = [...new Set(marks.map((m) => m.nextFundingTime))];
      expect(times).toEqual([T0 + 8 * HOUR_MS, T0 + 16 * HOUR_MS]);
      expect(end.instruments[0]!.lastFundingRate).toBeCloseTo(Number(expected), 8);
    }
  });

  it('stays at the interest rate in a quiet market with a small basis', () => {
    const { model, state } = setup(calmMarket, 'quiet');
    const rates = new Set<string>();
    run(model, state, 3_000, 1_000, (_p, _n, t) => {
      for (const x of t) if (x.kind === 'mark') rates.add(x.fundingRate);
    });
    expect([...rates]).toEqual(['0.00010000']);
  });
});

describe('mark and index', () => {
  it('during a crash the index lags and the mark sits between; afterwards they converge', () => {
    const { model, state } = setup(calmMarket, 'mark');
    let s = run(model, state, 400, 250);
    s = addEvent(model, s, {
      type: 'crash',
      percent: 10,
      durationMs: 5_000,
      symbol: 'BTCUSDT',
    }).state;
    const marks: MarkTick[] = [];
    const collect = (_p: unknown, _n: unknown, t: MarketTick[]): void => {
      for (const x of t) if (x.kind === 'mark' && x.symbol === 'BTCUSDT') marks.push(x);
    };
    s = run(model, s, 12, 250, collect); // 3 s into the crash
    const during = marks.at(-1)!;
    const lastDuring = s.instruments[0]!.lastTradeTicks! / 10;
    expect(Number(during.indexPrice)).toBeGreaterThan(lastDuring * 1.005);
    expect(Number(during.markPrice)).toBeGreaterThanOrEqual(lastDuring - 0.5);
    expect(Number(during.markPrice)).toBeLessThanOrEqual(Number(during.indexPrice) + 0.1);
    s = run(model, s, 60, 250, collect); // crash over 12 s ago
    const after = marks.at(-1)!;
    const last = s.instruments[0]!.lastTradeTicks! / 10;
    expect(Math.abs(Number(after.markPrice) / last - 1)).toBeLessThan(0.003);
    expect(Math.abs(Number(after.indexPrice) / last - 1)).toBeLessThan(0.003);
  });
});
