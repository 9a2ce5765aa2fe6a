// "Use isolated margin at least once": a fill on a symbol set to isolated margin, before the end.
// Pending until then; never, by the end, is one violation.
import { clock } from './history.ts';
import type { Evaluation, RuleHistory, RuleKind } from './types.ts';

function evaluate(h: RuleHistory): Evaluation {
  const first = h.steps.find(
    (s) =>
      s.ev.type === 'fill' &&
      s.ev.time < h.endsAt &&
      s.before.settings[s.ev.symbol]?.marginMode === 'isolated',
  );
  if (first)
    return {
      status: 'ok',
      progress: `isolated margin used at ${clock(first.ev.time)}`,
      violations: [],
    };
  if (!h.final) return { status: 'pending', progress: 'not used yet', violations: [] };
  return {
    status: 'violated',
    progress: 'never used',
    violations: [
      {
        key: 'final',
        at: h.endsAt,
        message:
          'Isolated margin was never used; the assignment asked for at least one trade with it.',
        figures: {},
      },
    ],
  };
}

export const isolatedOnceRule: RuleKind = {
  kind: 'ISOLATED_ONCE',
  title: 'Use isolated margin at least once',
  params: [],
  describe: () => 'Trade at least once with isolated margin.',
  evaluate,
};
