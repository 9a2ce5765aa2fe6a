// "At least K trades." A trade is a fill (liquidations are not fills), as the leaderboard counts
// them, up to the end of the competition (the closes of the freeze after it do not count). Until
// the end the rule is pending; at the end, fewer than K is one violation.
import { Decimal } from '@lab/margin-engine';
import type { Evaluation, RuleHistory, RuleKind, RuleParams } from './types.ts';

function evaluate(h: RuleHistory, params: RuleParams): Evaluation {
  const want = params.count!.toNumber();
  const fills = h.steps.filter((s) => s.ev.type === 'fill' && s.ev.time < h.endsAt).length;
  const progress = `${fills} of ${want} trade${want === 1 ? '' : 's'}`;
  if (fills >= want) return { status: 'ok', progress, violations: [] };
  if (!h.final) return { status: 'pending', progress: `${progress} so far`, violations: [] };
  return {
    status: 'violated',
    progress,
    violations: [
      {
        key: 'final',
        at: h.endsAt,
        message: `${fills} trade${fills === 1 ? '' : 's'} by the end; the assignment asked for at least ${want}.`,
        figures: { trades: String(fills), count: String(want) },
      },
    ],
  };
}

export const minTradesRule: RuleKind = {
  kind: 'MIN_TRADES',
  title: 'A minimum number of trades',
  params: [
    {
      name: 'count',
      label: 'At least',
      unit: 'trades',
      min: '1',
      max: '1000',
      default: '5',
      integer: true,
    },
  ],
  describe: (p) => `Make at least ${new Decimal(p.count!).toFixed()} trades.`,
  evaluate,
};
