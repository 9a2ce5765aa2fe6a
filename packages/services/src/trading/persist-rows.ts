// What one engine result writes, as plain rows: each order the events touched (its final fields
// and every status it took), the liquidations with their closes, and the positions a fill opened
// from flat or flipped. Pure functions; trading/persist.ts turns them into bulk statements.
import {
  ZERO,
  type Account,
  type Decimal,
  type EngineEvent,
  type EventOf,
  type Order,
  type OrderStatus,
} from '@lab/margin-engine';

type OrderEvent = Extract<EngineEvent, { orderId: string }> | EventOf<'orderAccepted'>;
const orderIdOf = (ev: EngineEvent): string | undefined =>
  ev.type === 'orderAccepted' ? ev.order.id : 'orderId' in ev ? ev.orderId : undefined;

export interface OrderTouch {
  id: string;
  accepted?: EventOf<'orderAccepted'>;
  before?: Order;
  quantity: Decimal;
  filled: Decimal;
  currentType: string;
  price: Decimal | undefined;
  status: OrderStatus;
  code?: string | null;
  reason?: string | null;
  fillQty: Decimal;
  fillNotional: Decimal;
  updatedAt: number;
  history: Array<{
    status: OrderStatus;
    event: string;
    code?: string;
    reason?: string;
    seq: number;
    at: number;
  }>;
}

/** Follows each order through the result's events: its final fields and every status it took. */
export function foldOrders(
  before: Account,
  events: readonly EngineEvent[],
  firstSeq: number,
): Map<string, OrderTouch> {
  const touched = new Map<string, OrderTouch>();
  events.forEach((ev, i) => {
    const id = orderIdOf(ev);
    if (id === undefined || ev.type === 'orderRejected') return;
    const seq = firstSeq + i;
    let t = touched.get(id);
    if (!t) {
      const b = before.orders[id];
      if (ev.type === 'orderAccepted') {
        const s = ev.order;
        t = {
          id,
          accepted: ev,
          quantity: s.quantity,
          filled: ZERO,
          currentType: s.orderType,
          price: s.price,
          status: s.status,
          fillQty: ZERO,
          fillNotional: ZERO,
          updatedAt: ev.time,
          history: [],
        };
      } else if (b) {
        t = {
          id,
          before: b,
          quantity: b.quantity,
          filled: b.filledQuantity,
          currentType: b.type,
          price: b.price,
          status: b.status,
          fillQty: ZERO,
          fillNotional: ZERO,
          updatedAt: ev.time,
          history: [],
        };
      } else {
        throw new Error(`engine event ${ev.type} for order ${id} that is neither open nor new`);
      }
      touched.set(id, t);
    }
    const e = ev as OrderEvent;
    t.updatedAt = e.time;
    switch (e.type) {
      case 'orderAccepted':
        t.history.push({ status: t.status, event: 'accepted', seq, at: e.time });
        break;
      case 'orderTriggered':
        t.status = 'new';
        t.quantity = e.quantity;
        t.currentType =
          t.currentType === 'stopLimit' || t.currentType === 'takeProfitLimit' ? 'limit' : 'market';
        t.history.push({ status: t.status, event: 'triggered', seq, at: e.time });
        break;
      case 'fill':
        t.filled = t.filled.plus(e.quantity);
        t.fillQty = t.fillQty.plus(e.quantity);
        t.fillNotional = t.fillNotional.plus(e.quantity.times(e.price));
        t.status = t.filled.eq(t.quantity) ? 'filled' : 'partiallyFilled';
        t.history.push({ status: t.status, event: 'fill', seq, at: e.time });
        break;
      case 'orderCanceled':
        t.status = 'canceled';
        t.reason = e.reason;
        t.history.push({ status: t.status, event: 'canceled', reason: e.reason, seq, at: e.time });
        break;
      case 'orderExpired':
        t.status = 'expired';
        t.code = e.code ?? null;
        t.reason = e.reason;
        t.history.push({
          status: t.status,
          event: 'expired',
          ...(e.code ? { code: e.code } : {}),
          reason: e.reason,
          seq,
          at: e.time,
        });
        break;
      default: {
        // orderAmended (and any later order event that changes price or quantity in place)
        const a = e as unknown as {
          type: string;
          price?: Decimal;
          quantity?: Decimal;
          time: number;
        };
        if (a.price) t.price = a.price;
        if (a.quantity) t.quantity = a.quantity;
        t.history.push({
          status: t.status,
          event: a.type === 'orderAmended' ? 'amended' : a.type.slice(0, 16),
          seq,
          at: a.time,
        });
      }
    }
  });
  return touched;
}

export interface LiquidationGroup {
  trigger: EventOf<'liquidationTriggered'>;
  seq: number;
  closes: Array<{ ev: EventOf<'liquidation'>; seq: number }>;
  canceled: string[];
}

export function groupLiquidations(
  events: readonly EngineEvent[],
  firstSeq: number,
): LiquidationGroup[] {
  const groups: LiquidationGroup[] = [];
  let cur: LiquidationGroup | undefined;
  events.forEach((ev, i) => {
    if (ev.type === 'liquidationTriggered') {
      cur = { trigger: ev, seq: firstSeq + i, closes: [], canceled: [] };
      groups.push(cur);
    } else if (ev.type === 'liquidation') {
      if (!cur) throw new Error('liquidation event without liquidationTriggered');
      cur.closes.push({ ev, seq: firstSeq + i });
    } else if (ev.type === 'orderCanceled' && ev.reason === 'liquidation' && cur) {
      cur.canceled.push(ev.orderId);
    }
  });
  return groups;
}

/**
 * Symbols whose position the events opened from flat or flipped (its openedAt restarts), with
 * the time it happened.
 */
export function reopenedPositions(
  before: Account,
  events: readonly EngineEvent[],
): Map<string, number> {
  const reopened = new Map<string, number>();
  const sign = new Map<string, number>();
  for (const [s, p] of Object.entries(before.positions)) sign.set(s, p.quantity.isPos() ? 1 : -1);
  for (const ev of events) {
    if (ev.type !== 'positionChanged') continue;
    const prev = sign.get(ev.symbol) ?? 0;
    const next = ev.quantity.isZero() ? 0 : ev.quantity.isPos() ? 1 : -1;
    if (next !== 0 && next !== prev) reopened.set(ev.symbol, ev.time);
    sign.set(ev.symbol, next);
  }
  return reopened;
}
