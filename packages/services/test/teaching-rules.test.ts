// The risk rules (src/teaching/rules): worked examples for each kind, and properties: a rule
// never reports a violation for a history that satisfies it, and always reports one for a
// history built to break it. Histories are traded with the margin engine itself (test helpers).
import fc from 'fast-check';
import { CATALOGUE, Decimal, roundToTick } from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { isolatedOnceRule } from '../src/teaching/rules/isolated-once.ts';
import { marginShareRule } from '../src/teaching/rules/margin-share.ts';
import { maxLeverageRule } from '../src/teaching/rules/max-leverage.ts';
import { minTradesRule } from '../src/teaching/rules/min-trades.ts';
import { noLiquidationRule } from '../src/teaching/rules/no-liquidation.ts';
import { parseParams, RULE_KINDS, ruleKind } from '../src/teaching/rules/registry.ts';
import { stopLossRule } from '../src/teaching/rules/stop-loss.ts';
import { params, SEC, T0, Trader } from './teaching-helpers.ts';

const RUNS = Number(process.env.FC_RUNS ?? 60);
const BTC = CATALOGUE.BTCUSDT!;
const tickUp = (p: Decimal) => roundToTick(BTC, p, 'up');
const tickDown = (p: Decimal) => roundToTick(BTC, p, 'down');

describe('the rule set', () => {
  it('has one module per kind, each with its numbers, defaults within bounds', () => {
    expect(RULE_KINDS.map((k) => k.kind)).toEqual([
      'STOP_LOSS',
      'MAX_LEVERAGE',
      'MARGIN_SHARE',
      'MIN_TRADES',
      'ISOLATED_ONCE',
      'NO_LIQUIDATION',
    ]);
    for (const k of RULE_KINDS) {
      const p = parseParams(k, {});
      for (const spec of k.params) expect(p[spec.name]!.toFixed()).toBe(spec.default);
      expect(k.describe(p)).toMatch(/\.$/);
    }
  });

  it('refuses numbers out of bounds, unknown numbers and unknown kinds, naming the field', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as { field?: string; message: string; code: string };
      }
      throw new Error('expected a refusal');
    };
    const e1 = bad(() => parseParams(stopLossRule, { maxPercent: '80' }));
    expect(e1).toMatchObject({ code: 'VALIDATION', field: 'params.maxPercent' });
    expect(e1.message).toBe('A stop-loss on every leveraged position: stop within is 0.1 to 50%.');
    expect(bad(() => parseParams(maxLeverageRule, { max: '2.5' }))).toMatchObject({
      field: 'params.max',
      message: 'A leverage limit: at most is a whole number.',
    });
    expect(bad(() => parseParams(maxLeverageRule, { mx: '2' }))).toMatchObject({
      field: 'params.mx',
    });
    expect(bad(() => parseParams(minTradesRule, { count: 'ten' }))).toMatchObject({
      field: 'params.count',
    });
    expect(bad(() => ruleKind('NO_SUCH_RULE'))).toMatchObject({ field: 'kind' });
  });
});

describe('STOP_LOSS: a stop within X% on every leveraged position', () => {
  const p = params({ maxPercent: 5, graceSeconds: 60 });

  it('a long with an attached stop 5% below its entry complies', () => {
    // 0.1 BTC at 50,000 (10x); the attached stop at 47,500 is exactly 5% below: within
    const t = new Trader().set('BTCUSDT', 'cross', 10);
    t.buy('BTCUSDT', '0.1', { stopLoss: { stopPrice: '47500' } });
    t.wait(600);
    const e = stopLossRule.evaluate(t.history(), p);
    expect(e).toMatchObject({ status: 'ok', violations: [] });
  });

  it('a stop 5.2% away is too far: one violation when the minute is up, naming the order', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 10);
    const id = t.buy('BTCUSDT', '0.1', { stopLoss: { stopPrice: '47400' } })!;
    const opened = t.time;
    t.wait(30);
    const early = stopLossRule.evaluate(t.history(), p);
    expect(early.status).toBe('pending');
    expect(early.progress).toBe(
      'BTCUSDT has no stop-loss within 5% yet: place one by 09:01:00 UTC',
    );
    expect(early.recheckAt).toBe(opened + 60 * SEC + 1);
    t.wait(31);
    const e = stopLossRule.evaluate(t.history(), p);
    expect(e.status).toBe('violated');
    expect(e.violations).toEqual([
      expect.objectContaining({
        at: opened + 60 * SEC,
        symbol: 'BTCUSDT',
        orderId: id,
        message:
          'The BTCUSDT long of 0.1 at 10× (entry 50000) had no stop-loss within 5% of its entry for more than 60 s (from 09:00:00 UTC).',
      }),
    ]);
  });

  it('a stop placed within the grace period, and a 1x position without one, comply', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 10).set('ETHUSDT', 'cross', 1);
    t.buy('BTCUSDT', '0.1');
    t.buy('ETHUSDT', '1');
    t.wait(45);
    t.order({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stopMarket',
      stopPrice: '48000',
      quantity: '0.1',
      reduceOnly: true,
    });
    t.wait(3600);
    expect(stopLossRule.evaluate(t.history(), p)).toMatchObject({ status: 'ok', violations: [] });
  });

  it('a stop covering half the position does not protect it; a short’s stop is above', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 10).set('ETHUSDT', 'cross', 10);
    t.buy('BTCUSDT', '0.2');
    t.order({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stopMarket',
      stopPrice: '48000',
      quantity: '0.1',
      reduceOnly: true,
    });
    // a short of 1 ETH at 3,000 with its stop 5% above (3,150)
    t.sell('ETHUSDT', '1', { stopLoss: { stopPrice: '3150' } });
    t.wait(120);
    const e = stopLossRule.evaluate(t.history(), p);
    expect(e.violations.map((v) => v.symbol)).toEqual(['BTCUSDT']);
  });

  it('canceling the stop starts a new unprotected stretch', () => {
    const t = new Trader().set('BTCUSDT', 'isolated', 5);
    t.buy('BTCUSDT', '0.1', { stopLoss: { stopPrice: '49000' } });
    const sl = Object.values(t.account.orders).find((o) => o.closePosition)!.id;
    t.wait(10).cancel(sl).wait(61);
    const e = stopLossRule.evaluate(t.history(), p);
    expect(e.violations).toHaveLength(1);
    expect(e.violations[0]!.at).toBe(T0 + 10 * SEC + 60 * SEC);
  });

  describe('properties', () => {
    const trade = fc.record({
      leverage: fc.integer({ min: 2, max: 50 }),
      long: fc.boolean(),
      lots: fc.integer({ min: 2, max: 100 }),
      // the stop's distance from the entry, in hundredths of the allowed percent
      distance: fc.integer({ min: 5, max: 100 }),
      hold: fc.integer({ min: 1, max: 900 }),
      // a price move while held, in hundredths of the stop's distance (never reaching it)
      move: fc.integer({ min: -90, max: 90 }),
    });
    const history = fc.record({
      maxPercent: fc.integer({ min: 1, max: 20 }),
      grace: fc.integer({ min: 0, max: 120 }),
      trades: fc.array(trade, { minLength: 1, maxLength: 6 }),
    });
    // six trades of up to ~17 min each outlast the helpers' default one-hour window, and a rule
    // counts nothing after the window's end: these histories are read in a day's window
    const DAY = { endsAt: T0 + 24 * 3_600_000 };
    const stopFor = (long: boolean, entry: Decimal, pct: Decimal) =>
      long
        ? tickUp(entry.times(new Decimal(1).minus(pct.div(100))))
        : tickDown(entry.times(new Decimal(1).plus(pct.div(100))));

    it('entries with an attached stop within X%, closed later, never violate', () => {
      fc.assert(
        fc.property(history, ({ maxPercent, grace, trades }) => {
          const t = new Trader('100000').set('BTCUSDT', 'cross', 10);
          for (const tr of trades) {
            t.leverage('BTCUSDT', tr.leverage);
            const entry = t.market.marks.BTCUSDT!;
            const pct = new Decimal(maxPercent).times(tr.distance).div(100);
            const stop = stopFor(tr.long, entry, pct);
            const qty = new Decimal(tr.lots).times('0.001').toFixed();
            t.order({
              symbol: 'BTCUSDT',
              side: tr.long ? 'buy' : 'sell',
              type: 'market',
              quantity: qty,
              stopLoss: { stopPrice: stop.toFixed() },
            });
            // toward the stop (never reaching it) or away from it
            const moved = entry.plus(stop.minus(entry).times(tr.move).div(100));
            t.wait(tr.hold).tick('BTCUSDT', roundToTick(BTC, moved).toFixed()).wait(1);
            if (t.account.positions.BTCUSDT)
              t.order({
                symbol: 'BTCUSDT',
                side: tr.long ? 'sell' : 'buy',
                type: 'market',
                quantity: qty,
                reduceOnly: true,
              });
            t.tick('BTCUSDT', entry.toFixed()).wait(5);
          }
          t.wait(3600);
          const e = stopLossRule.evaluate(
            t.history(DAY),
            params({ maxPercent, graceSeconds: grace }),
          );
          expect(t.refused).toEqual([]);
          expect(e.violations).toEqual([]);
          expect(e.status).toBe('ok');
        }),
        { numRuns: RUNS },
      );
    });

    it('a leveraged entry left without a stop within X% longer than the grace always violates', () => {
      fc.assert(
        fc.property(
          history,
          fc.nat(),
          fc.boolean(),
          ({ maxPercent, grace, trades }, pick, withFarStop) => {
            const t = new Trader('100000').set('BTCUSDT', 'cross', 10);
            const broken = pick % trades.length;
            let expectedAt = 0;
            trades.forEach((tr, i) => {
              t.leverage('BTCUSDT', tr.leverage);
              const entry = t.market.marks.BTCUSDT!;
              const qty = new Decimal(tr.lots).times('0.001').toFixed();
              const pct =
                i === broken
                  ? new Decimal(maxPercent).plus(1) // beyond the allowed distance
                  : new Decimal(maxPercent).times(tr.distance).div(100);
              const attach = i !== broken || withFarStop;
              t.order({
                symbol: 'BTCUSDT',
                side: tr.long ? 'buy' : 'sell',
                type: 'market',
                quantity: qty,
                ...(attach
                  ? { stopLoss: { stopPrice: stopFor(tr.long, entry, pct).toFixed() } }
                  : {}),
              });
              if (i === broken) expectedAt = t.time + grace * SEC;
              t.wait(i === broken ? grace + 1 + tr.hold : tr.hold);
              t.order({
                symbol: 'BTCUSDT',
                side: tr.long ? 'sell' : 'buy',
                type: 'market',
                quantity: qty,
                reduceOnly: true,
              });
              // the attached stop of a closed position stays (close-position): cancel what is left
              for (const o of Object.values(t.account.orders)) t.cancel(o.id);
              t.wait(5);
            });
            const e = stopLossRule.evaluate(
              t.history(DAY),
              params({ maxPercent, graceSeconds: grace }),
            );
            expect(t.refused).toEqual([]);
            expect(e.status).toBe('violated');
            expect(e.violations.map((v) => v.at)).toEqual([expectedAt]);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});

describe('MAX_LEVERAGE: never above N×', () => {
  const p = params({ max: 10 });

  it('an entry at 20× is a violation naming its order; 10× and a flat change are not', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 10);
    t.buy('BTCUSDT', '0.1');
    t.leverage('ETHUSDT', 25); // no ETH position: a setting alone breaks nothing
    t.wait(5).set('ETHUSDT', 'cross', 20);
    const id = t.buy('ETHUSDT', '1');
    const e = maxLeverageRule.evaluate(t.history(), p);
    expect(e.status).toBe('violated');
    expect(e.progress).toBe('highest leverage used: 20×');
    expect(e.violations).toEqual([
      expect.objectContaining({
        symbol: 'ETHUSDT',
        orderId: id,
        message: `Order ${id} added to the ETHUSDT position at 20× leverage; the limit is 10×.`,
      }),
    ]);
  });

  it('raising the leverage of an open position above the limit is a violation', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 5);
    t.buy('BTCUSDT', '0.1');
    t.wait(10).leverage('BTCUSDT', 15);
    const e = maxLeverageRule.evaluate(t.history(), p);
    expect(e.violations.map((v) => v.message)).toEqual([
      'The open BTCUSDT position was set to 15× leverage; the limit is 10×.',
    ]);
  });

  it('properties: entries at or below N never violate; one above N always does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(
          fc.record({
            lev: fc.integer({ min: 1, max: 100 }),
            lots: fc.integer({ min: 2, max: 50 }),
            long: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.option(fc.nat(), { nil: undefined }),
        (max, entries, breakAt) => {
          const t = new Trader('100000');
          const broken = breakAt === undefined ? -1 : breakAt % entries.length;
          entries.forEach((en, i) => {
            const lev = i === broken ? max + 1 + (en.lev % 20) : Math.min(en.lev, max);
            t.set('BTCUSDT', 'cross', Math.min(lev, 125));
            const qty = new Decimal(en.lots).times('0.001').toFixed();
            t.order({
              symbol: 'BTCUSDT',
              side: en.long ? 'buy' : 'sell',
              type: 'market',
              quantity: qty,
            });
            t.wait(5);
            t.order({
              symbol: 'BTCUSDT',
              side: en.long ? 'sell' : 'buy',
              type: 'market',
              quantity: qty,
              reduceOnly: true,
            });
            t.wait(5);
          });
          const e = maxLeverageRule.evaluate(t.history(), params({ max }));
          expect(t.refused).toEqual([]);
          expect(e.violations.length).toBe(broken >= 0 ? 1 : 0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('MARGIN_SHARE: at most P% of equity as margin in one market', () => {
  const p = params({ maxPercent: 25 });

  it('20% is within, 30% is not (worked example)', () => {
    // 10,000 USDT at 10x. Buying 0.4 BTC at 50,000: notional 20,000, initial margin 2,000, fee
    // 20,000 x 0.05% = 10, equity 9,990: 2,000 / 9,990 = 20.02%. Another 0.2 BTC: notional
    // 30,000, margin 3,000, fee 5 more, equity 9,985: 30.05% > 25%.
    const t = new Trader().set('BTCUSDT', 'cross', 10);
    t.buy('BTCUSDT', '0.4');
    const second = t.wait(5).buy('BTCUSDT', '0.2');
    const e = marginShareRule.evaluate(t.history(), p);
    expect(e.violations).toHaveLength(1);
    expect(e.violations[0]).toMatchObject({
      orderId: second,
      symbol: 'BTCUSDT',
      figures: { margin: '3000', equity: '9985', percent: '30.0451', maxPercent: '25' },
      message: `After order ${second}, BTCUSDT held 3000 USDT of margin, 30% of the 9985 USDT equity; the limit is 25%.`,
    });
    expect(e.progress).toBe('largest: 30% of equity in BTCUSDT');
  });

  it('isolated: the isolated wallet is the margin, adding margin counts', () => {
    const t = new Trader().set('BTCUSDT', 'isolated', 10);
    t.buy('BTCUSDT', '0.4'); // isolated wallet 2,000: 20%
    expect(marginShareRule.evaluate(t.history(), p).violations).toEqual([]);
  });

  it('properties: a position sized below P% never violates; one sized above always does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 10, max: 80 }), { minLength: 1, maxLength: 5 }),
        fc.option(fc.nat(), { nil: undefined }),
        (maxPercent, lev, shares, breakAt) => {
          const t = new Trader('100000');
          t.set('BTCUSDT', 'cross', lev);
          const broken = breakAt === undefined ? -1 : breakAt % shares.length;
          let placedBroken = false;
          shares.forEach((s, i) => {
            // margin = share% of the wallet: below the limit (10..80% of it), or 1.2..2x above
            const pct = i === broken ? (maxPercent * (120 + s)) / 100 : (maxPercent * s) / 100;
            if (pct > 90) return;
            const margin = new Decimal(t.account.walletBalance).times(pct).div(100);
            const qty = roundToTick(
              { ...BTC, tickSize: BTC.lotSize },
              margin.times(lev).div(50000),
              'down',
            );
            if (qty.times(50000).lt(BTC.minNotional)) return;
            // a size beyond the leverage's bracket is refused by the engine: nothing to check
            if (!t.buy('BTCUSDT', qty.toFixed())) return;
            if (i === broken) placedBroken = true;
            t.wait(5).sell('BTCUSDT', qty.toFixed(), { reduceOnly: true });
            t.wait(5);
          });
          const e = marginShareRule.evaluate(t.history(), params({ maxPercent }));
          expect(e.violations.length).toBe(placedBroken ? 1 : 0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('MIN_TRADES: at least K trades', () => {
  it('pending while it runs, a violation at the end when short of K, ok with K', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 5);
    t.buy('BTCUSDT', '0.01');
    t.wait(5).sell('BTCUSDT', '0.01');
    const p = params({ count: 3 });
    expect(minTradesRule.evaluate(t.history(), p)).toMatchObject({
      status: 'pending',
      progress: '2 of 3 trades so far',
    });
    const end = T0 + 600 * SEC;
    const final = minTradesRule.evaluate(t.history({ now: end, endsAt: end }), p);
    expect(final.status).toBe('violated');
    expect(final.violations).toEqual([
      expect.objectContaining({
        key: 'final',
        at: end,
        message: '2 trades by the end; the assignment asked for at least 3.',
      }),
    ]);
    t.wait(5).buy('BTCUSDT', '0.01');
    expect(minTradesRule.evaluate(t.history({ now: end, endsAt: end }), p).status).toBe('ok');
  });

  it('properties: K or more fills before the end never violate; fewer always do at the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 12 }), (k, n) => {
        const t = new Trader().set('BTCUSDT', 'cross', 5);
        for (let i = 0; i < n; i++) t.wait(3).buy('BTCUSDT', '0.01');
        const end = t.time + 60 * SEC;
        t.time = end + SEC;
        t.sell('BTCUSDT', '0.05', { reduceOnly: true }); // after the end: not a trade
        const e = minTradesRule.evaluate(
          t.history({ now: end, endsAt: end }),
          params({ count: k }),
        );
        expect(e.violations.length).toBe(n >= k ? 0 : 1);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('ISOLATED_ONCE: isolated margin at least once', () => {
  it('cross only is pending, then a violation at the end; one isolated fill complies', () => {
    const t = new Trader().set('BTCUSDT', 'cross', 5);
    t.buy('BTCUSDT', '0.01');
    const end = T0 + 600 * SEC;
    expect(isolatedOnceRule.evaluate(t.history(), {}).status).toBe('pending');
    expect(
      isolatedOnceRule.evaluate(t.history({ now: end, endsAt: end }), {}).violations,
    ).toHaveLength(1);
    t.wait(5).set('ETHUSDT', 'isolated', 5).buy('ETHUSDT', '0.1');
    expect(isolatedOnceRule.evaluate(t.history({ now: end, endsAt: end }), {})).toMatchObject({
      status: 'ok',
      progress: 'isolated margin used at 09:00:05 UTC',
    });
  });

  it('properties: a history with an isolated fill never violates; one without always does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ iso: fc.boolean(), eth: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        (trades) => {
          const t = new Trader('100000');
          for (const tr of trades) {
            const s = tr.eth ? 'ETHUSDT' : 'BTCUSDT';
            if (t.account.positions[s])
              t.sell(s, t.account.positions[s].quantity.toFixed(), { reduceOnly: true });
            t.set(s, tr.iso ? 'isolated' : 'cross', 5).wait(2);
            t.buy(s, tr.eth ? '0.1' : '0.01');
            t.wait(2);
          }
          const end = t.time + SEC;
          const e = isolatedOnceRule.evaluate(t.history({ now: end, endsAt: end }), {});
          expect(e.violations.length).toBe(trades.some((x) => x.iso) ? 0 : 1);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('NO_LIQUIDATION', () => {
  it('an isolated 20× long liquidated at 47,600 is a violation with its order', () => {
    // 1 BTC at 50,000, 20x isolated: margin 2,500; at 47,600 the margin balance is 100 against a
    // maintenance margin of 47,600 x 0.4% = 190.4: liquidated
    const t = new Trader().set('BTCUSDT', 'isolated', 20);
    const id = t.buy('BTCUSDT', '1');
    t.wait(30).tick('BTCUSDT', '47600');
    const e = noLiquidationRule.evaluate(t.history(), {});
    expect(e.status).toBe('violated');
    expect(e.violations).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', orderId: id, at: T0 + 30 * SEC }),
    ]);
    expect(e.violations[0]!.message).toMatch(
      /^Isolated liquidation at 09:00:30 UTC of BTCUSDT long \(mark 47600\), margin ratio \d+(\.\d)?%\.$/,
    );
  });

  it('properties: 1× positions through any move are never liquidated; 50× ones 5% below entry always are', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (moves, crash) => {
          const t = new Trader('100000').set('BTCUSDT', 'isolated', crash ? 50 : 1);
          t.buy('BTCUSDT', '0.5');
          let price = new Decimal(50000);
          for (const m of moves) {
            price = tickDown(price.times(new Decimal(100 + m).div(100)).clampedTo(1000, 1e7));
            t.wait(5).tick('BTCUSDT', price.toFixed());
          }
          // 5% below the entry: past a 50x long's liquidation price (about 98.4% of it)
          if (crash) t.wait(5).tick('BTCUSDT', '47500');
          const liquidated = noLiquidationRule.evaluate(t.history(), {}).violations.length;
          if (crash) expect(liquidated).toBeGreaterThanOrEqual(1);
          else expect(liquidated).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
