// Histories for the risk rules' tests: an account traded directly with the margin engine (orders
// at the current marks, ticks as the worker applies them), its events collected with seq numbers
// as the account's stream stores them, then folded for the rules (ruleHistory).
import {
  cancelOrder,
  CATALOGUE,
  Decimal,
  onPrices,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  type Account,
  type Catalogue,
  type EngineEvent,
  type MarginMode,
  type Market,
  type OrderRequest,
  type SeqEvent,
} from '@lab/margin-engine';
import { ruleHistory } from '../src/teaching/rules/history.ts';
import type { RuleHistory } from '../src/teaching/rules/types.ts';

export const T0 = Date.UTC(2026, 2, 9, 9, 0);
export const SEC = 1000;

export class Trader {
  account: Account;
  market: Market;
  readonly events: EngineEvent[] = [];
  /** Engine refusals (the stream never stores them). */
  readonly refused: string[] = [];
  time = T0;

  constructor(
    wallet = '10000',
    marks: Record<string, string> = { BTCUSDT: '50000', ETHUSDT: '3000' },
    readonly instruments: Catalogue = CATALOGUE,
  ) {
    const m = Object.fromEntries(Object.entries(marks).map(([s, p]) => [s, new Decimal(p)]));
    this.market = { instruments, marks: m, lastPrices: m };
    const r = openAccount('acc', new Decimal(wallet), this.time);
    this.account = r.account;
    this.events.push(...r.events);
  }

  /** Moves the clock on by `seconds`. */
  wait(seconds: number): this {
    this.time += seconds * SEC;
    return this;
  }

  set(symbol: string, mode: MarginMode, leverage: number): this {
    const m = setMarginMode(this.account, this.market, symbol, mode, this.time);
    const l = setLeverage(m.account, this.market, symbol, leverage, this.time);
    this.account = l.account;
    this.events.push(...m.events, ...l.events);
    return this;
  }

  leverage(symbol: string, leverage: number): this {
    const l = setLeverage(this.account, this.market, symbol, leverage, this.time);
    this.account = l.account;
    this.events.push(...l.events);
    return this;
  }

  /** Places an order; returns its id (undefined when the engine refused it). */
  order(req: OrderRequest): string | undefined {
    const r = placeOrder(this.account, this.market, req, { now: this.time });
    if (r.rejected) {
      this.refused.push(r.rejected.code);
      return undefined;
    }
    this.account = r.account;
    this.events.push(...r.events);
    const accepted = r.events.find((e) => e.type === 'orderAccepted');
    return accepted?.type === 'orderAccepted' ? accepted.order.id : undefined;
  }

  buy(symbol: string, quantity: string, extra: Partial<OrderRequest> = {}) {
    return this.order({ symbol, side: 'buy', type: 'market', quantity, ...extra });
  }

  sell(symbol: string, quantity: string, extra: Partial<OrderRequest> = {}) {
    return this.order({ symbol, side: 'sell', type: 'market', quantity, ...extra });
  }

  cancel(orderId: string): this {
    const r = cancelOrder(this.account, { orderId }, this.time);
    this.account = r.account;
    this.events.push(...r.events);
    return this;
  }

  tick(symbol: string, price: string): this {
    const p = new Decimal(price);
    const r = onPrices(
      this.account,
      this.market,
      { [symbol]: { markPrice: p, lastPrice: p } },
      this.time,
    );
    this.account = r.account;
    this.market = r.market;
    this.events.push(...r.events);
    return this;
  }

  seqEvents(): SeqEvent[] {
    return this.events.map((ev, i) => ({ seq: i + 1, ev }));
  }

  /** The history as a rule reads it at `now` (default: the trader's clock), the window [T0, endsAt). */
  history(o: { now?: number; endsAt?: number } = {}): RuleHistory {
    return ruleHistory('acc', this.seqEvents(), {
      instruments: this.instruments,
      startsAt: T0,
      endsAt: o.endsAt ?? T0 + 3_600_000,
      now: o.now ?? this.time,
    });
  }
}

export const params = (p: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, new Decimal(v)]));
