// The standings arithmetic (competitions/standings.ts) and join codes (competitions/codes.ts),
// pure: hand-computed examples with the arithmetic in comments, and properties.
import { Decimal } from '@lab/margin-engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  generateCode,
  normalizeCode,
  withFreshCode,
} from '../src/competitions/codes.ts';
import {
  adjustedEquity,
  EMPTY_STATS,
  foldSnapshot,
  maxDrawdownWith,
  rankRows,
  returnOf,
  riskAdjustedScore,
  sharpeOf,
  statsOf,
  type Rankable,
} from '../src/competitions/standings.ts';

const d = (v: string | number) => new Decimal(v);
const series = (...v: number[]) => v.map((x) => d(x));

describe('standings arithmetic (hand-computed)', () => {
  it('return, drawdown, Sharpe and score of a short series', () => {
    // S = 10,000; snapshots 10,000, 10,400, 10,200, 10,300
    // changes d = +400, -200, +100: mean = 300 / 3 = 100
    // deviations from the mean: +300, -300, 0 -> sum of squares 180,000
    // sample variance = 180,000 / (3 - 1) = 90,000 -> sd = 300 -> Sharpe = 100 / 300 = 0.33333333
    // peak 10,400, trough after it 10,200: drawdown = 200 / 10,400 = 0.019230769230769231
    // return at 10,300 = 300 / 10,000 = 0.03; score = 0.03 - 0.019230769230769231
    const s = statsOf(series(10_000, 10_400, 10_200, 10_300));
    expect(s.count).toBe(4);
    expect(s.sumChanges.toFixed()).toBe('300');
    expect(s.sumSqChanges.toFixed()).toBe('210000'); // 160,000 + 40,000 + 10,000
    expect(sharpeOf(s)?.toFixed()).toBe('0.33333333');
    expect(s.maxDrawdown.toFixed()).toBe('0.019230769230769231');
    const ret = returnOf(d(10_300), d(10_000));
    expect(ret.toFixed()).toBe('0.03');
    expect(riskAdjustedScore(ret, s.maxDrawdown).toFixed()).toBe('0.010769230769230769');
  });

  it('a liquidation and a reset: the refill is a flow, the drawdown stays', () => {
    // S = 1,000. Equity 1,000, then 40 (liquidated), then the reset refills to 900 (penalty 10%):
    // flow F = 900 - 40 = 860, adjusted equity A = 900 - 860 = 40. Then it makes 60: E = 960,
    // A = 960 - 860 = 100.
    // A series: 1,000, 40, 40, 100 -> changes -960, 0, +60; mean = -900 / 3 = -300
    // deviations -660, +300, +360 -> squares 435,600 + 90,000 + 129,600 = 655,200
    // variance = 655,200 / 2 = 327,600 -> sd = 572.363523... -> Sharpe = -300 / 572.3635... = -0.52414...
    // drawdown = (1,000 - 40) / 1,000 = 0.96; return = (960 - 1,000) / 1,000 = -0.04
    const flows = [0, 0, 860, 860];
    const equity = [1000, 40, 900, 960];
    const s = statsOf(equity.map((e, i) => adjustedEquity(d(e), d(flows[i]!))));
    expect(s.maxDrawdown.toFixed()).toBe('0.96');
    expect(sharpeOf(s)!.toFixed(5)).toBe('-0.52414');
    expect(returnOf(d(960), d(1000)).toFixed()).toBe('-0.04');
    expect(riskAdjustedScore(d('-0.04'), s.maxDrawdown).toFixed()).toBe('-1');
  });

  it('the live equity counts as a last point of the drawdown, not of the Sharpe ratio', () => {
    // snapshots 1,000, 1,100 (peak); live 880: drawdown = 220 / 1,100 = 0.2
    const s = statsOf(series(1000, 1100));
    expect(maxDrawdownWith(s, d(880)).toFixed()).toBe('0.2');
    expect(maxDrawdownWith(s, d(1200)).toFixed()).toBe('0'); // a new peak is no drawdown
    expect(sharpeOf(s)).toBeNull(); // one change: undefined
  });

  it('Sharpe is undefined for fewer than two changes or an equity that never moved', () => {
    expect(sharpeOf(EMPTY_STATS)).toBeNull();
    expect(sharpeOf(statsOf(series(1000)))).toBeNull();
    expect(sharpeOf(statsOf(series(1000, 1010)))).toBeNull();
    expect(sharpeOf(statsOf(series(1000, 1000, 1000, 1000)))).toBeNull();
    // a steady gain: every change equal -> zero deviation -> undefined, not infinite
    expect(sharpeOf(statsOf(series(1000, 1010, 1020, 1030)))).toBeNull();
  });

  it('ranks by return (ties: smaller drawdown) or by score (ties: higher return), then join time', () => {
    const row = (ret: string, dd: string, joinedAt: number, ranked = true): Rankable => ({
      return: d(ret),
      maxDrawdown: d(dd),
      score: riskAdjustedScore(d(ret), d(dd)),
      joinedAt,
      ranked,
    });
    const rows = [
      row('0.30', '0.40', 1), // score -0.10
      row('0.05', '0.02', 2), // score 0.03
      row('0.05', '0.01', 3), // score 0.04
      row('0.00', '0.00', 4), // score 0
      row('0.90', '0.00', 5, false), // removed: not ranked
    ];
    expect(rankRows(rows, 'RETURN')).toEqual([1, 3, 2, 4, null]);
    expect(rankRows(rows, 'RISK_ADJUSTED')).toEqual([4, 2, 1, 3, null]);
  });
});

describe('standings properties', () => {
  const equities = fc.array(
    fc.integer({ min: 1, max: 10_000_000 }).map((c) => d(c).div(100)),
    { minLength: 1, maxLength: 40 },
  );

  it('folding one snapshot at a time equals folding the series, and drawdown is in [0, 1) without resets', () => {
    fc.assert(
      fc.property(equities, (xs) => {
        let s = EMPTY_STATS;
        for (const x of xs) s = foldSnapshot(s, x);
        const all = statsOf(xs);
        expect(s).toEqual(all);
        expect(all.maxDrawdown.gte(0) && all.maxDrawdown.lt(1)).toBe(true);
        // the running sum of changes telescopes to last - first
        expect(all.sumChanges.eq(xs.at(-1)!.minus(xs[0]!))).toBe(true);
      }),
    );
  });

  it('drawdown equals the brute-force maximum over every pair (peak before trough)', () => {
    fc.assert(
      fc.property(equities, (xs) => {
        let worst = d(0);
        for (let i = 0; i < xs.length; i++)
          for (let j = i + 1; j < xs.length; j++)
            if (xs[j]!.lt(xs[i]!)) {
              const dd = xs[i]!.minus(xs[j]!).div(xs[i]!).toDecimalPlaces(18);
              if (dd.gt(worst)) worst = dd;
            }
        // the peak before a trough is the highest point before it, so the maxima agree
        expect(statsOf(xs).maxDrawdown.toFixed()).toBe(worst.toFixed());
      }),
    );
  });

  it('Sharpe agrees with the two-pass definition and does not depend on the level', () => {
    fc.assert(
      fc.property(equities, fc.integer({ min: 1, max: 1_000_000 }), (xs, shift) => {
        const changes = xs.slice(1).map((x, i) => x.minus(xs[i]!));
        const sharpe = sharpeOf(statsOf(xs));
        if (changes.length < 2) {
          expect(sharpe).toBeNull();
          return;
        }
        const mean = changes.reduce((a, b) => a.plus(b), d(0)).div(changes.length);
        const ss = changes.reduce((a, c) => a.plus(c.minus(mean).pow(2)), d(0));
        if (ss.isZero()) {
          expect(sharpe).toBeNull();
          return;
        }
        const twoPass = mean.div(ss.div(changes.length - 1).sqrt());
        expect(sharpe!.minus(twoPass).abs().lte('0.00000001')).toBe(true);
        // adding the same amount to every equity changes no change, hence not the ratio
        expect(sharpeOf(statsOf(xs.map((x) => x.plus(shift))))?.toFixed()).toBe(sharpe!.toFixed());
      }),
    );
  });

  it('ranks are a permutation of 1..n over the ranked rows', () => {
    const rowArb = fc.record({
      return: fc.integer({ min: -100, max: 100 }).map((x) => d(x).div(100)),
      maxDrawdown: fc.integer({ min: 0, max: 100 }).map((x) => d(x).div(100)),
      joinedAt: fc.nat(),
      ranked: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 30 }),
        fc.constantFrom('RETURN', 'RISK_ADJUSTED' as const),
        (raw, ranking) => {
          const rows = raw.map((r) => ({
            ...r,
            score: riskAdjustedScore(r.return, r.maxDrawdown),
          }));
          const ranks = rankRows(rows, ranking);
          const given = ranks.filter((r): r is number => r !== null).sort((a, b) => a - b);
          expect(given).toEqual(rows.filter((r) => r.ranked).map((_, i) => i + 1));
          rows.forEach((r, i) => expect(ranks[i] === null).toBe(!r.ranked));
        },
      ),
    );
  });
});

describe('join codes', () => {
  it('uses no 0, O, 1, I or L, and has 6 to 8 characters', () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(CODE_ALPHABET).toHaveLength(31);
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 8 }), (n) => {
        const code = generateCode(n);
        expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${n}}$`));
        expect(normalizeCode(code)).toBe(code);
      }),
    );
    expect(() => generateCode(5)).toThrow(RangeError);
    expect(() => generateCode(9)).toThrow(RangeError);
  });

  it('reads typed codes case-insensitively, ignoring spaces and dashes', () => {
    expect(normalizeCode(' k7q-9mp ')).toBe('K7Q9MP');
    expect(normalizeCode('k7q 9mp x')).toBe('K7Q9MPX');
  });

  it('refuses what cannot be a code, naming the rule and the field', () => {
    const refusal = (raw: string) => {
      try {
        normalizeCode(raw);
      } catch (e) {
        return e as { code: string; field: string; message: string };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal('ABC')).toMatchObject({ code: 'VALIDATION', field: 'code' });
    expect(refusal('ABCDEFGHJ').message).toMatch(/6 to 8/);
    expect(refusal('K7Q0MP').message).toMatch(/never contain 0, O, 1, I or L/);
    expect(refusal('k7qlmp').message).toMatch(/never contain/); // a typed lower-case l
    expect(refusal('K7Q9M!').message).toMatch(/only letters and digits/);
  });

  it('retries on a taken code, then goes longer', async () => {
    const tried: string[] = [];
    const taken = new Error('taken');
    const code = await withFreshCode(
      (c) => {
        tried.push(c);
        return tried.length < 5 ? Promise.reject(taken) : Promise.resolve(c);
      },
      (e) => e === taken,
    );
    expect(tried.map((c) => c.length)).toEqual([6, 6, 6, 7, 7]);
    expect(code).toBe(tried[4]);
    // other errors are not retried
    await expect(
      withFreshCode(
        () => Promise.reject(new Error('db down')),
        (e) => e === taken,
      ),
    ).rejects.toThrow('db down');
  });
});
