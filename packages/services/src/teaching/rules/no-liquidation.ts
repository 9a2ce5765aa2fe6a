// "No liquidation." Each liquidation of the account is a violation at its trigger, naming the
// positions it closed and the order that opened the first of them.
import { clock, lastFillOrder, num } from './history.ts';
import type { Evaluation, RuleHistory, RuleKind, Violation } from './types.ts';

function evaluate(h: RuleHistory): Evaluation {
  const violations: Violation[] = [];
  h.steps.forEach((step, i) => {
    const ev = step.ev;
    if (ev.type !== 'liquidationTriggered') return;
    const closed: string[] = [];
    for (let k = i + 1; k < h.steps.length; k++) {
      const next = h.steps[k]!.ev;
      if (next.type === 'liquidationTriggered') break;
      if (next.type === 'liquidation')
        closed.push(`${next.symbol} ${next.side === 'sell' ? 'long' : 'short'}`);
      else if (next.type !== 'orderCanceled' && next.type !== 'positionChanged') break;
    }
    const symbol = ev.symbol ?? closed[0]?.split(' ')[0];
    const orderId = symbol ? lastFillOrder(h.steps, i, symbol) : undefined;
    const ratio = ev.marginRatio.isFinite() ? `${num(ev.marginRatio.times(100), 1)}%` : '∞';
    violations.push({
      key: `liquidation:${step.seq}`,
      at: ev.time,
      ...(symbol ? { symbol } : {}),
      ...(orderId ? { orderId } : {}),
      eventSeq: step.seq,
      message: `${ev.mode === 'cross' ? 'Cross' : 'Isolated'} liquidation at ${clock(ev.time)} of ${closed.join(', ') || symbol}${ev.markPrice ? ` (mark ${ev.markPrice.toFixed()})` : ''}, margin ratio ${ratio}.`,
      figures: {
        mode: ev.mode,
        marginBalance: ev.marginBalance.toFixed(),
        maintenanceMargin: ev.maintenanceMargin.toFixed(),
        ...(ev.markPrice ? { markPrice: ev.markPrice.toFixed() } : {}),
      },
    });
  });
  return {
    status: violations.length ? 'violated' : 'ok',
    progress: violations.length
      ? `${violations.length} liquidation${violations.length === 1 ? '' : 's'}`
      : 'no liquidation',
    violations,
  };
}

export const noLiquidationRule: RuleKind = {
  kind: 'NO_LIQUIDATION',
  title: 'No liquidation',
  params: [],
  describe: () => 'Never be liquidated.',
  evaluate,
};
