// JSON forms of events and accounts: every Decimal becomes a plain decimal string and back.
import { Decimal, str } from './decimal.ts';
import type { Account, EngineEvent } from './types.ts';

type Json = string | number | boolean | null | undefined | Json[] | { [k: string]: Json };

/** A Decimal as a plain decimal string; null when it is not finite (an infinite margin ratio). */
export const decimalJson = (v: Decimal): string | null => (v.isFinite() ? str(v) : null);

/** Fields whose null means an infinite ratio (see decimalJson). */
const RATIO_FIELDS: ReadonlySet<string> = new Set(['marginRatio', 'crossMarginRatio']);

/**
 * Deep-convert Decimals to decimal strings (undefined fields dropped by JSON.stringify). A
 * non-finite Decimal (only a margin ratio can be: infinite when the margin balance is <= 0 with
 * maintenance due) becomes null, so every string amount stays a plain decimal.
 */
export function toJson(v: unknown): Json {
  if (
    v instanceof Decimal ||
    (v !== null && typeof v === 'object' && 'toFixed' in v && 'd' in v && 'e' in v)
  )
    return decimalJson(v as Decimal);
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    // for...in, not Object.entries: the same keys in the same order (plain objects inherit no
    // enumerable keys) without an array of pairs per object: 6% of what the worker's
    // liquidation cascade allocated
    const out: Record<string, Json> = {};
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (x !== undefined) out[k] = toJson(x);
    }
    return out;
  }
  return v as Json;
}

const DECIMAL_FIELDS: ReadonlySet<string> = new Set([
  'walletBalance',
  'amount',
  'quantity',
  'filledQuantity',
  'price',
  'stopPrice',
  'triggerPrice',
  'feeRate',
  'fee',
  'realizedPnl',
  'entryPrice',
  'costBasis',
  'isolatedWallet',
  'isolatedTransfer',
  'rate',
  'markPrice',
  'positionQuantity',
  'uncollected',
  'marginBalance',
  'maintenanceMargin',
  'marginRatio',
  'shortfall',
  'marginBalanceBefore',
  'maintenanceMarginBefore',
  'marginBalanceAfter',
  'maintenanceMarginAfter',
]);

function revive(v: unknown, key?: string): unknown {
  if (typeof v === 'string' && key !== undefined && DECIMAL_FIELDS.has(key)) return new Decimal(v);
  if (v === null && key !== undefined && RATIO_FIELDS.has(key)) return new Decimal(Infinity);
  if (Array.isArray(v)) return v.map((x) => revive(x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = revive(x, k);
    return out;
  }
  return v;
}

export function eventToJson(ev: EngineEvent): Json {
  return toJson(ev);
}

export function eventFromJson(j: unknown): EngineEvent {
  const ev = revive(j) as EngineEvent & { order?: Record<string, unknown> };
  if (ev.type === 'orderAccepted') {
    const o = ev.order as unknown as Record<string, unknown>;
    for (const k of ['clientOrderId', 'price', 'stopPrice']) if (!(k in o)) o[k] = undefined;
  }
  if (ev.type === 'fill' && !(ev.shortfall instanceof Decimal)) {
    // fills stored before insurance could cover one
    (ev as { shortfall: Decimal }).shortfall = new Decimal(0);
  }
  if (ev.type === 'positionChanged' && !(ev.costBasis instanceof Decimal)) {
    // events stored before the exact cost basis existed: the cost of |q| at the entry price
    (ev as { costBasis: Decimal }).costBasis = ev.quantity.abs().times(ev.entryPrice);
  }
  if (
    ev.type === 'orderRejected' ||
    ev.type === 'liquidationTriggered' ||
    ev.type === 'orderExpired'
  ) {
    const e = ev as unknown as Record<string, unknown>;
    for (const k of ['clientOrderId', 'field', 'symbol', 'markPrice', 'code'])
      if (!(k in e)) e[k] = undefined;
  }
  return ev;
}

export function accountToJson(a: Account): Json {
  const orders = Object.values(a.orders).sort((x, y) => x.seq - y.seq);
  const positions = Object.values(a.positions).sort((x, y) => (x.symbol < y.symbol ? -1 : 1));
  const settings = Object.keys(a.settings)
    .sort()
    .map((s) => ({ symbol: s, ...a.settings[s] }));
  return toJson({
    id: a.id,
    walletBalance: a.walletBalance,
    nextSeq: a.nextSeq,
    settings,
    positions,
    orders,
  });
}
