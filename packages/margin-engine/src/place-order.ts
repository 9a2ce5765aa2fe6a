// placeOrder: validate, accept, execute the taker part, check risk; a rejection changes nothing.
import { ERROR_MESSAGES, EngineError, type ErrorCode } from './errors.ts';
import { applyEvent, applyEvents } from './events.ts';
import { riskCheck, takerPhase } from './execution.ts';
import { addsRisk } from './risk.ts';
import { liquidate, needsLiquidation } from './liquidation.ts';
import { isConditional, validateOrder, type ValidOrder } from './validate.ts';
import type {
  Account,
  EngineEvent,
  EngineResult,
  Market,
  OrderRequest,
  OrderSnapshot,
} from './types.ts';

export interface PlaceContext {
  now: number;
  /** Order id to use; defaults to `${accountId}-${seq}` from the account's sequence. */
  orderId?: string;
}

export interface PlaceResult extends EngineResult {
  /** Set when the order was rejected (then `account` is the input account and events is [orderRejected]). */
  rejected?: EngineError;
}

export function rejection(
  account: Account,
  req: OrderRequest,
  err: EngineError,
  now: number,
): PlaceResult {
  const ev: EngineEvent = {
    type: 'orderRejected',
    accountId: account.id,
    time: now,
    symbol: req.symbol,
    clientOrderId: req.clientOrderId,
    code: err.code,
    message: ERROR_MESSAGES[err.code],
    field: err.field,
  };
  return { account, events: [ev], rejected: err };
}

function snapshot(v: ValidOrder, id: string, seq: number, parentId?: string): OrderSnapshot {
  return {
    id,
    clientOrderId: v.clientOrderId,
    symbol: v.symbol,
    side: v.side,
    orderType: v.type,
    quantity: v.quantity,
    price: v.price,
    stopPrice: v.stopPrice,
    timeInForce: v.timeInForce,
    reduceOnly: v.reduceOnly,
    closePosition: v.closePosition,
    workingType: v.workingType,
    status: isConditional(v.type) ? 'untriggered' : 'new',
    seq,
    ...(parentId !== undefined ? { parentId } : {}),
  };
}

function attachedRequests(req: OrderRequest): OrderRequest[] {
  const side = req.side === 'buy' ? 'sell' : 'buy';
  const out: OrderRequest[] = [];
  const common = {
    symbol: req.symbol,
    side,
    closePosition: true,
    workingType: req.workingType ?? 'mark',
  } as const;
  if (req.takeProfit)
    out.push({ ...common, type: 'takeProfitMarket', stopPrice: req.takeProfit.stopPrice });
  if (req.stopLoss) out.push({ ...common, type: 'stopMarket', stopPrice: req.stopLoss.stopPrice });
  return out;
}

/** Place an order. Never throws for a rule violation: returns an orderRejected event instead. */
export function placeOrder(
  account: Account,
  market: Market,
  req: OrderRequest,
  ctx: PlaceContext,
): PlaceResult {
  const { now } = ctx;
  const reject = (code: ErrorCode, field?: string): PlaceResult =>
    rejection(account, req, new EngineError(code, field), now);
  let v: ValidOrder;
  try {
    v = validateOrder(account, market, req);
  } catch (e) {
    if (e instanceof EngineError) return rejection(account, req, e, now);
    throw e;
  }
  const seq = account.nextSeq;
  const id = ctx.orderId ?? `${account.id}-${seq}`;
  if (account.orders[id]) return reject('DUPLICATE_CLIENT_ORDER_ID', 'orderId');
  const accepted: EngineEvent = {
    type: 'orderAccepted',
    accountId: account.id,
    time: now,
    order: snapshot(v, id, seq),
  };
  let acc = applyEvent(account, accepted);
  const events: EngineEvent[] = [accepted];
  let cutsRisk = false;
  if (!isConditional(v.type)) {
    const order = acc.orders[id]!;
    const step = takerPhase(acc, market, id, now);
    if (step.error) return reject(step.error);
    const risky = addsRisk(account, order);
    const code = riskCheck(step.account, market, v.symbol, risky, step.events);
    if (code) return reject(code);
    cutsRisk = !risky;
    acc = step.account;
    events.push(...step.events);
  }
  // attached TP/SL: for an entry still open (resting, or a stop not yet triggered) they wait for it
  // to fill; an entry that ended without any fill (IOC, market without depth) gets none
  const parent = acc.orders[id];
  const entryFilled = events.some((e) => e.type === 'fill');
  for (const extra of parent || entryFilled ? attachedRequests(req) : []) {
    let a: ValidOrder;
    try {
      a = validateOrder(acc, market, extra);
    } catch (e) {
      if (e instanceof EngineError) return rejection(account, req, e, now);
      throw e;
    }
    const s = acc.nextSeq;
    const ev: EngineEvent = {
      type: 'orderAccepted',
      accountId: account.id,
      time: now,
      order: snapshot(
        a,
        `${id}-${extra.type === 'stopMarket' ? 'sl' : 'tp'}`,
        s,
        parent && parent.filledQuantity.isZero() ? id : undefined,
      ),
    };
    acc = applyEvents(acc, [ev]);
    events.push(ev);
  }
  // an order that cut risk is never refused, even when its fee or slippage leaves the account
  // liquidatable: then the liquidation runs now, as it would at the next mark
  if (cutsRisk && Object.keys(acc.positions).length > 0 && needsLiquidation(acc, market)) {
    const liq = liquidate(acc, market, now, v.symbol);
    return { account: liq.account, events: [...events, ...liq.events] };
  }
  return { account: acc, events };
}
