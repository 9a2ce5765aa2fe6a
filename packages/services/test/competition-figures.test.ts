// The board's figures (competitions/figures.ts) are figuresOf's, without the liquidation prices:
// equal on accounts the engine built (cross and isolated positions, long and short, any leverage)
// at any later mark, including marks that leave a compartment at or below zero.
import {
  CATALOGUE,
  Decimal,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  type Account,
  type Market,
} from '@lab/margin-engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boardFiguresOf } from '../src/competitions/figures.ts';
import { figuresOf, worstCompartment } from '../src/trading/figures.ts';

const market = (btc: string, eth: string): Market => ({
  instruments: CATALOGUE,
  marks: { BTCUSDT: new Decimal(btc), ETHUSDT: new Decimal(eth) },
  lastPrices: { BTCUSDT: new Decimal(btc), ETHUSDT: new Decimal(eth) },
});

const leg = fc.record({
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  lots: fc.integer({ min: 1, max: 40 }),
  leverage: fc.constantFrom(1, 5, 20, 50),
  isolated: fc.boolean(),
});

interface Leg {
  symbol: string;
  side: 'buy' | 'sell';
  lots: number;
  leverage: number;
  isolated: boolean;
}

function build(legs: Leg[]): Account {
  const m = market('50000', '3000');
  let a = openAccount('acc', new Decimal(10000), 0).account;
  const done = new Set<string>();
  for (const l of legs) {
    if (done.has(l.symbol)) continue; // one mode and leverage per symbol
    done.add(l.symbol);
    if (l.isolated) a = setMarginMode(a, m, l.symbol, 'isolated', 1).account;
    a = setLeverage(a, m, l.symbol, l.leverage, 2).account;
    const quantity = new Decimal(CATALOGUE[l.symbol]!.lotSize).times(l.lots).toFixed();
    const r = placeOrder(
      a,
      m,
      { symbol: l.symbol, side: l.side, type: 'market', quantity },
      { now: 3 },
    );
    if (!r.rejected) a = r.account;
  }
  return a;
}

describe('board figures', () => {
  it('equal figuresOf: equity, worst margin ratio, gross notional', () => {
    fc.assert(
      fc.property(
        fc.array(leg, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 20_000, max: 90_000 }),
        fc.integer({ min: 1_000, max: 6_000 }),
        (legs, btc, eth) => {
          const account = build(legs);
          fc.pre(Object.keys(account.positions).length > 0);
          const m = market(String(btc), String(eth));
          const f = figuresOf(account, m);
          const b = boardFiguresOf(account, m);
          expect(b.equity.toFixed()).toBe(new Decimal(f.account.marginBalance).toFixed());
          expect(b.positions).toBe(f.positions.length);
          const gross = f.positions.reduce(
            (s, p) => s.plus(new Decimal(p.notional).abs()),
            new Decimal(0),
          );
          expect(b.grossNotional.toFixed()).toBe(gross.toFixed());
          const worst = worstCompartment(f).marginRatio;
          if (worst === null) expect(b.worstMarginRatio.isFinite()).toBe(false);
          else
            expect(b.worstMarginRatio.toDecimalPlaces(8).toFixed()).toBe(
              new Decimal(worst).toFixed(),
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});
