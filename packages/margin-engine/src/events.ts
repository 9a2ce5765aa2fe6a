// Folding events into account state. Every state change of the engine goes through applyEvent,
// so replaying an account's events from the start reproduces its state exactly.
import { ZERO, type Decimal } from './decimal.ts';
import { EngineError } from './errors.ts';
import { TERMINAL, transition } from './order-lifecycle.ts';
import type { Account, EngineEvent, EventType, Order, Position } from './types.ts';

/**
 * Every event type of the engine, once: an account's stored stream also holds events that are not
 * the engine's (renames, resets' summaries, ...), which replay must skip. The record's type makes
 * a new event type a compile error until it is listed here.
 */
const EVENT_TYPE_RECORD: Readonly<Record<EventType, true>> = {
  accountOpened: true,
  deposit: true,
  orderAccepted: true,
  orderRejected: true,
  orderTriggered: true,
  orderCanceled: true,
  orderAmended: true,
  orderExpired: true,
  fill: true,
  positionChanged: true,
  leverageChanged: true,
  marginModeChanged: true,
  isolatedMarginAdjusted: true,
  fundingPaid: true,
  liquidationTriggered: true,
  liquidation: true,
};

export const ENGINE_EVENT_TYPES: readonly EventType[] = Object.freeze(
  Object.keys(EVENT_TYPE_RECORD) as EventType[],
);

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(ENGINE_EVENT_TYPES);

/** Whether a stored event's type is one of the engine's (and so folds into the account). */
export const isEngineEventType = (type: string): type is EventType => EVENT_TYPE_SET.has(type);

export function emptyAccount(id: string): Account {
  return { id, walletBalance: ZERO, settings: {}, positions: {}, orders: {}, nextSeq: 1 };
}

function withOrder(a: Account, o: Order): Account {
  const orders = { ...a.orders };
  if (TERMINAL.has(o.status)) delete orders[o.id];
  else orders[o.id] = o;
  return { ...a, orders };
}

function getOrder(a: Account, id: string): Order {
  const o = a.orders[id];
  if (!o) throw new EngineError('ORDER_NOT_FOUND', 'orderId');
  return o;
}

function withPosition(a: Account, p: Position): Account {
  const positions = { ...a.positions };
  if (p.quantity.isZero()) delete positions[p.symbol];
  else positions[p.symbol] = p;
  return { ...a, positions };
}

function addToIsolated(a: Account, symbol: string, amount: Decimal): Account {
  const p = a.positions[symbol];
  if (!p || (a.settings[symbol]?.marginMode ?? 'cross') !== 'isolated') return a;
  return withPosition(a, { ...p, isolatedWallet: p.isolatedWallet.plus(amount) });
}

/** Apply one event to an account, returning a new account (input untouched). */
export function applyEvent(a: Account, ev: EngineEvent): Account {
  switch (ev.type) {
    case 'accountOpened':
      return { ...emptyAccount(ev.accountId), walletBalance: ev.walletBalance };
    case 'deposit':
      return { ...a, walletBalance: a.walletBalance.plus(ev.amount) };
    case 'orderAccepted': {
      const s = ev.order;
      const order: Order = {
        id: s.id,
        clientOrderId: s.clientOrderId,
        symbol: s.symbol,
        side: s.side,
        type: s.orderType,
        quantity: s.quantity,
        filledQuantity: ZERO,
        price: s.price,
        stopPrice: s.stopPrice,
        timeInForce: s.timeInForce,
        reduceOnly: s.reduceOnly,
        closePosition: s.closePosition,
        workingType: s.workingType,
        status: s.status,
        createdAt: ev.time,
        seq: s.seq,
        ...(s.parentId !== undefined ? { parentId: s.parentId } : {}),
      };
      return { ...withOrder(a, order), nextSeq: Math.max(a.nextSeq, s.seq + 1) };
    }
    case 'orderRejected':
    case 'liquidationTriggered':
      return a;
    case 'orderTriggered': {
      const o = getOrder(a, ev.orderId);
      const isLimit = o.type === 'stopLimit' || o.type === 'takeProfitLimit';
      return withOrder(a, {
        ...o,
        status: transition(o.status, 'trigger'),
        quantity: ev.quantity,
        type: isLimit ? 'limit' : 'market',
      });
    }
    case 'orderCanceled': {
      const o = getOrder(a, ev.orderId);
      return withOrder(a, { ...o, status: transition(o.status, 'cancel') });
    }
    case 'orderAmended': {
      const o = getOrder(a, ev.orderId);
      if (o.type !== 'limit' || ev.quantity.lte(o.filledQuantity))
        throw new EngineError('INVALID_TRANSITION', 'quantity');
      return withOrder(a, {
        ...o,
        status: transition(o.status, 'amend'),
        price: ev.price,
        quantity: ev.quantity,
      });
    }
    case 'orderExpired': {
      const o = getOrder(a, ev.orderId);
      return withOrder(a, { ...o, status: transition(o.status, 'expire') });
    }
    case 'fill': {
      const o = getOrder(a, ev.orderId);
      const filled = o.filledQuantity.plus(ev.quantity);
      if (filled.gt(o.quantity)) throw new EngineError('INVALID_TRANSITION', 'quantity');
      const status = transition(o.status, filled.eq(o.quantity) ? 'fill' : 'partialFill');
      const next = withOrder(a, { ...o, filledQuantity: filled, status });
      return {
        ...next,
        walletBalance: next.walletBalance.plus(ev.realizedPnl).minus(ev.fee).plus(ev.shortfall),
      };
    }
    case 'positionChanged':
      return withPosition(a, {
        symbol: ev.symbol,
        quantity: ev.quantity,
        entryPrice: ev.entryPrice,
        costBasis: ev.costBasis,
        isolatedWallet: ev.isolatedWallet,
      });
    case 'leverageChanged':
      return {
        ...a,
        settings: {
          ...a.settings,
          [ev.symbol]: {
            marginMode: a.settings[ev.symbol]?.marginMode ?? 'cross',
            leverage: ev.leverage,
          },
        },
      };
    case 'marginModeChanged':
      return {
        ...a,
        settings: { ...a.settings, [ev.symbol]: { leverage: ev.leverage, marginMode: ev.mode } },
      };
    case 'isolatedMarginAdjusted':
      return addToIsolated(a, ev.symbol, ev.amount);
    case 'fundingPaid':
      return addToIsolated(
        { ...a, walletBalance: a.walletBalance.plus(ev.amount) },
        ev.symbol,
        ev.amount,
      );
    case 'liquidation':
      return {
        ...a,
        walletBalance: a.walletBalance.plus(ev.realizedPnl).minus(ev.fee).plus(ev.shortfall),
      };
  }
}

export function applyEvents(a: Account, events: readonly EngineEvent[]): Account {
  return events.reduce(applyEvent, a);
}

/** Fold an account's full event stream (starting with accountOpened) into its state. */
export function replay(accountId: string, events: readonly EngineEvent[]): Account {
  return applyEvents(emptyAccount(accountId), events);
}

export function openAccount(
  id: string,
  walletBalance: Decimal,
  time: number,
): { account: Account; events: EngineEvent[] } {
  const events: EngineEvent[] = [{ type: 'accountOpened', accountId: id, time, walletBalance }];
  return { account: applyEvents(emptyAccount(id), events), events };
}
