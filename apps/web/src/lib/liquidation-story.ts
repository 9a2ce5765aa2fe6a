// A liquidation explained: the account's stored events replayed up to the trigger (the margin
// ratio over time, at each candle's close), the numbers at the trigger, and where the liquidated
// positions began: the window that the margin engine's counterfactual (`replayUnder`, shared with
// the server's class report) replays under the other margin mode along the same candles.
//
// The stored marks are not kept minute by minute, so the candles stand in for them: the replay of
// the mode that really applied is shown beside the record, to say how close the method comes.
import {
  applyEvents,
  candleCloseAt,
  emptyAccount,
  summarize,
  type Account,
  type Candle,
  type Decimal,
  type EventOf,
  type Instrument,
  type Market,
  type ReplayWindow,
  type SeqEvent,
} from '@lab/margin-engine';

type Indexed = SeqEvent;

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
  const point = (time: number, useEntries: boolean) => {
    while (i < t && events[i]!.ev.time <= time) acc = applyEvents(acc, [events[i++]!.ev]);
    const marks: Record<string, Decimal> = {};
    for (const s of frame.priced) {
      const c = useEntries ? null : candleCloseAt(candles[s], time, interval);
      const m = c ?? acc.positions[s]?.entryPrice;
      if (m) marks[s] = m;
    }
    if (!Object.keys(acc.positions).every((s) => marks[s])) return;
    out.push({
      time,
      ratio: compartmentRatio(acc, marketAt(instruments, marks), frame.compartment),
    });
  };
  // as the position opened (at its entry), then at each candle's close, then the trigger
  point(frame.windowStart, true);
  const start = Math.floor(frame.windowStart / interval) * interval;
  for (let time = start + interval; time < frame.trigger.time; time += interval) point(time, false);
  const r = frame.trigger.marginRatio;
  out.push({ time: frame.trigger.time, ratio: r.isFinite() ? r.toNumber() : null });
  return out;
}

/** The window of the counterfactual: the story's positions from where they began to the horizon. */
export function storyWindow(
  events: readonly Indexed[],
  frame: StoryFrame,
  horizonEnd: number,
): ReplayWindow {
  return {
    from: frame.windowIndex,
    to: events.findIndex((e) => e.ev === frame.trigger),
    start: frame.windowStart,
    end: horizonEnd,
    symbols: frame.symbols,
  };
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
