// "Never above N x leverage." A violation at each fill that opens, enlarges or flips a position
// while the symbol's leverage setting is above N (the order behind it), and at each leverage
// change above N while a position is open (the position behind it). The setting is what the
// trader chose and what sizes the margin; the competition's cap may allow more.
import { addedRisk, lastFillOrder, leverageOf } from './history.ts';
import type { Evaluation, RuleHistory, RuleKind, RuleParams, Violation } from './types.ts';

function evaluate(h: RuleHistory, params: RuleParams): Evaluation {
  const max = params.max!.toNumber();
  const violations: Violation[] = [];
  let highest = 0;
  h.steps.forEach((step, i) => {
    const ev = step.ev;
    if (ev.type === 'positionChanged' && addedRisk(step.before, step.after, ev.symbol)) {
      const lev = leverageOf(h, step.after, ev.symbol);
      highest = Math.max(highest, lev);
      if (lev <= max) return;
      const orderId = lastFillOrder(h.steps, i, ev.symbol);
      violations.push({
        key: `position:${step.seq}`,
        at: ev.time,
        symbol: ev.symbol,
        ...(orderId ? { orderId } : {}),
        eventSeq: step.seq,
        message: `${orderId ? `Order ${orderId}` : 'A fill'} added to the ${ev.symbol} position at ${lev}× leverage; the limit is ${max}×.`,
        figures: { leverage: String(lev), max: String(max), quantity: ev.quantity.toFixed() },
      });
    } else if (
      ev.type === 'leverageChanged' &&
      ev.leverage > max &&
      step.after.positions[ev.symbol]
    ) {
      highest = Math.max(highest, ev.leverage);
      violations.push({
        key: `leverage:${step.seq}`,
        at: ev.time,
        symbol: ev.symbol,
        eventSeq: step.seq,
        message: `The open ${ev.symbol} position was set to ${ev.leverage}× leverage; the limit is ${max}×.`,
        figures: { leverage: String(ev.leverage), max: String(max) },
      });
    }
  });
  return {
    status: violations.length ? 'violated' : 'ok',
    progress: highest ? `highest leverage used: ${highest}×` : 'no position yet',
    violations,
  };
}

export const maxLeverageRule: RuleKind = {
  kind: 'MAX_LEVERAGE',
  title: 'A leverage limit',
  params: [
    {
      name: 'max',
      label: 'At most',
      unit: '×',
      min: '1',
      max: '125',
      default: '5',
      integer: true,
    },
  ],
  describe: (p) => `Never trade above ${p.max!.toFixed()}× leverage.`,
  evaluate,
};
