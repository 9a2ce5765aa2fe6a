// Order status transition table: status x action -> status. Anything else is INVALID_TRANSITION.
import { EngineError } from './errors.ts';
import type { OrderStatus } from './types.ts';

export type OrderAction = 'trigger' | 'partialFill' | 'fill' | 'cancel' | 'expire' | 'amend';

export const ORDER_TRANSITIONS: Readonly<
  Record<OrderStatus, Readonly<Partial<Record<OrderAction, OrderStatus>>>>
> = {
  untriggered: { trigger: 'new', cancel: 'canceled', expire: 'expired' },
  new: {
    partialFill: 'partiallyFilled',
    fill: 'filled',
    cancel: 'canceled',
    expire: 'expired',
    amend: 'new',
  },
  partiallyFilled: {
    partialFill: 'partiallyFilled',
    fill: 'filled',
    cancel: 'canceled',
    expire: 'expired',
    amend: 'partiallyFilled',
  },
  filled: {},
  canceled: {},
  expired: {},
};

export const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'expired']);

export function transition(status: OrderStatus, action: OrderAction): OrderStatus {
  const next = ORDER_TRANSITIONS[status][action];
  if (!next) throw new EngineError('INVALID_TRANSITION', 'status');
  return next;
}
