// The trading loop's order index: for any open orders and any price range, the accounts it returns
// are exactly those with an order the range reaches (the engine's trigger and resting-fill rules),
// also after accounts are replaced and removed in any order (model-based).
import { Decimal, emptyAccount, type Account, type Order, type Side } from '@lab/margin-engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderIndex, type PriceRange } from '../src/trading/order-index.ts';

interface Spec {
  kind: 'limit' | 'stopMarket' | 'takeProfitMarket' | 'stopLimit';
  side: Side;
  price: number;
  last: boolean;
}

function order(accountId: string, i: number, s: Spec): Order {
  const stop = s.kind !== 'limit';
  return {
    id: `${accountId}-${i}`,
    clientOrderId: undefined,
    symbol: 'BTCUSDT',
    side: s.side,
    type: s.kind,
    quantity: new Decimal('0.1'),
    filledQuantity: new Decimal(0),
    price: stop && s.kind !== 'stopLimit' ? undefined : new Decimal(s.price),
    stopPrice: stop ? new Decimal(s.price) : undefined,
    timeInForce: 'GTC',
    reduceOnly: false,
    closePosition: false,
    workingType: s.last ? 'last' : 'mark',
    status: stop ? 'untriggered' : 'new',
    createdAt: 0,
    seq: i,
  };
}

function account(id: string, specs: readonly Spec[]): Account {
  const orders: Record<string, Order> = {};
  specs.forEach((s, i) => {
    const o = order(id, i + 1, s);
    orders[o.id] = o;
  });
  return { ...emptyAccount(id), orders };
}

/** Whether a price range reaches the order, by the engine's rules (limits: trade price). */
function reaches(s: Spec, r: PriceRange): boolean {
  if (s.kind === 'limit') return s.side === 'buy' ? r.minTrade <= s.price : r.maxTrade >= s.price;
  const up = (s.kind === 'stopMarket' || s.kind === 'stopLimit') === (s.side === 'buy');
  const [lo, hi] = s.last ? [r.minTrade, r.maxTrade] : [r.minMark, r.maxMark];
  return up ? hi >= s.price : lo <= s.price;
}

const price = fc.integer({ min: 49_000, max: 51_000 }).map((x) => x / 10 + 45_000);
const spec = fc.record({
  kind: fc.constantFrom(
    'limit' as const,
    'stopMarket' as const,
    'takeProfitMarket' as const,
    'stopLimit' as const,
  ),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  price,
  last: fc.boolean(),
});
const range = fc.tuple(price, price, price, price).map(([a, b, c, d]): PriceRange => ({
  minMark: Math.min(a, b),
  maxMark: Math.max(a, b),
  minTrade: Math.min(c, d),
  maxTrade: Math.max(c, d),
}));

describe('OrderIndex', () => {
  it('a limit buy is found when the trade price reaches it, not before', () => {
    const idx = new OrderIndex();
    idx.set(account('a', [{ kind: 'limit', side: 'buy', price: 49_500, last: false }]));
    const r = (trade: number): PriceRange => ({
      minMark: 50_000,
      maxMark: 50_000,
      minTrade: trade,
      maxTrade: trade,
    });
    expect([...idx.candidates('BTCUSDT', r(49_500.1))]).toEqual([]);
    expect([...idx.candidates('BTCUSDT', r(49_500))]).toEqual(['a']);
    expect([...idx.candidates('ETHUSDT', r(40_000))]).toEqual([]);
  });

  it('finds exactly the accounts whose orders a price range reaches, through any replacements and removals', () => {
    const op = fc.oneof(
      fc.record({
        set: fc.constantFrom('a', 'b', 'c', 'd'),
        specs: fc.array(spec, { maxLength: 5 }),
      }),
      fc.record({ remove: fc.constantFrom('a', 'b', 'c', 'd') }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 25 }),
        fc.array(range, { minLength: 1, maxLength: 5 }),
        (ops, ranges) => {
          const idx = new OrderIndex();
          const model = new Map<string, readonly Spec[]>();
          for (const o of ops) {
            if ('set' in o) {
              idx.set(account(o.set, o.specs));
              model.set(o.set, o.specs);
            } else {
              idx.remove(o.remove);
              model.delete(o.remove);
            }
          }
          expect(idx.size).toBe([...model.values()].reduce((n, s) => n + s.length, 0));
          for (const r of ranges) {
            const want = [...model]
              .filter(([, specs]) => specs.some((s) => reaches(s, r)))
              .map(([id]) => id)
              .sort();
            expect([...idx.candidates('BTCUSDT', r)].sort()).toEqual(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
