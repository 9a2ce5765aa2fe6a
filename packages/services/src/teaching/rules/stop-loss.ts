// "Every leveraged position carries a stop-loss within X% of its entry." A position above 1x
// leverage is protected while open stop orders on the other side that only reduce it
// (reduce-only, or close-position) cover its whole size, each triggering no further than X% from
// the entry (a long's stop at or above entry x (1 - X%), a short's at or below entry x (1 + X%)).
// A position may go unprotected for the grace period (the time to place a stop after an entry
// without an attached one); longer than that is one violation per unprotected stretch, at the
// moment the grace ran out, with the position and the order that opened or enlarged it.
import { Decimal, type Account } from '@lab/margin-engine';
import { clock, lastFillOrder, leverageOf, num, sideOf } from './history.ts';
import type { Evaluation, RuleHistory, RuleKind, RuleParams, Violation } from './types.ts';

const STOP_TYPES: ReadonlySet<string> = new Set(['stopMarket', 'stopLimit']);

/** Whether the symbol's position needs a stop and has one within `maxPercent` of its entry. */
export function protectedPosition(
  h: RuleHistory,
  a: Account,
  symbol: string,
  maxPercent: Decimal,
): { needs: boolean; covered: boolean } {
  const p = a.positions[symbol];
  if (!p || p.quantity.isZero() || leverageOf(h, a, symbol) <= 1)
    return { needs: false, covered: true };
  const long = p.quantity.isPos();
  const limit = long
    ? p.entryPrice.times(new Decimal(1).minus(maxPercent.div(100)))
    : p.entryPrice.times(new Decimal(1).plus(maxPercent.div(100)));
  let cover = new Decimal(0);
  for (const o of Object.values(a.orders)) {
    if (o.symbol !== symbol || !STOP_TYPES.has(o.type) || o.status !== 'untriggered') continue;
    if ((o.side === 'sell') !== long || !(o.reduceOnly || o.closePosition) || !o.stopPrice)
      continue;
    if (long ? o.stopPrice.lt(limit) : o.stopPrice.gt(limit)) continue;
    if (o.closePosition) return { needs: true, covered: true };
    cover = cover.plus(o.quantity.minus(o.filledQuantity));
  }
  return { needs: true, covered: cover.gte(p.quantity.abs()) };
}

interface Exposure {
  since: number;
  seq: number;
  orderId: string | undefined;
  reported: boolean;
  description: string;
}

function evaluate(h: RuleHistory, params: RuleParams): Evaluation {
  const maxPercent = params.maxPercent!;
  const graceMs = params.graceSeconds!.toNumber() * 1000;
  const open = new Map<string, Exposure>();
  const violations: Violation[] = [];
  const report = (symbol: string, x: Exposure) => {
    x.reported = true;
    violations.push({
      key: `unprotected:${symbol}:${x.seq}`,
      at: x.since + graceMs,
      symbol,
      ...(x.orderId ? { orderId: x.orderId } : {}),
      eventSeq: x.seq,
      message: `${x.description} had no stop-loss within ${num(maxPercent)}% of its entry for more than ${params.graceSeconds!.toFixed()} s (from ${clock(x.since)}).`,
      figures: { maxPercent: maxPercent.toFixed(), graceSeconds: params.graceSeconds!.toFixed() },
    });
  };
  // an exposure open past its grace at time t is a violation (once)
  const expire = (t: number) => {
    for (const [s, x] of open) if (!x.reported && t - x.since > graceMs) report(s, x);
  };
  h.steps.forEach((step, i) => {
    expire(step.ev.time);
    const symbols = new Set([
      ...Object.keys(step.before.positions),
      ...Object.keys(step.after.positions),
    ]);
    for (const s of symbols) {
      const { needs, covered } = protectedPosition(h, step.after, s, maxPercent);
      const x = open.get(s);
      if (needs && !covered) {
        if (!x) {
          const p = step.after.positions[s]!;
          open.set(s, {
            since: step.ev.time,
            seq: step.seq,
            orderId: lastFillOrder(h.steps, i, s),
            reported: false,
            description: `The ${s} ${sideOf(p.quantity)} of ${p.quantity.abs().toFixed()} at ${leverageOf(h, step.after, s)}× (entry ${p.entryPrice.toFixed()})`,
          });
        }
      } else if (x) open.delete(s);
    }
  });
  expire(h.now);
  const waiting = [...open.entries()].filter(([, x]) => !x.reported);
  if (violations.length)
    return {
      status: 'violated',
      progress: `${violations.length} unprotected position${violations.length === 1 ? '' : 's'}`,
      violations,
      ...(waiting.length && !h.final
        ? { recheckAt: Math.min(...waiting.map(([, x]) => x.since + graceMs + 1)) }
        : {}),
    };
  if (waiting.length && !h.final) {
    const [s, x] = waiting.reduce((a, b) => (a[1].since <= b[1].since ? a : b));
    // a time, not a countdown: the stored status stays true until the recheck
    return {
      status: 'pending',
      progress: `${s} has no stop-loss within ${num(maxPercent)}% yet: place one by ${clock(x.since + graceMs)}`,
      violations,
      recheckAt: x.since + graceMs + 1,
    };
  }
  return { status: 'ok', progress: 'every leveraged position protected', violations };
}

export const stopLossRule: RuleKind = {
  kind: 'STOP_LOSS',
  title: 'A stop-loss on every leveraged position',
  params: [
    {
      name: 'maxPercent',
      label: 'Stop within',
      unit: '%',
      min: '0.1',
      max: '50',
      default: '5',
      integer: false,
    },
    {
      name: 'graceSeconds',
      label: 'Time to place it',
      unit: 's',
      min: '0',
      max: '3600',
      default: '60',
      integer: true,
    },
  ],
  describe: (p) =>
    `Every position above 1× leverage carries a stop-loss within ${num(p.maxPercent!)}% of its entry (${p.graceSeconds!.toFixed()} s to place it).`,
  evaluate,
};
