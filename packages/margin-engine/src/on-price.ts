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

/** The market with a symbol's new mark; its last price is replaced too (dropped when not given). */
export function withPrice(market: Market, symbol: string, u: PriceUpdate): Market {
  const lastPrices = { ...market.lastPrices };
  if (u.lastPrice) lastPrices[symbol] = u.lastPrice;
  else delete lastPrices[symbol];
  return { ...market, marks: { ...market.marks, [symbol]: u.markPrice }, lastPrices };
}

const bySeq = (a: Order, b: Order): number => a.seq - b.seq;

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

/** Triggers and maker fills of one symbol at the market's current prices (no liquidation). */
function processSymbol(account: Account, m: Market, symbol: string, now: number): EngineResult {
  let acc = account;
  const events: EngineEvent[] = [];
  const run = (r: EngineResult): void => {
    acc = r.account;
    events.push(...r.events);
  };
  for (const o of Object.values(account.orders)
    .filter((x) => x.symbol === symbol && x.status === 'untriggered')
    .sort(bySeq)) {
    const cur = acc.orders[o.id];
    if (!cur || cur.status !== 'untriggered') continue;
    if (!armed(acc, cur)) continue;
    const ref = triggerReference(m, symbol, cur.workingType);
    if (ref && isTriggered(cur.type, cur.side, cur.stopPrice!, ref))
      run(trigger(acc, m, cur, ref, now));
  }
  const trade = m.lastPrices?.[symbol] ?? m.marks[symbol]!;
  const resting = Object.values(acc.orders)
    .filter(
      (x) =>
        x.symbol === symbol &&
        (x.status === 'new' || x.status === 'partiallyFilled') &&
        x.type === 'limit',
    )
    .sort(bySeq);
  for (const o of resting) {
    const cur = acc.orders[o.id];
    if (!cur) continue;
    const crossed = cur.side === 'buy' ? trade.lte(cur.price!) : trade.gte(cur.price!);
    if (crossed) run(makerFill(acc, m, cur, now));
  }
  return { account: acc, events };
}

/**
 * A new mark (and optionally last) price for one symbol: trigger stops, fill resting limits the
 * market trades through (as maker, at their price), then liquidate whatever must be.
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
 * triggers and fills run, then liquidation is checked once (so a hedge is valued at the new
 * marks of both legs).
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
    const r = processSymbol(acc, m, symbol, now);
    acc = r.account;
    events.push(...r.events);
  }
  const symbols = Object.keys(updates);
  const liq = liquidate(acc, m, now, symbols.length === 1 ? symbols[0] : undefined);
  return { account: liq.account, events: [...events, ...liq.events], market: m };
}
