// The rule set a host picks from. A new rule is one module (a RuleKind) listed here, with its
// own tests; everything else (the host's form, the checks, the reports) reads this list.
import { Decimal } from '@lab/margin-engine';
import { AppError } from '../../errors.ts';
import { isolatedOnceRule } from './isolated-once.ts';
import { marginShareRule } from './margin-share.ts';
import { maxLeverageRule } from './max-leverage.ts';
import { minTradesRule } from './min-trades.ts';
import { noLiquidationRule } from './no-liquidation.ts';
import { stopLossRule } from './stop-loss.ts';
import type { RuleKind, RuleParams } from './types.ts';

export const RULE_KINDS: readonly RuleKind[] = [
  stopLossRule,
  maxLeverageRule,
  marginShareRule,
  minTradesRule,
  isolatedOnceRule,
  noLiquidationRule,
];

const BY_KIND = new Map(RULE_KINDS.map((k) => [k.kind, k]));

export function ruleKind(kind: string): RuleKind {
  const k = BY_KIND.get(kind);
  if (!k)
    throw new AppError(
      'VALIDATION',
      `${kind} is not a rule of the set (${RULE_KINDS.map((r) => r.kind).join(', ')}).`,
      { field: 'kind' },
    );
  return k;
}

/**
 * The rule's numbers from what the host sent (decimal strings; a missing one takes its default),
 * each within its bounds; a refusal names the field and the bound.
 */
export function parseParams(kind: RuleKind, raw: Readonly<Record<string, string>>): RuleParams {
  const out: Record<string, Decimal> = {};
  for (const key of Object.keys(raw))
    if (!kind.params.some((p) => p.name === key))
      throw new AppError('VALIDATION', `“${kind.title}” has no number called ${key}.`, {
        field: `params.${key}`,
      });
  for (const p of kind.params) {
    const text = raw[p.name] ?? p.default;
    const field = `params.${p.name}`;
    let v: Decimal;
    try {
      v = new Decimal(text);
    } catch {
      throw new AppError('VALIDATION', `${p.label} must be a number.`, { field });
    }
    const bounds = `${p.min} to ${p.max}${p.unit === '%' ? '%' : ` ${p.unit}`}`;
    if (!v.isFinite() || v.lt(p.min) || v.gt(p.max))
      throw new AppError('VALIDATION', `${kind.title}: ${p.label.toLowerCase()} is ${bounds}.`, {
        field,
      });
    if (p.integer && !v.isInteger())
      throw new AppError(
        'VALIDATION',
        `${kind.title}: ${p.label.toLowerCase()} is a whole number.`,
        {
          field,
        },
      );
    if (v.decimalPlaces() > 4)
      throw new AppError(
        'VALIDATION',
        `${kind.title}: ${p.label.toLowerCase()} has at most 4 decimal places.`,
        {
          field,
        },
      );
    out[p.name] = v;
  }
  return out;
}

/** Stored params (JSON of decimal strings) back to numbers. */
export function storedParams(kind: RuleKind, json: unknown): RuleParams {
  const raw =
    json && typeof json === 'object'
      ? Object.fromEntries(
          Object.entries(json as Record<string, unknown>).filter(
            ([k, v]) => typeof v === 'string' && kind.params.some((p) => p.name === k),
          ),
        )
      : {};
  return parseParams(kind, raw as Record<string, string>);
}

export type { RuleKind, RuleParams } from './types.ts';
