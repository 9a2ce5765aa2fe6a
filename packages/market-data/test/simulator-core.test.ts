import { describe, expect, it } from 'vitest';
import { Rng, seedRng } from '../src/simulator/prng.ts';
import { formatSteps, parseStep, roundToStep, toSteps } from '../src/simulator/ticks.ts';
import { cholesky, compileModel, initialState, step } from '../src/simulator/model.ts';
import { DEFAULT_MARKET, marketParams } from '../src/simulator/config.ts';
import { SimulatorSource } from '../src/simulator/source.ts';
import type { MarketTick } from '../src/types.ts';
import { T0, run, setup, std, testMarket } from './helpers.ts';

describe('prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(seedRng('x'));
    const b = new Rng(seedRng('x'));
    const c = new Rng(seedRng('y'));
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('produces uniform and standard normal variates', () => {
    const r = new Rng(seedRng(42));
    const u = Array.from({ length: 100_000 }, () => r.uniform());
    expect(u.reduce((a, b) => a + b, 0) / u.length).toBeCloseTo(0.5, 2);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = Array.from({ length: 100_000 }, () => r.normal());
    expect(z.reduce((a, b) => a + b, 0) / z.length).toBeCloseTo(0, 1);
    expect(std(z)).toBeCloseTo(1, 1);
    const kurt = z.reduce((a, b) => a + b ** 4, 0) / z.length;
    expect(kurt).toBeGreaterThan(2.85);
    expect(kurt).toBeLessThan(3.15);
    const p = Array.from({ length: 50_000 }, () => r.poisson(3.5));
    expect(p.reduce((a, b) => a + b, 0) / p.length).toBeCloseTo(3.5, 1);
  });

  it('resumes exactly from a copied state (including the cached normal)', () => {
    const r = new Rng(seedRng(7));
    r.normal(); // leaves a spare normal cached
    const copy = new Rng(r.state());
    expect([copy.normal(), copy.normal(), copy.uniform()]).toEqual([
      r.normal(),
      r.normal(),
      r.uniform(),
    ]);
  });
});

describe('tick formatting', () => {
  it('formats whole numbers of steps exactly', () => {
    const btc = parseStep('0.1');
    expect(formatSteps(970_001, btc)).toBe('97000.1');
    expect(roundToStep(97000.04999, btc)).toBe('97000.0');
    const doge = parseStep('0.00001');
    expect(roundToStep(0.321234, doge)).toBe('0.32123');
    expect(formatSteps(5, doge)).toBe('0.00005');
    expect(formatSteps(12, parseStep('1'))).toBe('12');
    expect(formatSteps(3, parseStep('0.05'))).toBe('0.15');
    expect(toSteps(0.0000001, doge, 1)).toBe(1);
    expect(() => parseStep('0')).toThrow();
    expect(() => parseStep('1e-3')).toThrow();
  });
});

describe('model configuration', () => {
  it('factorises the default correlation matrix (positive definite)', () => {
    const model = compileModel(DEFAULT_MARKET);
    const L = model.cholesky;
    for (let i = 0; i < L.length; i++)
      for (let j = 0; j < L.length; j++) {
        let s = 0;
        for (let k = 0; k < L.length; k++) s += (L[i]![k] ?? 0) * (L[j]![k] ?? 0);
        expect(s).toBeCloseTo(model.correlation[i]![j]!, 12);
      }
  });

  it('rejects a correlation matrix that is not positive definite', () => {
    expect(() =>
      cholesky([
        [1, 0.99, -0.99],
        [0.99, 1, 0.99],
        [-0.99, 0.99, 1],
      ]),
    ).toThrow(/positive definite/);
  });

  it('selects instruments by symbol and rejects unknown ones', () => {
    expect(
      marketParams({ symbols: ['ETHUSDT', 'BTCUSDT'] }).instruments.map((i) => i.symbol),
    ).toEqual(['ETHUSDT', 'BTCUSDT']);
    expect(() => marketParams({ symbols: ['FOOUSDT'] })).toThrow(/unknown/);
  });
});

function ticksOf(seed: string | number, steps: number): MarketTick[] {
  const { model, state } = setup(DEFAULT_MARKET, seed);
  const out: MarketTick[] = [];
  run(model, state, steps, 250, (_p, _n, t) => out.push(...t));
  return out;
}

describe('determinism', () => {
  it('same seed and start time give identical ticks; another seed differs', () => {
    const a = ticksOf('class-1', 2_000);
    const b = ticksOf('class-1', 2_000);
    const c = ticksOf('class-2', 2_000);
    expect(b).toEqual(a);
    const prices = (ts: MarketTick[]): string[] =>
      ts.filter((t) => t.kind === 'trade').map((t) => (t.kind === 'trade' ? t.price : ''));
    expect(prices(c)).not.toEqual(prices(a));
    expect(prices(c).at(-1)).not.toBe(prices(a).at(-1));
  });

  it('stepping is pure: the input state is never modified', () => {
    const { model, state } = setup(DEFAULT_MARKET, 3);
    const frozen = JSON.stringify(state);
    const r1 = step(model, state, 250);
    const r2 = step(model, state, 250);
    expect(JSON.stringify(state)).toBe(frozen);
    expect(r2).toEqual(r1);
  });

  it('a state survives a JSON round trip and resumes identically', () => {
    const { model, state } = setup(DEFAULT_MARKET, 4);
    const mid = run(model, state, 500, 250);
    const revived = JSON.parse(JSON.stringify(mid)) as typeof mid;
    expect(step(model, revived, 250)).toEqual(step(model, mid, 250));
  });

  it('SimulatorSource.advance equals the pure core', () => {
    const src = new SimulatorSource({ seed: 'class-1', startTime: T0, ticksPerSecond: 4 });
    const got: MarketTick[] = [];
    src.onTick((t) => got.push(t));
    src.advance(100_000);
    src.advance(400_000); // in two calls: same fixed steps
    expect(got).toEqual(ticksOf('class-1', 2_000));
    expect(src.time).toBe(T0 + 500_000);
  });

  it('on timers, the ticks do not depend on timer jitter', async () => {
    let wall = 1_000_000;
    const src = new SimulatorSource({
      seed: 'timers',
      startTime: T0,
      ticksPerSecond: 10,
      speed: 5,
      now: () => wall,
    });
    const got: MarketTick[] = [];
    src.onTick((t) => got.push(t));
    await src.start();
    expect(src.running).toBe(true);
    // Simulate an irregular wall clock: the timer callback is driven by hand through advance of
    // wall time and by waiting for the real interval (20 ms) a few times.
    for (const dt of [37, 3, 120, 59, 400]) {
      wall += dt;
      await new Promise((r) => setTimeout(r, 25));
    }
    await src.stop();
    const simulated = src.time - T0;
    expect(simulated).toBe(Math.floor((619 * 5) / 100) * 100);
    const manual = new SimulatorSource({ seed: 'timers', startTime: T0, ticksPerSecond: 10 });
    const ref: MarketTick[] = [];
    manual.onTick((t) => ref.push(t));
    manual.advance(simulated);
    const body = got.filter((t) => t.kind !== 'status');
    expect(body).toEqual(ref);
    expect(got[0]).toMatchObject({ kind: 'status', status: 'live' });
    expect(got.at(-1)).toMatchObject({ kind: 'status', status: 'halted' });
  });

  it('on the wall clock, a market that starts behind catches up and its ticks carry the wall time', async () => {
    let wall = T0 + 21_500; // the backfill left the market 21.5 s behind
    const src = new SimulatorSource({
      seed: 'wall',
      startTime: T0,
      ticksPerSecond: 4,
      followWallClock: true,
      now: () => wall,
    });
    const trades: MarketTick[] = [];
    src.onTick((t) => void (t.kind === 'trade' && trades.push(t)));
    await src.start();
    await new Promise((r) => setTimeout(r, 300)); // one timer period (250 ms)
    expect(src.time).toBe(T0 + 21_500);
    wall += 1_000;
    await new Promise((r) => setTimeout(r, 300));
    await src.stop();
    expect(src.time).toBe(T0 + 22_500);
    expect(trades.at(-1)!.time).toBeGreaterThan(wall - 250);
    // Without it the offset stays: simulated time moves with the wall from where it was.
    let wall2 = T0 + 21_500;
    const offset = new SimulatorSource({ seed: 'wall', startTime: T0, now: () => wall2 });
    await offset.start();
    wall2 += 1_000;
    await new Promise((r) => setTimeout(r, 300));
    await offset.stop();
    expect(offset.time).toBe(T0 + 1_000);
    expect(() => new SimulatorSource({ followWallClock: true, speed: 2 })).toThrow(/speed 1/);
  });

  it('on the wall clock, each step is emitted when it ends, not up to a timer period later', async () => {
    const src = new SimulatorSource({
      seed: 'aligned',
      // steps end half a step out of phase with the moment start() is called
      startTime: Date.now() - 1125,
      ticksPerSecond: 4,
      followWallClock: true,
    });
    const lags: number[] = [];
    src.onTick((t) => {
      // the step's last trade carries the step's end
      if (t.kind === 'mark') lags.push(Date.now() - t.time);
    });
    await src.start();
    await new Promise((r) => setTimeout(r, 2_100));
    await src.stop();
    const live = lags.slice(6); // after the first second's catch-up
    expect(live.length).toBeGreaterThanOrEqual(6);
    live.sort((a, b) => a - b);
    // a fixed 250 ms timer would make these 0..250 ms (125 on average)
    expect(live[Math.floor(live.length / 2)]!).toBeLessThan(60);
  });

  it('resumes from a snapshot exactly where it stopped (worker restart)', () => {
    const straight = new SimulatorSource({ seed: 'resume', startTime: T0 });
    const ref: MarketTick[] = [];
    straight.onTick((t) => ref.push(t));
    straight.advance(20_000);

    const first = new SimulatorSource({ seed: 'resume', startTime: T0 });
    const got: MarketTick[] = [];
    first.onTick((t) => got.push(t));
    first.advance(8_000);
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<typeof first.snapshot>;
    const second = new SimulatorSource({ resumeFrom: saved });
    second.onTick((t) => got.push(t));
    second.advance(12_000);
    expect(got).toEqual(ref);
    expect(
      () => new SimulatorSource({ resumeFrom: saved, market: { symbols: ['BTCUSDT'] } }),
    ).toThrow(/cannot resume/);
  });

  it('keeps emitting to other listeners when one throws', () => {
    const errors: unknown[] = [];
    const src = new SimulatorSource({
      seed: 1,
      startTime: T0,
      onListenerError: (e) => errors.push(e),
    });
    let n = 0;
    src.onTick(() => {
      throw new Error('boom');
    });
    const off = src.onTick(() => n++);
    src.advance(250);
    expect(n).toBeGreaterThan(0);
    expect(errors.length).toBe(n);
    off();
    src.advance(250);
    expect(errors.length).toBeGreaterThan(n);
  });
});

describe('output', () => {
  it('emits trades every step, book and mark ticks, with prices on tick and sizes on lot', () => {
    const { model, state } = setup(testMarket(), 9);
    const ticks: MarketTick[] = [];
    run(model, state, 400, 250, (_p, _n, t) => ticks.push(...t));
    const params = new Map(model.instruments.map((c) => [c.params.symbol, c]));
    const onStep = (v: string, s: ReturnType<typeof parseStep>): boolean =>
      formatSteps(Math.round(Number(v) / s.value), s) === v && Number(v) > 0;
    let books = 0;
    let marks = 0;
    for (const t of ticks) {
      const c = params.get(t.symbol)!;
      if (t.kind === 'trade') {
        expect(onStep(t.price, c.tick)).toBe(true);
        expect(onStep(t.quantity, c.lot)).toBe(true);
      } else if (t.kind === 'book') {
        books++;
        expect(t.bids).toHaveLength(10);
        expect(t.asks).toHaveLength(10);
        expect(Number(t.asks[0]![0])).toBeGreaterThan(Number(t.bids[0]![0]));
        for (let l = 1; l < 10; l++) {
          expect(Number(t.bids[l]![0])).toBeLessThan(Number(t.bids[l - 1]![0]));
          expect(Number(t.asks[l]![0])).toBeGreaterThan(Number(t.asks[l - 1]![0]));
        }
        for (const [p, q] of [...t.bids, ...t.asks]) {
          expect(onStep(p, c.tick)).toBe(true);
          expect(onStep(q, c.lot)).toBe(true);
        }
      } else if (t.kind === 'mark') {
        marks++;
        expect(onStep(t.markPrice, c.tick)).toBe(true);
        expect(onStep(t.indexPrice, c.tick)).toBe(true);
        expect(t.fundingRate).toMatch(/^-?\d\.\d{8}$/);
        expect(t.nextFundingTime % (8 * 3600_000)).toBe(0);
        expect(t.nextFundingTime).toBeGreaterThan(t.time);
        // Mark and index stay close to the market (within 0.5%).
        expect(Math.abs(Number(t.markPrice) / Number(t.indexPrice) - 1)).toBeLessThan(0.005);
      }
    }
    expect(books).toBe(400 * 6);
    // One at the first step (so consumers get a mark at once), then one per second.
    expect(marks).toBe(101 * 6);
  });

  it('starts at the configured prices', () => {
    const { model, state } = setup(DEFAULT_MARKET, 1);
    const first = step(model, state, 250).ticks.filter((t) => t.kind === 'trade');
    for (const inst of model.instruments) {
      const t = first.find((x) => x.symbol === inst.params.symbol);
      expect(t).toBeDefined();
      if (t?.kind === 'trade') {
        expect(Math.abs(Number(t.price) / inst.params.startPrice - 1)).toBeLessThan(0.002);
      }
    }
    expect(initialState(model, 1, T0).time).toBe(T0);
  });
});
