// A participant's account history as the rules read it: the stored engine events folded one at a
// time (the engine's applyEvent), each with the account before and after it and the latest price
// seen of each symbol. Plus the small helpers the rule modules share.
import {
  allPositionRisks,
  applyEvent,
  Decimal,
  emptyAccount,
  settingsOf,
  type Account,
  type Catalogue,
  type Market,
  type SeqEvent,
} from '@lab/margin-engine';
import type { HistoryStep, RuleHistory } from './types.ts';

/** Folds the events (oldest first) into steps; events after `until` are left out. */
export function historySteps(
  accountId: string,
  events: readonly SeqEvent[],
  until: number = Infinity,
): HistoryStep[] {
  const steps: HistoryStep[] = [];
  let account: Account = emptyAccount(accountId);
  let marks: Record<string, Decimal> = {};
  for (const { seq, ev } of events) {
    if (ev.time > until) break;
    const before = account;
    account = applyEvent(account, ev);
    const seen =
      ev.type === 'fill'
        ? ev.price
        : ev.type === 'fundingPaid'
          ? ev.markPrice
          : ev.type === 'liquidation'
            ? ev.price
            : ev.type === 'liquidationTriggered'
              ? ev.markPrice
              : undefined;
    if (seen && 'symbol' in ev && ev.symbol) marks = { ...marks, [ev.symbol]: seen };
    steps.push({ seq, ev, before, after: account, marks });
  }
  return steps;
}

export function ruleHistory(
  accountId: string,
  events: readonly SeqEvent[],
  o: { instruments: Catalogue; startsAt: number; endsAt: number; now: number },
): RuleHistory {
  const final = o.now >= o.endsAt;
  const now = Math.min(o.now, o.endsAt);
  return {
    accountId,
    steps: historySteps(accountId, events, o.endsAt),
    instruments: o.instruments,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    now,
    final,
  };
}

/** The market of a step: the prices seen so far (a position's entry where none was). */
export function marketAt(h: RuleHistory, step: HistoryStep): Market {
  const marks: Record<string, Decimal> = { ...step.marks };
  for (const p of Object.values(step.after.positions)) marks[p.symbol] ??= p.entryPrice;
  return { instruments: h.instruments, marks, lastPrices: marks };
}

export const leverageOf = (
  h: Pick<RuleHistory, 'instruments'>,
  a: Account,
  symbol: string,
): number => settingsOf(a, symbol, h.instruments[symbol]).leverage;

/** |quantity| of the symbol's position (0 when flat). */
export const sizeOf = (a: Account, symbol: string): Decimal =>
  a.positions[symbol]?.quantity.abs() ?? new Decimal(0);

/** The position grew, or was opened, or flipped to the other side. */
export function addedRisk(before: Account, after: Account, symbol: string): boolean {
  const b = before.positions[symbol]?.quantity;
  const a = after.positions[symbol]?.quantity;
  if (!a || a.isZero()) return false;
  if (!b || b.isZero()) return true;
  if (b.isPos() !== a.isPos()) return true;
  return a.abs().gt(b.abs());
}

export const sideOf = (q: Decimal) => (q.isPos() ? 'long' : 'short');

/** "10:02:13 UTC" */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

/** A decimal for a sentence: at most `dp` places, no trailing zeros. */
export const num = (d: Decimal, dp = 2) => d.toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN).toFixed();

/** The order whose fill last changed the symbol's position at or before step `i`. */
export function lastFillOrder(steps: readonly HistoryStep[], i: number, symbol: string) {
  for (let k = i; k >= 0; k--) {
    const ev = steps[k]!.ev;
    if (ev.type === 'fill' && ev.symbol === symbol) return ev.orderId;
  }
  return undefined;
}

/**
 * Equity (margin balance: wallet + unrealized PnL) and the margin of one position (its isolated
 * wallet, or for cross its initial margin), at the step's prices: the engine's position risks,
 * the figures summarize() reports, without the liquidation prices it also works out.
 */
export function marginShare(h: RuleHistory, step: HistoryStep, symbol: string) {
  const risks = allPositionRisks(step.after, marketAt(h, step));
  const equity = risks.reduce((e, r) => e.plus(r.unrealizedPnl), step.after.walletBalance);
  const pos = risks.find((p) => p.symbol === symbol);
  const margin = !pos
    ? new Decimal(0)
    : pos.marginMode === 'isolated'
      ? pos.isolatedWallet
      : pos.initialMargin;
  return { equity, margin };
}
