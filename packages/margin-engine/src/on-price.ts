// onPrice: a new mark (and optionally last trade) price for one symbol triggers stops, fills
// resting limit orders as maker when the market trades through them, then liquidates.
import { type Decimal, ZERO } from './decimal.ts';
import type { ErrorCode } from './errors.ts';
import { armed, attachedCancels } from './attached.ts';
import { applyEvents } from './events.ts';
import { executableQuantity, fillSlices, riskCheck, takerPhase } from './execution.ts';
import { addsRisk } from './risk.ts';
import { liquidate } from './liquidation.ts';
import { isTriggered, triggerReference } from './validate.ts';
import type { Account, EngineEvent, EngineResult, Market, Order } from './types.ts';

export interface PriceUpdate {
  markPrice: Decimal;
  /** Last trade price; resting limits fill against it (else the mark); stops with workingType 'last' use it. */
  lastPrice?: Decimal;
}

/**
 * The last withPrice of each market, by symbol. Markets are never changed in place, so the same
 * market and the same price objects give the same market: the trading loop re-marks thousands of
 * accounts from one market with one tick's prices, and one copy serves them all.
 */
interface Priced {
  mark: Decimal;
  last: Decimal | undefined;
  out: Market;
}
const priced = new WeakMap<Market, Map<string, Priced>>();

/** The market with a symbol's new mark; its last price is replaced too (dropped when not given). */
export function withPrice(market: Market, symbol: string, u: PriceUpdate): Market {
  let bySymbol = priced.get(market);
  const hit = bySymbol?.get(symbol);
  if (hit && hit.mark === u.markPrice && hit.last === u.lastPrice) return hit.out;
  const lastPrices = { ...market.lastPrices };
  if (u.lastPrice) lastPrices[symbol] = u.lastPrice;
  else delete lastPrices[symbol];
  const out = { ...market, marks: { ...market.marks, [symbol]: u.markPrice }, lastPrices };
  if (!bySymbol) priced.set(market, (bySymbol = new Map<string, Priced>()));
  bySymbol.set(symbol, { mark: u.markPrice, last: u.lastPrice, out });
  return out;
}

function expire(acc: Account, o: Order, code: ErrorCode, reason: string, now: number): EngineEvent {
  return {
    type: 'orderExpired',
    accountId: acc.id,
    time: now,
    orderId: o.id,
    symbol: o.symbol,
    code,
    reason,
  };
}

function trigger(acc: Account, market: Market, o: Order, ref: Decimal, now: number): EngineResult {
  const pos = acc.positions[o.symbol]?.quantity ?? ZERO;
  const closing = !pos.isZero() && pos.isPos() !== (o.side === 'buy');
  if (o.closePosition && !closing) {
    const ev = expire(acc, o, 'NO_POSITION_TO_CLOSE', 'nothing to close at trigger', now);
    return { account: applyEvents(acc, [ev]), events: [ev] };
  }
  const quantity = o.closePosition ? pos.abs() : o.quantity;
  const trig: EngineEvent = {
    type: 'orderTriggered',
    accountId: acc.id,
    time: now,
    orderId: o.id,
    symbol: o.symbol,
    triggerPrice: ref,
    quantity,
  };
  const triggered = applyEvents(acc, [trig]);
  const step = takerPhase(triggered, market, o.id, now);
  const code =
    step.error ??
    riskCheck(step.account, market, o.symbol, addsRisk(acc, { ...o, quantity }), step.events);
  if (code) {
    const t = triggered.orders[o.id]!;
    const evs = [
      expire(triggered, t, code, 'rejected at trigger', now),
      ...attachedCancels(triggered, t, now, 'entry expired'),
    ];
    return { account: applyEvents(triggered, evs), events: [trig, ...evs] };
  }
  // an entry that triggered but ended at once without any fill (e.g. an IOC stop-limit) takes
  // its attached TP/SL with it
  const filled = step.events.some((e) => e.type === 'fill' && e.orderId === o.id);
  const gone =
    filled || step.account.orders[o.id]
      ? []
      : attachedCancels(step.account, o, now, 'entry expired');
  return { account: applyEvents(step.account, gone), events: [trig, ...step.events, ...gone] };
}

function makerFill(acc: Account, market: Market, o: Order, now: number): EngineResult {
  const qty = executableQuantity(acc, o);
  if (typeof qty === 'string') {
    const ev = expire(acc, o, qty, 'nothing left to reduce', now);
    return { account: applyEvents(acc, [ev]), events: [ev] };
  }
  const step = fillSlices(acc, market, o, [{ price: o.price!, quantity: qty }], 'maker', now);
  // a resting order that adds risk is checked again (its own fee allowed): see riskCheck
  const code =
    step.error ?? riskCheck(step.account, market, o.symbol, addsRisk(acc, o), step.events, true);
  if (code) {
    const evs = [
      expire(acc, o, code, 'the account cannot carry the fill', now),
      ...attachedCancels(acc, o, now, 'entry expired'),
    ];
    return { account: applyEvents(acc, evs), events: evs };
  }
  const left = step.account.orders[o.id];
  if (left) {
    const ev = expire(
      step.account,
      left,
      'REDUCE_ONLY_WOULD_INCREASE',
      'remainder beyond the position expired (reduce-only)',
      now,
    );
    return { account: applyEvents(step.account, [ev]), events: [...step.events, ev] };
  }
  return step;
}

/** Where a price lies on the move from `from` to `to` (0 at the start, 1 at the end). */
function pathPoint(price: Decimal, from: Decimal | undefined, to: Decimal): Decimal {
  return from === undefined || from.eq(to) ? ZERO : price.minus(from).div(to.minus(from));
}

interface Due {
  order: Order;
  /** Position on the price path where the move meets the order. */
  at: Decimal;
  /** 0: a trigger, 1: a resting fill (a trigger goes first at the same point). */
  kind: 0 | 1;
}

const earlier = (a: Due, b: Due): boolean =>
  (a.at.cmp(b.at) || a.kind - b.kind || a.order.seq - b.order.seq) < 0;

/**
 * Triggers and maker fills of one symbol at the market's current prices (no liquidation), in the
 * order the move from the previous prices meets them: each stop at its stop price on its working
 * price's path, each resting limit at its price on the trade price's path; at the same point a
 * trigger first, then placement order. After each step the orders are looked at again, so a
 * stop-limit that triggered rests and fills later on the path, and an attached TP/SL is armed by
 * its entry's fill.
 */
function processSymbol(
  account: Account,
  prev: Market,
  m: Market,
  symbol: string,
  now: number,
): EngineResult {
  let acc = account;
  const events: EngineEvent[] = [];
  const done = new Set<string>();
  const trade = m.lastPrices?.[symbol] ?? m.marks[symbol]!;
  const prevTrade = prev.lastPrices?.[symbol] ?? prev.marks[symbol];
  for (;;) {
    let next: Due | undefined;
    for (const o of Object.values(acc.orders)) {
      if (o.symbol !== symbol) continue;
      let due: Due | undefined;
      if (o.status === 'untriggered' && !done.has(`t:${o.id}`) && armed(acc, o)) {
        const ref = triggerReference(m, symbol, o.workingType);
        if (ref && isTriggered(o.type, o.side, o.stopPrice!, ref))
          due = {
            order: o,
            at: pathPoint(o.stopPrice!, triggerReference(prev, symbol, o.workingType), ref),
            kind: 0,
          };
      } else if (
        o.type === 'limit' &&
        (o.status === 'new' || o.status === 'partiallyFilled') &&
        !done.has(`f:${o.id}`) &&
        (o.side === 'buy' ? trade.lte(o.price!) : trade.gte(o.price!))
      ) {
        due = { order: o, at: pathPoint(o.price!, prevTrade, trade), kind: 1 };
      }
      if (due && (!next || earlier(due, next))) next = due;
    }
    if (!next) break;
    const o = next.order;
    done.add(`${next.kind === 0 ? 't' : 'f'}:${o.id}`);
    const r =
      next.kind === 0
        ? trigger(acc, m, o, triggerReference(m, symbol, o.workingType)!, now)
        : makerFill(acc, m, o, now);
    acc = r.account;
    events.push(...r.events);
  }
  return { account: acc, events };
}

/**
 * A new mark (and optionally last) price for one symbol: trigger stops and fill resting limits the
 * market trades through (as maker, at their price) in the order the move meets them, then
 * liquidate whatever must be.
 */
export function onPrice(
  account: Account,
  market: Market,
  symbol: string,
  update: PriceUpdate,
  now: number,
): EngineResult & { market: Market } {
  return onPrices(account, market, { [symbol]: update }, now);
}

/**
 * Several symbols' prices at the same instant: all marks are set first, then each symbol's
 * triggers and fills run in the order the move from `market`'s prices meets them, then
 * liquidation is checked once (so a hedge is valued at the new marks of both legs).
 */
export function onPrices(
  account: Account,
  market: Market,
  updates: Readonly<Record<string, PriceUpdate>>,
  now: number,
): EngineResult & { market: Market } {
  let m = market;
  for (const [symbol, u] of Object.entries(updates)) m = withPrice(m, symbol, u);
  let acc = account;
  const events: EngineEvent[] = [];
  for (const symbol of Object.keys(updates)) {
    const r = processSymbol(acc, market, m, symbol, now);
    acc = r.account;
    events.push(...r.events);
  }
  const symbols = Object.keys(updates);
  const liq = liquidate(acc, m, now, symbols.length === 1 ? symbols[0] : undefined);
  return { account: liq.account, events: [...events, ...liq.events], market: m };
}
