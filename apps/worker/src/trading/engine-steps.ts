// The engine computations of the trading loop, one account at a time. The same function runs on
// the account in memory (to see whether a candidate has anything to do) and on the account as
// loaded under its row lock (what is committed), so both agree whenever memory is current.
import {
  applyEvents,
  applyFunding,
  onPrices,
  withPrice,
  type Account,
  type Decimal,
  type EngineEvent,
  type EngineResult,
  type Market,
  type PriceUpdate,
} from '@lab/margin-engine';
import type { FundingHistory } from './funding-history.ts';
import type { PricePoint } from './points.ts';

export interface PointsResult {
  result: EngineResult;
  /** The market after the last point. */
  market: Market;
  /** The mark each fill and liquidation close was made at (its point's). */
  marks: Map<EngineEvent, Decimal>;
}

const updateOf = (p: PricePoint): PriceUpdate => ({
  markPrice: p.markPrice,
  ...(p.lastPrice ? { lastPrice: p.lastPrice } : {}),
});

/** Symbols where the account has a position or an open order: the points it must see. */
function symbolsOf(a: Account): Set<string> {
  const out = new Set(Object.keys(a.positions));
  for (const o of Object.values(a.orders)) out.add(o.symbol);
  return out;
}

/**
 * Appends `evs` to `events`, with the mark of each fill and liquidation close. A module function,
 * not a closure in applyPoints: under tsx (the worker's runtime) every named closure is wrapped in
 * a defineProperty call when it is created, which cost more than the closure's work here.
 */
function record(
  events: EngineEvent[],
  marks: Map<EngineEvent, Decimal>,
  evs: readonly EngineEvent[],
  market: Market,
): void {
  for (const ev of evs) {
    events.push(ev);
    if (ev.type === 'fill' || ev.type === 'liquidation') {
      const mark = market.marks[ev.symbol];
      if (mark) marks.set(ev, mark);
    }
  }
}

/**
 * Applies the points, in order, to the account: at each point of a symbol it holds, the engine's
 * onPrices from the market before it (triggers and resting fills in the order the move meets them,
 * then liquidation). With `atOnce`, the account is first evaluated at the start market as it
 * stands (an account the API just changed: an order placed just before the tick is never missed).
 */
export function applyPoints(
  account: Account,
  start: Market,
  points: readonly PricePoint[],
  atOnce?: { time: number; live: (symbol: string) => boolean },
): PointsResult {
  let acc = account;
  let m = start;
  const events: EngineEvent[] = [];
  const marks = new Map<EngineEvent, Decimal>();
  const held = symbolsOf(account);
  if (atOnce) {
    const updates: Record<string, PriceUpdate> = {};
    for (const s of held) {
      const mark = m.marks[s];
      if (!mark || !atOnce.live(s)) continue;
      const last = m.lastPrices?.[s];
      updates[s] = { markPrice: mark, ...(last ? { lastPrice: last } : {}) };
    }
    if (Object.keys(updates).length) {
      const r = onPrices(acc, m, updates, atOnce.time);
      acc = r.account;
      record(events, marks, r.events, r.market);
    }
  }
  for (const p of points) {
    if (!held.has(p.symbol)) {
      m = withPrice(m, p.symbol, updateOf(p));
      continue;
    }
    const r = onPrices(acc, m, { [p.symbol]: updateOf(p) }, p.time);
    acc = r.account;
    m = r.market;
    record(events, marks, r.events, m);
  }
  return { result: { account: acc, events }, market: m, marks };
}

/** The market after the points (as applyPoints leaves it), without any account. */
export function marketAfter(start: Market, points: readonly PricePoint[]): Market {
  let m = start;
  for (const p of points) m = withPrice(m, p.symbol, updateOf(p));
  return m;
}

/**
 * Funding at a funding time for the symbols of `rates` the account held then and has not been
 * paid for yet: the engine's applyFunding, which also liquidates what it leaves liquidatable. A
 * symbol whose position changed after the funding time (`atTime`) is charged as the engine
 * charges the account as it was then (the payment on the quantity held at the funding time),
 * and that payment is applied to the account as it is now. Undefined when nothing is due.
 */
export function fundingFor(
  account: Account,
  market: Market,
  rates: Readonly<Record<string, Decimal>>,
  history: FundingHistory,
  time: number,
): EngineResult | undefined {
  const changed = history.atTime?.changed ?? new Set<string>();
  const now: Record<string, Decimal> = {};
  const then: Record<string, Decimal> = {};
  for (const [symbol, rate] of Object.entries(rates)) {
    if (history.paid.has(symbol)) continue;
    if (changed.has(symbol)) {
      if (history.atTime!.account.positions[symbol]) then[symbol] = rate;
    } else if (account.positions[symbol]) now[symbol] = rate;
  }
  if (Object.keys(now).length === 0 && Object.keys(then).length === 0) return undefined;
  let acc = account;
  const events: EngineEvent[] = [];
  if (Object.keys(then).length) {
    const atTime = applyFunding(history.atTime!.account, market, then, time);
    const paid = atTime.events.filter((e) => e.type === 'fundingPaid');
    acc = applyEvents(acc, paid);
    events.push(...paid);
  }
  // the symbols unchanged since, and the liquidation check of the account as it is now
  const r = applyFunding(acc, market, now, time);
  return { account: r.account, events: [...events, ...r.events] };
}
