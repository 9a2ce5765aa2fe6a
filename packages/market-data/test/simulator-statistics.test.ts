// Long runs of the pure core whose statistics must match the parameters: volatility per regime,
// correlation, jump frequency and size, drift, regime holding times, and the volatility of the
// emitted trade prices. Each check uses a tolerance of several standard errors, so a wrong
// parameter (e.g. a vol off by 10%, a correlation off by 0.05, drift ignored) fails.

import { describe, expect, it } from 'vitest';
import { REGIMES, YEAR_MS, DAY_MS, type Regime } from '../src/simulator/config.ts';
import type { parseStep } from '../src/simulator/ticks.ts';
import { fixedRegime, run, setup, testMarket } from './helpers.ts';

const STEPS = 200_000;
const DT = 1_000;
const dtY = DT / YEAR_MS;

describe('statistics over 200k steps', () => {
  // Fast regime switching so that every regime is visited hundreds of times; many jumps so that
  // their rate can be measured; one trade per step and rare book/mark ticks to keep it fast.
  const params = testMarket(
    { tradesPerSecond: 1e-9, jumps: { perDay: 600, meanLog: 0, stdLog: 0.004 } },
    {
      intradayAmplitude: 0,
      bookIntervalMs: 3_600_000,
      markIntervalMs: 60_000,
      regimes: {
        ...testMarket().regimes,
        meanDurationMs: { calm: 5 * 60_000, normal: 10 * 60_000, volatile: 3 * 60_000 },
      },
    },
  );
  const { model, state } = setup(params, 'stats');
  const n = model.instruments.length;
  const tick = model.instruments.map((c) => c.tick);
  const lot = model.instruments.map((c) => c.lot);

  // Per regime and instrument: sum of squared log returns on steps without jumps, and counts.
  const sumSq = REGIMES.map(() => new Array<number>(n).fill(0));
  const count = REGIMES.map(() => new Array<number>(n).fill(0));
  // Standardised returns (divided by the regime's sigma·√dt) for correlations.
  const sxy: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let nz = 0;
  const jumpCounts = new Array<number>(n).fill(0);
  const expectedJumps = new Array<number>(n).fill(0);
  const singleJumpSq = new Array<number>(n).fill(0);
  const singleJumpN = new Array<number>(n).fill(0);
  // Regime holding times.
  const spells: Record<Regime, number[]> = { calm: [], normal: [], volatile: [] };
  let spellStart = state.time;
  // Trade prices sampled each minute, and the variance the model implies over each minute.
  const lastPrice = new Array<number>(n).fill(0);
  const minuteStart = new Array<number>(n).fill(0);
  let minuteExpectedVar = new Array<number>(n).fill(0);
  const realizedMinuteVar = new Array<number>(n).fill(0);
  const expectedMinuteVar = new Array<number>(n).fill(0);
  let badTicks = 0;
  let minPrice = Infinity;

  const onTick = (v: string, s: ReturnType<typeof parseStep>): boolean => {
    const k = Math.round(Number(v) / s.value);
    return (
      k >= 1 &&
      Math.abs(k * s.value - Number(v)) < s.value * 1e-6 &&
      v.split('.')[1]?.length === (s.decimals || undefined)
    );
  };

  let stepNo = 0;
  run(model, state, STEPS, DT, (prev, next, ticks) => {
    stepNo++;
    const r = REGIMES.indexOf(next.regime);
    if (next.regime !== prev.regime) {
      spells[prev.regime].push(next.time - DT - spellStart);
      spellStart = next.time - DT;
    }
    const z = new Array<number>(n);
    let anyJump = false;
    for (let i = 0; i < n; i++) {
      const a = prev.instruments[i]!;
      const b = next.instruments[i]!;
      const ret = Math.log(b.fair / a.fair);
      const jumps = b.jumps - a.jumps;
      const p = model.instruments[i]!.params;
      const sigma = p.vol[next.regime];
      expectedJumps[i]! +=
        p.jumps.perDay * params.regimes.jumpIntensity[next.regime] * (DT / DAY_MS);
      minuteExpectedVar[i]! += sigma * sigma * dtY + jumps * p.jumps.stdLog ** 2;
      if (jumps > 0) {
        anyJump = true;
        jumpCounts[i]! += jumps;
        if (jumps === 1) {
          singleJumpSq[i]! += ret * ret - sigma * sigma * dtY;
          singleJumpN[i]!++;
        }
      } else {
        sumSq[r]![i]! += ret * ret;
        count[r]![i]!++;
      }
      z[i] = ret / (sigma * Math.sqrt(dtY));
    }
    if (!anyJump) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sxy[i]![j]! += z[i]! * z[j]!;
      nz++;
    }
    for (const t of ticks) {
      if (t.kind !== 'trade') continue;
      const i = model.symbols.indexOf(t.symbol);
      if (!onTick(t.price, tick[i]!) || !onTick(t.quantity, lot[i]!)) badTicks++;
      const price = Number(t.price);
      minPrice = Math.min(minPrice, price / model.instruments[i]!.params.startPrice);
      lastPrice[i] = price;
    }
    if (stepNo === 1) for (let i = 0; i < n; i++) minuteStart[i] = lastPrice[i]!;
    if (stepNo % 60 === 0) {
      for (let i = 0; i < n; i++) {
        realizedMinuteVar[i]! += Math.log(lastPrice[i]! / minuteStart[i]!) ** 2;
        expectedMinuteVar[i]! += minuteExpectedVar[i]!;
        minuteStart[i] = lastPrice[i]!;
      }
      minuteExpectedVar = new Array<number>(n).fill(0);
    }
  });

  it('every trade price and size is on its tick/lot and positive', () => {
    expect(badTicks).toBe(0);
    expect(minPrice).toBeGreaterThan(0);
  });

  it('realised annualised volatility per regime matches its parameter within 10%', () => {
    for (const [r, regime] of REGIMES.entries()) {
      for (let i = 0; i < n; i++) {
        expect(count[r]![i]).toBeGreaterThan(20_000);
        const realised = Math.sqrt(sumSq[r]![i]! / count[r]![i]! / dtY);
        const expected = model.instruments[i]!.params.vol[regime];
        expect(Math.abs(realised / expected - 1), `${model.symbols[i]} ${regime}`).toBeLessThan(
          0.1,
        );
        // Tighter than the brief's 10%: the standard error here is ~0.5%.
        expect(Math.abs(realised / expected - 1), `${model.symbols[i]} ${regime}`).toBeLessThan(
          0.03,
        );
      }
    }
  });

  it('cross-instrument correlation of log returns matches the matrix within 0.01', () => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const rho = sxy[i]![j]! / Math.sqrt(sxy[i]![i]! * sxy[j]![j]!);
        expect(
          Math.abs(rho - model.correlation[i]![j]!),
          `${model.symbols[i]}/${model.symbols[j]}`,
        ).toBeLessThan(0.01);
      }
    }
    expect(nz).toBeGreaterThan(150_000);
  });

  it('jump frequency and size match their parameters', () => {
    for (let i = 0; i < n; i++) {
      const e = expectedJumps[i]!;
      expect(e).toBeGreaterThan(1_000);
      expect(Math.abs(jumpCounts[i]! - e), model.symbols[i]).toBeLessThan(4 * Math.sqrt(e));
      const size = Math.sqrt(singleJumpSq[i]! / singleJumpN[i]!);
      expect(Math.abs(size / 0.004 - 1), model.symbols[i]).toBeLessThan(0.2);
    }
  });

  it('regimes last as long as configured on average', () => {
    for (const regime of REGIMES) {
      const xs = spells[regime];
      expect(xs.length).toBeGreaterThan(50);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const expected = params.regimes.meanDurationMs[regime];
      expect(Math.abs(mean / expected - 1), regime).toBeLessThan(0.3);
    }
  });

  it('emitted trade prices carry the model volatility (1-minute returns within 10%)', () => {
    for (let i = 0; i < n; i++) {
      const ratio = Math.sqrt(realizedMinuteVar[i]! / expectedMinuteVar[i]!);
      expect(Math.abs(ratio - 1), model.symbols[i]).toBeLessThan(0.1);
    }
  });
});

describe('drift', () => {
  it('the mean log return matches μ − σ²/2 (hourly steps over ~11 years)', () => {
    const drifts = [1, -1, 2, 0.5, 0, -0.5];
    const base = testMarket(
      {
        tradesPerSecond: 1e-9,
        vol: { calm: 0.2, normal: 0.2, volatile: 0.2 },
        jumps: { perDay: 0, meanLog: 0, stdLog: 0 },
      },
      { intradayAmplitude: 0, bookIntervalMs: 1e12, markIntervalMs: 1e12, regimes: fixedRegime() },
    );
    base.instruments = base.instruments.map((inst, k) => ({ ...inst, drift: drifts[k]! }));
    const { model, state } = setup(base, 'drift');
    const steps = 100_000;
    const hour = 3_600_000;
    const end = run(model, state, steps, hour);
    const T = (steps * hour) / YEAR_MS;
    for (const [i, inst] of model.instruments.entries()) {
      const p = inst.params;
      const logRet = Math.log(end.instruments[i]!.fair / p.startPrice);
      const muHat = logRet / T + 0.2 ** 2 / 2;
      const se = 0.2 / Math.sqrt(T);
      expect(Math.abs(muHat - p.drift), p.symbol).toBeLessThan(4 * se);
    }
    expect((4 * 0.2) / Math.sqrt(T)).toBeLessThan(0.25); // so a drift of 0.5 cannot pass as 0
  });
});

describe('intraday seasonality', () => {
  it('keeps the daily average variance and is busier at 15:00 than 03:00 UTC', () => {
    const params = testMarket(
      { tradesPerSecond: 2, jumps: { perDay: 0, meanLog: 0, stdLog: 0 } },
      { bookIntervalMs: 1e12, markIntervalMs: 1e12, regimes: fixedRegime() },
    );
    const { model, state } = setup(params, 'season');
    const byHour = new Array<number>(24).fill(0);
    const tradesByHour = new Array<number>(24).fill(0);
    let total = 0;
    const steps = 4 * 24 * 60; // four days of 1-minute steps
    run(model, state, steps, 60_000, (prev, next, ticks) => {
      const r = Math.log(next.instruments[0]!.fair / prev.instruments[0]!.fair);
      const h = new Date(prev.time).getUTCHours();
      byHour[h]! += r * r;
      total += r * r;
      tradesByHour[h]! += ticks.filter((t) => t.kind === 'trade' && t.symbol === 'BTCUSDT').length;
    });
    const vol = Math.sqrt(total / steps / (60_000 / YEAR_MS));
    expect(Math.abs(vol / 0.6 - 1)).toBeLessThan(0.05);
    expect(byHour[15]!).toBeGreaterThan(byHour[3]!);
    expect(tradesByHour[15]! / tradesByHour[3]!).toBeGreaterThan(1.6);
  });
});
