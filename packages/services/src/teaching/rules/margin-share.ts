// "No more than P% of equity as margin in one market." Checked each time a position opens, grows
// or flips, and each time margin is added to an isolated position: the position's margin (its
// isolated wallet, or for cross its initial margin, notional / leverage) over the account's equity
// (margin balance), both valued at the prices of that moment (the engine's summarize). A
// violation names the order (or the margin added) behind it.
import type { Decimal } from '@lab/margin-engine';
import { addedRisk, lastFillOrder, marginShare, num } from './history.ts';
import type { Evaluation, RuleHistory, RuleKind, RuleParams, Violation } from './types.ts';

function evaluate(h: RuleHistory, params: RuleParams): Evaluation {
  const maxPercent = params.maxPercent!;
  const violations: Violation[] = [];
  let largest: { share: Decimal; symbol: string } | null = null;
  h.steps.forEach((step, i) => {
    const ev = step.ev;
    const grew = ev.type === 'positionChanged' && addedRisk(step.before, step.after, ev.symbol);
    const added = ev.type === 'isolatedMarginAdjusted' && ev.amount.gt(0);
    if (!grew && !added) return;
    const symbol = ev.symbol;
    const { equity, margin } = marginShare(h, step, symbol);
    const share = equity.lte(0) ? null : margin.div(equity).times(100);
    if (share && (!largest || share.gt(largest.share))) largest = { share, symbol };
    if (share && share.lte(maxPercent)) return;
    const orderId = grew ? lastFillOrder(h.steps, i, symbol) : undefined;
    violations.push({
      key: `margin:${step.seq}`,
      at: ev.time,
      symbol,
      ...(orderId ? { orderId } : {}),
      eventSeq: step.seq,
      message: `${grew ? (orderId ? `After order ${orderId}` : 'After a fill') : 'After margin was added'}, ${symbol} held ${num(margin)} USDT of margin, ${share ? `${num(share, 1)}%` : 'all'} of the ${num(equity)} USDT equity; the limit is ${num(maxPercent)}%.`,
      figures: {
        margin: margin.toFixed(),
        equity: equity.toFixed(),
        percent: share ? share.toDecimalPlaces(4).toFixed() : '',
        maxPercent: maxPercent.toFixed(),
      },
    });
  });
  const top = largest as { share: Decimal; symbol: string } | null;
  return {
    status: violations.length ? 'violated' : 'ok',
    progress: top ? `largest: ${num(top.share, 1)}% of equity in ${top.symbol}` : 'no position yet',
    violations,
  };
}

export const marginShareRule: RuleKind = {
  kind: 'MARGIN_SHARE',
  title: 'A cap on the margin in one market',
  params: [
    {
      name: 'maxPercent',
      label: 'At most',
      unit: '%',
      min: '1',
      max: '100',
      default: '25',
      integer: false,
    },
  ],
  describe: (p) => `No more than ${num(p.maxPercent!)}% of equity as margin in one market.`,
  evaluate,
};
