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
