// Model-based test (fc.commands) of the account state machine against a small independent model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  Decimal,
  adjustWallet,
  amendOrder,
  cancelOrder,
  closeAllAtMark,
  onPrice,
  openAccount,
  placeOrder,
  roundToTick,
  setLeverage,
  setMarginMode,
  summarize,
  type Account,
  type Market,
} from '../src/index.ts';
import { d, market } from './helpers.ts';

const SYMS = ['BTCUSDT', 'ETHUSDT'] as const;
type Sym = (typeof SYMS)[number];

interface ModelPos {
  qty: Decimal;
  /** Exact unsigned cost of the open quantity. */
  cost: Decimal;
}
interface Model {
  wallet: Decimal;
  positions: Record<string, ModelPos>;
  orders: Map<string, { symbol: Sym; side: 'buy' | 'sell'; qty: Decimal; price: Decimal }>;
  mode: Record<string, 'cross' | 'isolated'>;
  leverage: Record<string, number>;
}
interface Real {
  account: Account;
  market: Market;
  now: number;
}

const fee = (q: Decimal, p: Decimal, rate: string): Decimal =>
  q.times(p).times(rate).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);

const round8 = (x: Decimal): Decimal => x.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);

/**
 * The model's own position accounting: the cost basis adds qty x price on an increase; a reduce
 * releases its share of it (8 dp; the last close all of it) and realizes closed x price - released.
 */
function modelTrade(
  m: Model,
  symbol: string,
  side: 'buy' | 'sell',
  qty: Decimal,
  price: Decimal,
  rate: string,
): void {
  const p = m.positions[symbol] ?? { qty: d(0), cost: d(0) };
  const sgn = side === 'buy' ? qty : qty.neg();
  let realized = d(0);
  let next: ModelPos;
  const nq = p.qty.plus(sgn);
  if (p.qty.isZero() || p.qty.isPos() === sgn.isPos()) {
    next = { qty: nq, cost: p.cost.plus(qty.times(price)) };
  } else {
    const closed = Decimal.min(qty, p.qty.abs());
    const released = closed.eq(p.qty.abs())
      ? p.cost
      : round8(p.cost.times(closed).div(p.qty.abs()));
    realized = round8(
      closed
        .times(price)
        .minus(released)
        .times(p.qty.isPos() ? 1 : -1),
    );
    const flipped = !nq.isZero() && nq.isPos() !== p.qty.isPos();
    next = { qty: nq, cost: flipped ? nq.abs().times(price) : p.cost.minus(released) };
  }
  m.wallet = m.wallet.plus(realized).minus(fee(qty, price, rate));
  if (next.qty.isZero()) delete m.positions[symbol];
  else m.positions[symbol] = next;
}

function check(m: Model, r: Real): void {
  expect(r.account.walletBalance.toFixed()).toBe(m.wallet.toFixed());
  const got = Object.fromEntries(
    Object.values(r.account.positions).map((p) => [
      p.symbol,
      [p.quantity.toFixed(), p.costBasis.toFixed(), p.entryPrice.toFixed()],
    ]),
  );
  const want = Object.fromEntries(
    Object.entries(m.positions).map(([s, p]) => [
      s,
      [
        p.qty.toFixed(),
        p.cost.toFixed(),
        p.cost.div(p.qty.abs()).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN).toFixed(),
      ],
    ]),
  );
  expect(got).toEqual(want);
  expect(Object.keys(r.account.orders).sort()).toEqual([...m.orders.keys()].sort());
  for (const s of SYMS) {
    expect(r.account.settings[s]?.marginMode ?? 'cross').toBe(m.mode[s] ?? 'cross');
    expect(r.account.settings[s]?.leverage ?? 20).toBe(m.leverage[s] ?? 20);
  }
}

class MarketOrder implements fc.Command<Model, Real> {
  constructor(
    readonly symbol: Sym,
    readonly side: 'buy' | 'sell',
    readonly lots: number,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const qty = CATALOGUE[this.symbol]!.lotSize.times(this.lots);
    const res = placeOrder(
      r.account,
      r.market,
      { symbol: this.symbol, side: this.side, type: 'market', quantity: qty },
      { now: ++r.now },
    );
    if (res.rejected) {
      expect(res.account).toBe(r.account);
      expect(['MIN_NOTIONAL']).toContain(res.rejected.code);
    } else {
      modelTrade(m, this.symbol, this.side, qty, r.market.marks[this.symbol]!, '0.0005');
      r.account = res.account;
    }
    check(m, r);
  }
  toString = (): string => `market(${this.symbol},${this.side},${this.lots})`;
}

class LimitOrder implements fc.Command<Model, Real> {
  constructor(
    readonly symbol: Sym,
    readonly side: 'buy' | 'sell',
    readonly lots: number,
    readonly awayBp: number,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const mark = r.market.marks[this.symbol]!;
    const inst = CATALOGUE[this.symbol]!;
    // priced away from the mark so it rests: below for a buy, above for a sell
    const price = roundToTick(
      inst,
      mark.times(1 + ((this.side === 'buy' ? -1 : 1) * this.awayBp) / 10000),
      this.side === 'buy' ? 'down' : 'up',
    );
    const qty = inst.lotSize.times(this.lots);
    const res = placeOrder(
      r.account,
      r.market,
      {
        symbol: this.symbol,
        side: this.side,
        type: 'limit',
        quantity: qty,
        price,
        timeInForce: 'GTX',
      },
      { now: ++r.now },
    );
    if (res.rejected) {
      expect(res.account).toBe(r.account);
      expect(res.rejected.code).toBe('MIN_NOTIONAL');
    } else {
      expect(res.events.map((e) => e.type)).toEqual(['orderAccepted']);
      const e = res.events[0]!;
      if (e.type === 'orderAccepted')
        m.orders.set(e.order.id, { symbol: this.symbol, side: this.side, qty, price });
      r.account = res.account;
    }
    check(m, r);
  }
  toString = (): string => `limit(${this.symbol},${this.side},${this.lots},${this.awayBp}bp)`;
}

class Amend implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly lots: number,
    readonly awayBp: number,
  ) {}
  check = (m: Readonly<Model>): boolean => m.orders.size > 0;
  run(m: Model, r: Real): void {
    const id = [...m.orders.keys()][this.pick % m.orders.size]!;
    const o = m.orders.get(id)!;
    const inst = CATALOGUE[o.symbol]!;
    const mark = r.market.marks[o.symbol]!;
    // still away from the mark, so the post-only order keeps resting
    const price = roundToTick(
      inst,
      mark.times(1 + ((o.side === 'buy' ? -1 : 1) * this.awayBp) / 10000),
      o.side === 'buy' ? 'down' : 'up',
    );
    const qty = inst.lotSize.times(this.lots);
    if (qty.times(price).lt(inst.minNotional)) {
      expect(() =>
        amendOrder(r.account, r.market, { orderId: id, price, quantity: qty }, ++r.now),
      ).toThrowError(expect.objectContaining({ code: 'MIN_NOTIONAL' }) as Error);
    } else {
      const res = amendOrder(r.account, r.market, { orderId: id, price, quantity: qty }, ++r.now);
      expect(res.events.map((e) => e.type)).toEqual(['orderAmended']);
      m.orders.set(id, { ...o, price, qty });
      r.account = res.account;
    }
    check(m, r);
  }
  toString = (): string => `amend(${this.pick},${this.lots},${this.awayBp}bp)`;
}

class AdjustWallet implements fc.Command<Model, Real> {
  constructor(readonly cents: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const amount = d(this.cents).div(100);
    let res: ReturnType<typeof adjustWallet> | undefined;
    try {
      res = adjustWallet(r.account, amount, ++r.now, r.market);
    } catch (e) {
      // refused only for a zero amount or a withdrawal beyond the cross wallet (INVALID_AMOUNT)
      // or beyond the available balance (INSUFFICIENT_MARGIN)
      const sum = summarize(r.account, r.market);
      const code = (e as { code?: string }).code;
      if (code === 'INVALID_AMOUNT')
        expect(amount.isZero() || sum.crossWalletBalance.plus(amount).lt(0)).toBe(true);
      else
        expect([code, sum.availableBalance.plus(amount).lt(0)]).toEqual([
          'INSUFFICIENT_MARGIN',
          true,
        ]);
    }
    if (res) {
      r.account = res.account;
      m.wallet = m.wallet.plus(amount);
    }
    check(m, r);
  }
  toString = (): string => `adjustWallet(${this.cents / 100})`;
}

class CloseAll implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const res = closeAllAtMark(r.account, r.market, ++r.now, 'reset');
    // model: every order goes, every position closes at its mark without fee
    for (const [s, p] of Object.entries(m.positions))
      modelTrade(m, s, p.qty.isPos() ? 'sell' : 'buy', p.qty.abs(), r.market.marks[s]!, '0');
    m.orders.clear();
    r.account = res.account;
    check(m, r);
    expect(r.account.orders).toEqual({});
    expect(r.account.positions).toEqual({});
  }
  toString = (): string => 'closeAll';
}

class Cancel implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.orders.size > 0;
  run(m: Model, r: Real): void {
    const id = [...m.orders.keys()][this.pick % m.orders.size]!;
    r.account = cancelOrder(r.account, { orderId: id }, ++r.now).account;
    m.orders.delete(id);
    check(m, r);
    expect(() => cancelOrder(r.account, { orderId: id }, r.now)).toThrow();
  }
  toString = (): string => `cancel(${this.pick})`;
}

class SetMode implements fc.Command<Model, Real> {
  constructor(
    readonly symbol: Sym,
    readonly mode: 'cross' | 'isolated',
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const blocked =
      m.positions[this.symbol] !== undefined ||
      [...m.orders.values()].some((o) => o.symbol === this.symbol);
    if (blocked) {
      expect(() => setMarginMode(r.account, r.market, this.symbol, this.mode, ++r.now)).toThrow();
    } else {
      r.account = setMarginMode(r.account, r.market, this.symbol, this.mode, ++r.now).account;
      m.mode[this.symbol] = this.mode;
    }
    check(m, r);
  }
  toString = (): string => `mode(${this.symbol},${this.mode})`;
}

class SetLeverage implements fc.Command<Model, Real> {
  constructor(
    readonly symbol: Sym,
    readonly lev: number,
  ) {}
  // isolated positions need their own margin to cover a lower leverage: tested in positions.test.ts
  check = (m: Readonly<Model>): boolean =>
    m.mode[this.symbol] !== 'isolated' || m.positions[this.symbol] === undefined;
  run(m: Model, r: Real): void {
    // the cross wallet is large, so any leverage within the instrument limit is accepted
    r.account = setLeverage(r.account, r.market, this.symbol, this.lev, ++r.now).account;
    m.leverage[this.symbol] = this.lev;
    check(m, r);
  }
  toString = (): string => `leverage(${this.symbol},${this.lev})`;
}

class Mark implements fc.Command<Model, Real> {
  constructor(
    readonly symbol: Sym,
    readonly bp: number,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const mark = roundToTick(
      CATALOGUE[this.symbol]!,
      r.market.marks[this.symbol]!.times(1 + this.bp / 10000),
    );
    const res = onPrice(r.account, r.market, this.symbol, { markPrice: mark }, ++r.now);
    // model: resting orders the mark trades through fill at their own price as maker, in the
    // order the move meets them (nearest the old mark first), placement order at the same price
    const up = mark.gt(r.market.marks[this.symbol]!);
    const hit = [...m.orders.entries()]
      .filter(([, o]) => o.symbol === this.symbol)
      .filter(([, o]) => (o.side === 'buy' ? mark.lte(o.price) : mark.gte(o.price)))
      .sort(([, a], [, b]) => (up ? a.price.cmp(b.price) : b.price.cmp(a.price)));
    for (const [id, o] of hit) {
      modelTrade(m, o.symbol, o.side, o.qty, o.price, '0.0002');
      m.orders.delete(id);
    }
    expect(res.events.some((e) => e.type === 'liquidation')).toBe(false);
    r.account = res.account;
    r.market = res.market;
    check(m, r);
  }
  toString = (): string => `mark(${this.symbol},${this.bp}bp)`;
}

const symArb = fc.constantFrom(...SYMS);
const sideArb = fc.constantFrom<'buy' | 'sell'>('buy', 'sell');
const commands = [
  fc
    .tuple(symArb, sideArb, fc.integer({ min: 1, max: 3000 }))
    .map(([s, side, l]) => new MarketOrder(s, side, l)),
  fc
    .tuple(symArb, sideArb, fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 300 }))
    .map(([s, side, l, bp]) => new LimitOrder(s, side, l, bp)),
  fc.nat().map((p) => new Cancel(p)),
  fc.constant(new CloseAll()),
  fc.integer({ min: -5_000_000, max: 5_000_000 }).map((c) => new AdjustWallet(c)),
  fc
    .tuple(fc.nat(), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 300 }))
    .map(([p, l, bp]) => new Amend(p, l, bp)),
  fc
    .tuple(symArb, fc.constantFrom<'cross' | 'isolated'>('cross', 'isolated'))
    .map(([s, mode]) => new SetMode(s, mode)),
  fc.tuple(symArb, fc.integer({ min: 1, max: 20 })).map(([s, l]) => new SetLeverage(s, l)),
  fc.tuple(symArb, fc.integer({ min: -250, max: 250 })).map(([s, bp]) => new Mark(s, bp)),
];

describe('properties', () => {
  it('model-based: the account state machine matches an independent model', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
        const setup = (): { model: Model; real: Real } => ({
          model: { wallet: d(1_000_000), positions: {}, orders: new Map(), mode: {}, leverage: {} },
          real: {
            account: openAccount('m', d(1_000_000), 0).account,
            market: market({ BTCUSDT: '50000', ETHUSDT: '3000' }),
            now: 0,
          },
        });
        fc.modelRun(setup, cmds);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
  });
});
