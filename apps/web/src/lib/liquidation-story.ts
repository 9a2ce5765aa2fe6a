// A liquidation explained, by the margin engine in the browser: the account's stored events
// replayed up to the trigger (the margin ratio over time, at each candle's close), the numbers at
// the trigger, and the same trades replayed under the other margin mode along the same prices.
//
// The replay: from the moment the liquidated positions opened, every fill is taken again at its
// own price and fee rate, funding at its own rate and mark, deposits and leverage changes as they
// were; between them the marks follow the candles (each candle's extremes, then its close). The
// stored marks are not kept minute by minute, so the candles stand in for them: the replay of the
// mode that really applied is shown beside the record, to say how close the method comes.
import {
  adjustIsolatedMargin,
  adjustWallet,
  applyEvents,
  applyFunding,
  Decimal,
  emptyAccount,
  eventFromJson,
  onPrices,
  placeOrder,
  setLeverage,
  setMarginMode,
  summarize,
  withPrice,
  type Account,
  type EngineEvent,
  type EventOf,
  type Instrument,
  type MarginMode,
  type Market,
} from '@lab/margin-engine';

/** The engine's event types (the account's stream also holds account events: renames, ...). */
const ENGINE_TYPES: ReadonlySet<string> = new Set<EngineEvent['type']>([
  'accountOpened',
  'deposit',
  'orderAccepted',
  'orderRejected',
  'orderTriggered',
  'orderCanceled',
  'orderAmended',
  'orderExpired',
  'fill',
  'positionChanged',
  'leverageChanged',
  'marginModeChanged',
  'isolatedMarginAdjusted',
  'fundingPaid',
  'liquidationTriggered',
  'liquidation',
]);

export interface StoredEvent {
  seq: number;
  type: string;
  payload?: unknown;
}

export interface Candle {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

interface Indexed {
  seq: number;
  ev: EngineEvent;
}

/** The account's engine events, oldest first. */
export function engineEvents(stored: readonly StoredEvent[]): Indexed[] {
  return stored
    .filter((e) => ENGINE_TYPES.has(e.type))
    .map((e) => ({ seq: e.seq, ev: eventFromJson(e.payload) }));
}

export interface StoryFrame {
  trigger: EventOf<'liquidationTriggered'>;
  /** The liquidation's closes (its `liquidation` events). */
  closes: Array<EventOf<'liquidation'>>;
  /** The compartment: 'cross', or the isolated symbol. */
  compartment: string;
  /** Symbols whose positions the compartment held at the trigger. */
  symbols: string[];
  /** Every symbol with a position during the window (their prices move the account). */
  priced: string[];
  /** Index (in the engine events) of the first fill of the liquidated positions. */
  windowIndex: number;
  windowStart: number;
  /** The account just before the trigger. */
  before: Account;
  /** And just after the liquidation. */
  after: Account;
}

/** Finds the trigger, its closes, and where the liquidated positions began. */
export function frameStory(
  accountId: string,
  events: readonly Indexed[],
  triggerSeq: number,
): StoryFrame | null {
  const t = events.findIndex((e) => e.seq === triggerSeq);
  const trigger = events[t]?.ev;
  if (!trigger || trigger.type !== 'liquidationTriggered') return null;
  const closes: Array<EventOf<'liquidation'>> = [];
  let end = t + 1;
  for (; end < events.length; end++) {
    const ev = events[end]!.ev;
    if (ev.type === 'liquidationTriggered') break;
    if (ev.type === 'liquidation') closes.push(ev);
    else if (ev.type !== 'orderCanceled' && ev.type !== 'positionChanged') break;
  }
  const before = applyEvents(
    emptyAccount(accountId),
    events.slice(0, t).map((e) => e.ev),
  );
  const after = applyEvents(
    before,
    events.slice(t, end).map((e) => e.ev),
  );
  const modeOf = (s: string) => before.settings[s]?.marginMode ?? 'cross';
  const symbols =
    trigger.mode === 'isolated' && trigger.symbol
      ? [trigger.symbol]
      : Object.keys(before.positions).filter((s) => modeOf(s) === 'cross');
  // where each of them last opened from flat
  const opened = new Map<string, number>();
  const qty = new Map<string, Decimal>();
  for (let i = 0; i < t; i++) {
    const ev = events[i]!.ev;
    if (ev.type !== 'positionChanged') continue;
    const was = qty.get(ev.symbol);
    if (!was || was.isZero()) opened.set(ev.symbol, i);
    qty.set(ev.symbol, ev.quantity);
  }
  let windowIndex = t;
  for (const s of symbols) {
    const pc = opened.get(s);
    if (pc === undefined) continue;
    // the fill that opened it comes just before its positionChanged
    let i = pc;
    while (i > 0 && events[i - 1]!.ev.type === 'fill') i--;
    windowIndex = Math.min(windowIndex, i);
  }
  const priced = new Set<string>(symbols);
  const atWindow = applyEvents(
    emptyAccount(accountId),
    events.slice(0, windowIndex).map((e) => e.ev),
  );
  for (const s of Object.keys(atWindow.positions)) priced.add(s);
  for (let i = windowIndex; i < t; i++) {
    const ev = events[i]!.ev;
    if (ev.type === 'fill') priced.add(ev.symbol);
  }
  return {
    trigger,
    closes,
    compartment: trigger.mode === 'isolated' ? (trigger.symbol ?? '') : 'cross',
    symbols,
    priced: [...priced].sort(),
    windowIndex,
    windowStart: events[windowIndex]?.ev.time ?? trigger.time,
    before,
    after,
  };
}

/** The compartment's margin ratio (maintenance / margin balance); null when infinite. */
function compartmentRatio(acc: Account, market: Market, compartment: string): number | null {
  const sum = summarize(acc, market);
  if (compartment === 'cross') {
    if (sum.crossMaintenanceMargin.isZero()) return 0;
    return sum.crossMarginRatio.isFinite() ? sum.crossMarginRatio.toNumber() : null;
  }
  const p = sum.positions.find((x) => x.symbol === compartment);
  if (!p) return 0;
  const mb = p.isolatedWallet.plus(p.unrealizedPnl);
  return mb.lte(0) ? null : p.maintenanceMargin.div(mb).toNumber();
}

function marketAt(
  instruments: Readonly<Record<string, Instrument>>,
  marks: Readonly<Record<string, Decimal>>,
): Market {
  return { instruments, marks, lastPrices: marks };
}

/** The close at or before `t` of a symbol's candles (sorted), else its first open. */
function closeAt(candles: readonly Candle[] | undefined, t: number, interval: number) {
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

export interface RatioPoint {
  time: number;
  /** For drawing only; null: infinite (margin balance at or below zero). */
  ratio: number | null;
}

/**
 * The recorded account's compartment margin ratio at each candle's close from the window's
 * start to the trigger, and the engine's own figure at the trigger.
 */
export function ratioSeries(
  accountId: string,
  events: readonly Indexed[],
  frame: StoryFrame,
  instruments: Readonly<Record<string, Instrument>>,
  candles: Readonly<Record<string, readonly Candle[]>>,
  interval: number,
): RatioPoint[] {
  const t = events.findIndex((e) => e.ev === frame.trigger);
  let acc = applyEvents(
    emptyAccount(accountId),
    events.slice(0, frame.windowIndex).map((e) => e.ev),
  );
  let i = frame.windowIndex;
  const out: RatioPoint[] = [];
  const start = Math.floor(frame.windowStart / interval) * interval;
  for (let time = start + interval; time < frame.trigger.time; time += interval) {
    while (i < t && events[i]!.ev.time <= time) acc = applyEvents(acc, [events[i++]!.ev]);
    const marks: Record<string, Decimal> = {};
    for (const s of frame.priced) {
      const c = closeAt(candles[s], time, interval);
      if (c) marks[s] = c;
    }
    if (!Object.keys(acc.positions).every((s) => marks[s])) continue;
    out.push({
      time,
      ratio: compartmentRatio(acc, marketAt(instruments, marks), frame.compartment),
    });
  }
  const r = frame.trigger.marginRatio;
  out.push({ time: frame.trigger.time, ratio: r.isFinite() ? r.toNumber() : null });
  return out;
}

export interface Outcome {
  mode: MarginMode;
  liquidations: Array<{
    time: number;
    mode: MarginMode;
    symbols: string[];
    markPrice: string | null;
    fee: string;
  }>;
  /** Fills the engine refused under this mode (their code). */
  refused: Array<{ time: number; symbol: string; code: string }>;
  walletEnd: string;
  equityEnd: string;
  /** Equity at the end less equity when the positions opened. */
  change: string;
  openAtEnd: Array<{ symbol: string; quantity: string }>;
  end: number;
}

interface Step {
  time: number;
  order: number;
  run: () => void;
}

/**
 * The same trades from the window's start to `horizonEnd`, with the liquidated compartment's
 * symbols in `mode`: every fill at its price and fee rate, funding, deposits and leverage changes
 * as they were, the marks along the candles in between. The original liquidation is not replayed:
 * the engine decides what happens.
 */
export function replayUnder(
  accountId: string,
  events: readonly Indexed[],
  frame: StoryFrame,
  mode: MarginMode,
  instruments: Readonly<Record<string, Instrument>>,
  candles: Readonly<Record<string, readonly Candle[]>>,
  interval: number,
  horizonEnd: number,
): Outcome {
  const t = events.findIndex((e) => e.ev === frame.trigger);
  const start = applyEvents(
    emptyAccount(accountId),
    events.slice(0, frame.windowIndex).map((e) => e.ev),
  );
  // only the fills are taken again: resting orders are left out
  let acc: Account = { ...start, orders: {} };
  const marks: Record<string, Decimal> = {};
  for (const s of frame.priced) {
    const c = closeAt(candles[s], frame.windowStart, interval);
    if (c) marks[s] = c;
  }
  for (const [s, p] of Object.entries(acc.positions)) marks[s] ??= p.entryPrice;
  let market = marketAt(instruments, { ...marks });
  const equityOf = (a: Account) => summarize(a, market).marginBalance;
  const equityStart = equityOf(acc);
  const out: Outcome = {
    mode,
    liquidations: [],
    refused: [],
    walletEnd: '0',
    equityEnd: '0',
    change: '0',
    openAtEnd: [],
    end: horizonEnd,
  };
  const pendingMode = new Set(frame.symbols);
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
    let current: Outcome['liquidations'][number] | null = null;
    for (const ev of evs) {
      if (ev.type === 'liquidationTriggered') {
        current = {
          time: ev.time,
          mode: ev.mode,
          symbols: [],
          markPrice: ev.markPrice ? ev.markPrice.toFixed() : null,
          fee: '0',
        };
        out.liquidations.push(current);
      } else if (ev.type === 'liquidation' && current) {
        current.symbols.push(ev.symbol);
        current.fee = new Decimal(current.fee).plus(ev.fee).toFixed();
      }
    }
  };
  const steps: Step[] = [];
  let order = 0;
  for (let i = frame.windowIndex; i < t; i++) {
    const ev = events[i]!.ev;
    const n = order++;
    if (ev.type === 'fill') {
      steps.push({
        time: ev.time,
        order: n,
        run: () => {
          switchModes(ev.time);
          const inst = instruments[ev.symbol];
          if (!inst) return;
          const { book: _book, ...flat } = inst;
          void _book;
          const m: Market = {
            ...withPrice(market, ev.symbol, { markPrice: ev.price, lastPrice: ev.price }),
            instruments: { ...instruments, [ev.symbol]: { ...flat, takerFeeRate: ev.feeRate } },
          };
          const r = placeOrder(
            acc,
            m,
            { symbol: ev.symbol, side: ev.side, type: 'market', quantity: ev.quantity },
            { now: ev.time },
          );
          if (r.rejected)
            out.refused.push({ time: ev.time, symbol: ev.symbol, code: r.rejected.code });
          acc = r.account;
          market = withPrice(market, ev.symbol, { markPrice: ev.price, lastPrice: ev.price });
          collect(r.events);
        },
      });
    } else if (ev.type === 'fundingPaid') {
      steps.push({
        time: ev.time,
        order: n,
        run: () => {
          const m = withPrice(market, ev.symbol, { markPrice: ev.markPrice });
          const r = applyFunding(acc, m, { [ev.symbol]: ev.rate }, ev.time);
          acc = r.account;
          collect(r.events);
        },
      });
    } else if (ev.type === 'deposit') {
      steps.push({
        time: ev.time,
        order: n,
        run: () => {
          try {
            acc = adjustWallet(acc, ev.amount, ev.time, market).account;
          } catch {
            /* a withdrawal the other mode cannot afford: left out */
          }
        },
      });
    } else if (ev.type === 'leverageChanged') {
      steps.push({
        time: ev.time,
        order: n,
        run: () => {
          try {
            acc = setLeverage(acc, market, ev.symbol, ev.leverage, ev.time).account;
          } catch {
            /* not allowed on the replayed position: kept as it was */
          }
        },
      });
    } else if (ev.type === 'isolatedMarginAdjusted') {
      steps.push({
        time: ev.time,
        order: n,
        run: () => {
          try {
            acc = adjustIsolatedMargin(acc, market, ev.symbol, ev.amount, ev.time).account;
          } catch {
            /* no isolated position under this mode */
          }
        },
      });
    }
  }
  // the marks between: each candle's extremes (in the order a candle of that colour likely
  // met them), then its close
  const from = Math.floor(frame.windowStart / interval) * interval;
  for (const s of frame.priced) {
    for (const c of candles[s] ?? []) {
      if (c.openTime < from || c.openTime > horizonEnd) continue;
      const up = new Decimal(c.close).gte(c.open);
      const path = up ? [c.low, c.high, c.close] : [c.high, c.low, c.close];
      path.forEach((p, k) => {
        const time = c.openTime + Math.round(((k + 1) * interval) / 4);
        if (time > horizonEnd) return;
        steps.push({
          time,
          order: 1e9 + k,
          run: () => {
            const r = onPrices(
              acc,
              market,
              { [s]: { markPrice: new Decimal(p), lastPrice: new Decimal(p) } },
              time,
            );
            acc = r.account;
            market = r.market;
            collect(r.events);
          },
        });
      });
    }
  }
  steps.sort((a, b) => a.time - b.time || a.order - b.order);
  switchModes(frame.windowStart);
  for (const s of steps) s.run();
  const sum = summarize(acc, market);
  out.walletEnd = sum.walletBalance.toFixed();
  out.equityEnd = sum.marginBalance.toFixed();
  out.change = sum.marginBalance.minus(equityStart).toFixed();
  out.openAtEnd = Object.values(acc.positions).map((p) => ({
    symbol: p.symbol,
    quantity: p.quantity.toFixed(),
  }));
  return out;
}

/** A candle interval (ms) that covers the span in at most `max` candles. */
export function intervalFor(
  spanMs: number,
  max = 1400,
): { name: '1m' | '5m' | '15m' | '1h' | '4h' | '1d'; ms: number } {
  const all = [
    ['1m', 60_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
  ] as const;
  for (const [name, ms] of all) if (spanMs / ms <= max) return { name, ms };
  return { name: '1d', ms: 86_400_000 };
}
