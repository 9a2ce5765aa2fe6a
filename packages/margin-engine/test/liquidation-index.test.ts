import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  LiquidationIndex,
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  isolatedLiquidatable,
  liquidate,
  placeOrder,
  roundToTick,
  withPrice,
  type Account,
  type LiquidationHit,
  type Market,
} from '../src/index.ts';
import { baseMarket, buildAccounts } from '../bench/build-accounts.ts';

/** The naive answer: exact Decimal figures of every account. */
function naive(accounts: readonly Account[], market: Market): string[] {
  const out: string[] = [];
  for (const a of accounts) {
    const risks = allPositionRisks(a, market);
    for (const r of risks)
      if (r.marginMode === 'isolated' && isolatedLiquidatable(r)) out.push(`${a.id}/${r.symbol}`);
    if (crossLiquidatable(crossFigures(a, risks))) out.push(`${a.id}/cross`);
  }
  return out.sort();
}

const SYMS = Object.keys(CATALOGUE);

describe('properties', () => {
  it('the liquidation index finds exactly the accounts the naive recomputation finds, across ticks, trades and liquidations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(
          fc.oneof(
            fc.record({
              k: fc.constant('tick' as const),
              sym: fc.nat(SYMS.length - 1),
              bp: fc.integer({ min: -120, max: 120 }),
            }),
            fc.record({
              k: fc.constant('trade' as const),
              who: fc.nat(199),
              sym: fc.nat(SYMS.length - 1),
              buy: fc.boolean(),
              lots: fc.integer({ min: 1, max: 50 }),
            }),
          ),
          { minLength: 5, maxLength: 40 },
        ),
        (seed, actions) => {
          let accounts = buildAccounts(400, seed);
          let market = baseMarket();
          const index = LiquidationIndex.build(accounts, market);
          let found = 0;
          for (const a of actions) {
            const symbol = SYMS[a.sym]!;
            if (a.k === 'trade') {
              const ai = a.who % accounts.length;
              const qty = CATALOGUE[symbol]!.lotSize.times(
                a.lots * (symbol === 'BTCUSDT' ? 1 : symbol === 'ETHUSDT' ? 10 : 100),
              );
              const r = placeOrder(
                accounts[ai]!,
                market,
                { symbol, side: a.buy ? 'buy' : 'sell', type: 'market', quantity: qty },
                { now: 1 },
              );
              if (r.rejected) continue;
              accounts = accounts.map((x, i) => (i === ai ? r.account : x));
              index.updateAccount(ai, r.account);
              continue;
            }
            const mark = roundToTick(
              CATALOGUE[symbol]!,
              market.marks[symbol]!.times(1 + a.bp / 10000),
            );
            market = withPrice(market, symbol, { markPrice: mark });
            const res = index.tick(symbol, mark);
            const got = res.liquidations
              .map((h) => `${h.accountId}/${h.isolatedSymbol ?? 'cross'}`)
              .sort();
            expect(got).toEqual(naive(accounts, market));
            found += got.length;
            // the engine liquidates them; the index learns the new states
            for (const ai of new Set(res.liquidations.map((h) => h.accountIndex))) {
              const after = liquidate(accounts[ai]!, market, 1).account;
              accounts = accounts.map((x, i) => (i === ai ? after : x));
              index.updateAccount(ai, after);
            }
          }
          return found >= 0;
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 150) / 5 },
    );
  });
});

describe('compaction and rebuilds', () => {
  it('stays exact through a cascade that tombstones most accounts, the compactions it causes and rebuilds between ticks', () => {
    const key = (h: { accountId: string; isolatedSymbol: string | undefined }) =>
      `${h.accountId}/${h.isolatedSymbol ?? 'cross'}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(1, 2, 3, 1e9),
        fc.array(fc.integer({ min: -300, max: 150 }), { minLength: 8, maxLength: 16 }),
        (seed, rebaseTicks, path) => {
          let accounts = buildAccounts(2500, seed);
          let market = baseMarket();
          const index = LiquidationIndex.build(accounts, market, { rebaseTicks });
          // as the worker does: the units found are retired, and the other symbol may tick (and
          // the index rebuild) before the liquidated states are taken
          let pending: LiquidationHit[] = [];
          path.forEach((bp, step) => {
            const symbol = SYMS[step % 2]!; // BTC and ETH, the most held
            const mark = roundToTick(
              CATALOGUE[symbol]!,
              market.marks[symbol]!.times(1 + bp / 10000),
            );
            market = withPrice(market, symbol, { markPrice: mark });
            const res = index.tick(symbol, mark);
            const retired = new Set(pending.map(key));
            expect(res.liquidations.map(key).sort()).toEqual(
              naive(accounts, market).filter((k) => !retired.has(k)),
            );
            for (const h of res.liquidations) index.retire(h.unit);
            pending.push(...res.liquidations);
            if (step % 3 === 1) return;
            for (const ai of new Set(pending.map((h) => h.accountIndex))) {
              const after = liquidate(accounts[ai]!, market, 1).account;
              accounts = accounts.map((x, i) => (i === ai ? after : x));
              index.updateAccount(ai, after);
            }
            pending = [];
          });
          return true;
        },
      ),
      { numRuns: Math.max(4, Number(process.env.FC_RUNS ?? 150) / 25) },
    );
  });

  it('compacts: a cascade that empties most accounts leaves an index of the live units only', () => {
    let accounts = buildAccounts(3000, 7);
    let market = baseMarket();
    const index = LiquidationIndex.build(accounts, market);
    const before = index.unitCount;
    for (const symbol of SYMS) {
      const mark = roundToTick(CATALOGUE[symbol]!, market.marks[symbol]!.times(0.5));
      market = withPrice(market, symbol, { markPrice: mark });
      for (const hit of index.tick(symbol, mark).liquidations) {
        const after = liquidate(accounts[hit.accountIndex]!, market, 1).account;
        accounts = accounts.map((x, i) => (i === hit.accountIndex ? after : x));
        index.updateAccount(hit.accountIndex, after);
      }
    }
    expect(naive(accounts, market)).toEqual([]);
    // the tombstones went with the compactions: fewer units than the account states hold now
    // would have without them
    expect(index.unitCount).toBeLessThan(before);
    // and the live ones still answer exactly after the move back up and down again
    for (const f of [2.2, 0.6]) {
      market = withPrice(market, 'BTCUSDT', {
        markPrice: roundToTick(CATALOGUE.BTCUSDT!, market.marks.BTCUSDT!.times(f)),
      });
      const got = index
        .tick('BTCUSDT', market.marks.BTCUSDT!)
        .liquidations.map((h) => `${h.accountId}/${h.isolatedSymbol ?? 'cross'}`)
        .sort();
      expect(got).toEqual(naive(accounts, market));
    }
  });
});

describe('without the exact check', () => {
  it('returns a superset of the units that must be liquidated', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.integer({ min: -150, max: 100 }), { minLength: 3, maxLength: 10 }),
        (seed, path) => {
          const accounts = buildAccounts(600, seed);
          let market = baseMarket();
          const exact = LiquidationIndex.build(accounts, market);
          const loose = LiquidationIndex.build(accounts, market);
          path.forEach((bp, step) => {
            const symbol = SYMS[step % SYMS.length]!;
            const mark = roundToTick(CATALOGUE[symbol]!, market.marks[symbol]!.times(1 + bp / 1e4));
            market = withPrice(market, symbol, { markPrice: mark });
            const must = exact.tick(symbol, mark).liquidations.map((h) => h.unit);
            const found = new Set(
              loose.tick(symbol, mark, { exact: false }).liquidations.map((h) => h.unit),
            );
            for (const u of must) expect(found.has(u)).toBe(true);
          });
          return true;
        },
      ),
      { numRuns: Math.max(5, Number(process.env.FC_RUNS ?? 150) / 10) },
    );
  });
});
