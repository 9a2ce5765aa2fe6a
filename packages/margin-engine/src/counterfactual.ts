// Counterfactuals: an account's own trades replayed through the engine under another margin mode
// ("had these positions been isolated, what would the account hold?"). One definition for the
// browser (a liquidation explained) and the server (a competition's class report), so that the
// figures agree wherever they are shown.
//
// The replay: from a chosen event of the account's stream, every fill is taken again as a market
// order of its own quantity, at its own price and fee rate, reduce-only where its order was, with
// the mark it was made at when that is known (stored fills record it); funding at its own rate
// and mark; deposits, leverage changes and isolated-margin adjustments as they were. Only what
// filled is replayed, not the resting orders. Between those events the marks follow a price path
// (from the venue's candles: each candle's extremes, then its close). The recorded liquidations
// are not replayed: under the replay's mode the engine decides what happens.
import { Decimal, ZERO } from './decimal.ts';
import { applyEvents, emptyAccount, isEngineEventType } from './events.ts';
import { applyFunding } from './funding.ts';
import { roundToTick, type Instrument } from './instruments.ts';
import { onPrices, withPrice } from './on-price.ts';
import { placeOrder } from './place-order.ts';
import { eventFromJson } from './serialize.ts';
import { summarize } from './summary.ts';
import { adjustIsolatedMargin, setLeverage, setMarginMode } from './account-settings.ts';
import { adjustWallet } from './wallet.ts';
import { closeAllAtMark } from './close-all.ts';
import type { Account, EngineEvent, EventOf, MarginMode, Market, Side } from './types.ts';

/** A row of an account's stored stream (engine events and others). */
export interface StoredEvent {
  seq: number;
  type: string;
  payload?: unknown;
}

/** An engine event with its sequence number in the account's stream. */
export interface SeqEvent {
  seq: number;
  ev: EngineEvent;
}

/** The account's engine events (eventToJson payloads revived), oldest first; others skipped. */
export function engineEvents(stored: readonly StoredEvent[]): SeqEvent[] {
  return stored
    .filter((e) => isEngineEventType(e.type))
    .map((e) => ({ seq: e.seq, ev: eventFromJson(e.payload) }));
}

export interface Candle {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

export interface PricePoint {
  time: number;
  symbol: string;
  markPrice: Decimal;
  lastPrice: Decimal;
}

/** The marks a replay starts from, and every later mark in time order. */
export interface PricePath {
  start: Readonly<Record<string, Decimal>>;
  points: readonly PricePoint[];
}

/** The close at or before `t` of a symbol's candles (sorted), else its first open. */
export function candleCloseAt(
  candles: readonly Candle[] | undefined,
  t: number,
  interval: number,
): Decimal | null {
  if (!candles?.length) return null;
  let lo = 0;
  let hi = candles.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid]!.openTime + interval <= t) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return new Decimal(best >= 0 ? candles[best]!.close : candles[0]!.open);
}

/**
 * The price path of candles from `from` to `to`: the marks at `from` (each symbol's close before
 * it), then for each candle its extremes in the order a candle of its colour likely met them (a
 * rising one its low first) and its close, at a quarter, half and three quarters of its interval
 * (of the part of it before `to`, for the candle still open then: a fall in the last seconds is
 * on the path, not after its end).
 */
export function candlePath(
  candles: Readonly<Record<string, readonly Candle[]>>,
  interval: number,
  from: number,
  to: number,
  symbols: readonly string[] = Object.keys(candles),
): PricePath {
  const start: Record<string, Decimal> = {};
  const points: PricePoint[] = [];
  const first = Math.floor(from / interval) * interval;
  for (const s of symbols) {
    const c0 = candleCloseAt(candles[s], from, interval);
    if (c0) start[s] = c0;
    for (const c of candles[s] ?? []) {
      if (c.openTime < first || c.openTime > to) continue;
      const up = new Decimal(c.close).gte(c.open);
      const path = up ? [c.low, c.high, c.close] : [c.high, c.low, c.close];
      const span = Math.min(interval, to - c.openTime);
      path.forEach((p, k) => {
        const time = c.openTime + Math.round(((k + 1) * span) / 4);
        if (time > to) return;
        const price = new Decimal(p);
        points.push({ time, symbol: s, markPrice: price, lastPrice: price });
      });
    }
  }
  // stable: same-time points keep the symbols' order
  points.sort((a, b) => a.time - b.time);
  return { start, points };
}

/** Which part of the stream is replayed, and which symbols take the replay's margin mode. */
export interface ReplayWindow {
  /** Index (in the engine events) of the first event replayed: the account before it is as recorded. */
  from: number;
  /** Index after the last event replayed. */
  to: number;
  /** When the window starts. */
  start: number;
  /** The horizon: the price path is followed until here. */
  end: number;
  /** Symbols put in the replay's margin mode, each as soon as it is flat; others keep theirs. */
  symbols: readonly string[];
}

/**
 * The window of an account's whole trading: from its first fill to the end of the stream given,
 * every traded symbol in the replay's mode.
 */
export function tradingWindow(events: readonly SeqEvent[], end: number): ReplayWindow {
  const from = events.findIndex((e) => e.ev.type === 'fill');
  const symbols = new Set<string>();
  for (const e of events) if (e.ev.type === 'fill') symbols.add(e.ev.symbol);
  return {
    from: from < 0 ? events.length : from,
    to: events.length,
    start: from < 0 ? end : events[from]!.ev.time,
    end,
    symbols: [...symbols].sort(),
  };
}

export interface ReplayOptions {
  /**
   * The mark each fill was made at, by the fill event's seq. A fill with a known mark is taken at
   * its own price with that mark (the margin checks see what the original saw); without one, its
   * price stands in for the mark.
   */
  fillMarks?: ReadonlyMap<number, Decimal>;
  /**
   * At the end, whatever is still open is closed at the mark (closeAllAtMark), as a competition's
   * end closes every account: the replay's wallet is then what it would have kept.
   */
  closeAtEnd?: boolean;
}

export interface ReplayLiquidation {
  time: number;
  mode: MarginMode;
  symbols: string[];
  markPrice: string | null;
  fee: string;
}

export interface Outcome {
  mode: MarginMode;
  liquidations: ReplayLiquidation[];
  /** Fills the engine refused under this mode (their code). */
  refused: Array<{ time: number; symbol: string; code: string }>;
  walletEnd: string;
  equityEnd: string;
  /** Equity at the window's start. */
  equityStart: string;
  /** Equity at the end less equity at the window's start. */
  change: string;
  /** Realized PnL of the replayed fills and liquidations. */
  realizedPnl: string;
  /** Trading and liquidation fees charged. */
  fees: string;
  /** Funding received (+) or paid (-). */
  funding: string;
  openAtEnd: Array<{ symbol: string; quantity: string }>;
  end: number;
}

interface Step {
  time: number;
  order: number;
  run: () => void;
}

interface OrderInfo {
  /** Its quantity when it fills (a close-position order's is set when it triggers). */
  quantity: Decimal;
  /** It executes at once as a market order (market, stop-market, take-profit-market). */
  market: boolean;
  reduceOnly: boolean;
  closePosition: boolean;
}

const HAS_LIMIT: ReadonlySet<string> = new Set(['limit', 'stopLimit', 'takeProfitLimit']);

/**
 * The quantity a recorded fill is replayed with. A fill of an order that adds risk, or of a limit
 * order, is taken as it was. An order that only reduces and executes at once asks for what it
 * asked for in the record (a close-position order: the whole replayed position), less what the
 * replay already filled of it: the engine caps it at the replayed position, as it capped the
 * original at the recorded one. Null: nothing left to ask for.
 */
function replayQuantity(
  acc: Account,
  fill: EventOf<'fill'>,
  info: OrderInfo | undefined,
  filled: Decimal,
): Decimal | null {
  if (!info || !(info.reduceOnly || info.closePosition) || !info.market) return fill.quantity;
  const want = info.closePosition
    ? (acc.positions[fill.symbol]?.quantity.abs() ?? fill.quantity)
    : info.quantity.minus(filled);
  return want.gt(0) ? want : null;
}

/**
 * The instrument a recorded fill is replayed on: its fee rate as the taker rate, no minimum
 * notional (the order passed it; a partial fill alone may not), and a one-level book (of the
 * quantity asked for) whose best price is the fill's own at the recorded mark. Null when the price is not a whole number of ticks
 * from the mark's (then the fill is taken at its price as the mark).
 */
function pinned(
  inst: Instrument,
  fill: EventOf<'fill'>,
  mark: Decimal | undefined,
  quantity: Decimal,
): { instrument: Instrument; mark: Decimal } {
  const { book: _book, ...flat } = inst;
  void _book;
  const bare: Instrument = { ...flat, takerFeeRate: fill.feeRate, minNotional: ZERO };
  if (!mark || mark.eq(fill.price)) return { instrument: bare, mark: fill.price };
  const buy = fill.side === 'buy';
  const top = roundToTick(inst, mark, buy ? 'up' : 'down');
  const ticks = (buy ? fill.price.minus(top) : top.minus(fill.price)).div(inst.tickSize);
  if (!ticks.isInteger()) return { instrument: bare, mark: fill.price };
  return {
    instrument: {
      ...bare,
      book: { halfSpreadTicks: ticks.toNumber(), levelStepTicks: 1, levelQuantities: [quantity] },
    },
    mark,
  };
}

/**
 * The account's events of the window replayed with `window.symbols` in `mode` (see the top of
 * this file), along `prices`, until `window.end`.
 */
export function replayUnder(
  accountId: string,
  events: readonly SeqEvent[],
  window: ReplayWindow,
  mode: MarginMode,
  instruments: Readonly<Record<string, Instrument>>,
  prices: PricePath,
  opts: ReplayOptions = {},
): Outcome {
  const start = applyEvents(
    emptyAccount(accountId),
    events.slice(0, window.from).map((e) => e.ev),
  );
  // what the record says of each order when it fills (its quantity, whether it executes as a
  // market order, whether it only reduces)
  const orderInfo = new Map<string, OrderInfo>();
  const fillOrders = new Map<number, OrderInfo>();
  for (let i = 0; i < window.to; i++) {
    const ev = events[i]!.ev;
    if (ev.type === 'orderAccepted')
      orderInfo.set(ev.order.id, {
        quantity: ev.order.quantity,
        market: !HAS_LIMIT.has(ev.order.orderType),
        reduceOnly: ev.order.reduceOnly,
        closePosition: ev.order.closePosition,
      });
    else if (ev.type === 'orderTriggered') {
      const o = orderInfo.get(ev.orderId);
      if (o) orderInfo.set(ev.orderId, { ...o, quantity: ev.quantity });
    } else if (ev.type === 'orderAmended') {
      const o = orderInfo.get(ev.orderId);
      if (o) orderInfo.set(ev.orderId, { ...o, quantity: ev.quantity });
    } else if (ev.type === 'fill' && i >= window.from) {
      const o = orderInfo.get(ev.orderId);
      if (o) fillOrders.set(i, o);
    }
  }
  const replayFilled = new Map<string, Decimal>();
  let acc: Account = { ...start, orders: {} };
  const marks: Record<string, Decimal> = { ...prices.start };
  for (const [s, p] of Object.entries(acc.positions)) marks[s] ??= p.entryPrice;
  let market: Market = { instruments, marks: { ...marks }, lastPrices: { ...marks } };
  const equityStart = summarize(acc, market).marginBalance;
  const out: Outcome = {
    mode,
    liquidations: [],
    refused: [],
    walletEnd: '0',
    equityEnd: '0',
    equityStart: equityStart.toFixed(),
    change: '0',
    realizedPnl: '0',
    fees: '0',
    funding: '0',
    openAtEnd: [],
    end: window.end,
  };
  let realized = ZERO;
  let fees = ZERO;
  let funding = ZERO;
  const switched = new Set(window.symbols);
  const pendingMode = new Set(window.symbols);
  const switchModes = (time: number) => {
    for (const s of [...pendingMode]) {
      if (acc.positions[s]) continue; // a mode changes only while flat
      const lev = acc.settings[s]?.leverage ?? 20;
      try {
        if ((acc.settings[s]?.marginMode ?? 'cross') !== mode)
          acc = setMarginMode(acc, market, s, mode, time).account;
        if ((acc.settings[s]?.leverage ?? 20) !== lev)
          acc = setLeverage(acc, market, s, lev, time).account;
      } catch {
        continue;
      }
      pendingMode.delete(s);
    }
  };
  const collect = (evs: readonly EngineEvent[]) => {
    let current: ReplayLiquidation | null = null;
    for (const ev of evs) {
      if (ev.type === 'fill') {
        realized = realized.plus(ev.realizedPnl);
        fees = fees.plus(ev.fee);
      } else if (ev.type === 'fundingPaid') funding = funding.plus(ev.amount);
      else if (ev.type === 'liquidationTriggered') {
        current = {
          time: ev.time,
          mode: ev.mode,
          symbols: [],
          markPrice: ev.markPrice ? ev.markPrice.toFixed() : null,
          fee: '0',
        };
        out.liquidations.push(current);
      } else if (ev.type === 'liquidation') {
        realized = realized.plus(ev.realizedPnl);
        fees = fees.plus(ev.fee);
        if (current) {
          current.symbols.push(ev.symbol);
          current.fee = new Decimal(current.fee).plus(ev.fee).toFixed();
        }
      }
    }
  };
  const attempt = (fn: () => Account) => {
    try {
      acc = fn();
    } catch {
      /* not possible in the replayed account (e.g. no such position): left out */
    }
  };
  const steps: Step[] = [];
  let order = 0;
  for (let i = window.from; i < window.to; i++) {
    const { seq, ev } = events[i]!;
    const n = order++;
    const at = (run: () => void) => steps.push({ time: ev.time, order: n, run });
    if (ev.type === 'fill') {
      const info = fillOrders.get(i);
      at(() => {
        switchModes(ev.time);
        const inst = instruments[ev.symbol];
        if (!inst) return;
        const quantity = replayQuantity(acc, ev, info, replayFilled.get(ev.orderId) ?? ZERO);
        if (quantity === null) return;
        const pin = pinned(inst, ev, opts.fillMarks?.get(seq), quantity);
        const m: Market = {
          ...withPrice(market, ev.symbol, { markPrice: pin.mark, lastPrice: ev.price }),
          instruments: { ...instruments, [ev.symbol]: pin.instrument },
        };
        const side: Side = ev.side;
        const reduceOnly = info !== undefined && (info.reduceOnly || info.closePosition);
        const r = placeOrder(
          acc,
          m,
          {
            symbol: ev.symbol,
            side,
            type: 'market',
            quantity,
            ...(reduceOnly ? { reduceOnly: true } : {}),
          },
          { now: ev.time },
        );
        if (r.rejected)
          out.refused.push({ time: ev.time, symbol: ev.symbol, code: r.rejected.code });
        for (const f of r.events)
          if (f.type === 'fill')
            replayFilled.set(ev.orderId, (replayFilled.get(ev.orderId) ?? ZERO).plus(f.quantity));
        acc = r.account;
        market = withPrice(market, ev.symbol, { markPrice: pin.mark, lastPrice: ev.price });
        collect(r.events);
      });
    } else if (ev.type === 'fundingPaid') {
      at(() => {
        const m = withPrice(market, ev.symbol, { markPrice: ev.markPrice });
        const r = applyFunding(acc, m, { [ev.symbol]: ev.rate }, ev.time);
        acc = r.account;
        collect(r.events);
      });
    } else if (ev.type === 'deposit') {
      at(() => attempt(() => adjustWallet(acc, ev.amount, ev.time, market).account));
    } else if (ev.type === 'leverageChanged') {
      at(() => attempt(() => setLeverage(acc, market, ev.symbol, ev.leverage, ev.time).account));
    } else if (ev.type === 'marginModeChanged' && !switched.has(ev.symbol)) {
      at(() => attempt(() => setMarginMode(acc, market, ev.symbol, ev.mode, ev.time).account));
    } else if (ev.type === 'isolatedMarginAdjusted') {
      at(() =>
        attempt(() => adjustIsolatedMargin(acc, market, ev.symbol, ev.amount, ev.time).account),
      );
    }
  }
  prices.points.forEach((p, k) => {
    if (p.time > window.end) return;
    steps.push({
      time: p.time,
      order: 1e9 + k,
      run: () => {
        const r = onPrices(
          acc,
          market,
          { [p.symbol]: { markPrice: p.markPrice, lastPrice: p.lastPrice } },
          p.time,
        );
        acc = r.account;
        market = r.market;
        collect(r.events);
      },
    });
  });
  steps.sort((a, b) => a.time - b.time || a.order - b.order);
  switchModes(window.start);
  for (const s of steps) s.run();
  if (opts.closeAtEnd) {
    const r = closeAllAtMark(acc, market, window.end, 'replayEnd');
    acc = r.account;
    collect(r.events);
  }
  const sum = summarize(acc, market);
  out.walletEnd = sum.walletBalance.toFixed();
  out.equityEnd = sum.marginBalance.toFixed();
  out.change = sum.marginBalance.minus(equityStart).toFixed();
  out.realizedPnl = realized.toFixed();
  out.fees = fees.toFixed();
  out.funding = funding.toFixed();
  out.openAtEnd = Object.values(acc.positions).map((p) => ({
    symbol: p.symbol,
    quantity: p.quantity.toFixed(),
  }));
  return out;
}
