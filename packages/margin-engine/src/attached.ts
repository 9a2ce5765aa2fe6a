// Attached take-profit / stop-loss orders of an entry that rests: armed once it fills, canceled
// with it when it ends without a fill.
import type { Account, EngineEvent, Order } from './types.ts';

/** An attached order may trigger once its entry has filled (in part) or is gone. */
export function armed(acc: Account, o: Order): boolean {
  if (o.parentId === undefined) return true;
  const parent = acc.orders[o.parentId];
  return parent === undefined || parent.filledQuantity.gt(0);
}

/**
 * Cancel events for the attached orders of `parent` when it ends (canceled or expired) without
 * any fill: with no position from it, they would otherwise act on a later, unrelated position.
 */
export function attachedCancels(
  acc: Account,
  parent: Order,
  now: number,
  reason: string,
): EngineEvent[] {
  if (parent.filledQuantity.gt(0)) return [];
  return Object.values(acc.orders)
    .filter((o) => o.parentId === parent.id)
    .sort((a, b) => a.seq - b.seq)
    .map((o) => ({
      type: 'orderCanceled',
      accountId: acc.id,
      time: now,
      orderId: o.id,
      symbol: o.symbol,
      reason,
    }));
}
