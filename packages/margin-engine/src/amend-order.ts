// amendOrder: change a resting limit's price and/or total quantity in place (Binance's modify).
import { type Decimal, ZERO } from './decimal.ts';
import { EngineError } from './errors.ts';
import { applyEvents } from './events.ts';
import { riskCheck, takerPhase } from './execution.ts';
import { isOnStep, tierFor } from './instruments.ts';
import { liquidate, needsLiquidation } from './liquidation.ts';
import {
  addsRisk,
  instrumentOf,
  markOf,
  openOrderMargin,
  settingsOf,
  sideExposure,
} from './risk.ts';
import { matchTaker } from './book.ts';
import { parsePositive } from './validate.ts';
import type { Account, EngineEvent, EngineResult, Market, Order } from './types.ts';

export interface AmendRequest {
  /** The order's id; takes precedence over clientOrderId when both are given. */
  orderId?: string;
  clientOrderId?: string;
  /** New limit price (on the tick). */
  price?: Decimal | string;
  /** New total quantity, filled part included: above the filled quantity, on the lot. */
  quantity?: Decimal | string;
}

function findOrder(account: Account, req: AmendRequest): Order {
  const o =
    req.orderId !== undefined
      ? account.orders[req.orderId]
      : Object.values(account.orders).find(
          (x) => req.clientOrderId !== undefined && x.clientOrderId === req.clientOrderId,
        );
  if (!o || !Object.hasOwn(account.orders, o.id))
    throw new EngineError(
      'ORDER_NOT_FOUND',
      req.orderId !== undefined ? 'orderId' : 'clientOrderId',
    );
  return o;
}

/**
 * Amend a resting limit order (status new or partiallyFilled) in place, validated as a placement:
 * tick, lot, minimum notional, the leverage bracket and the margin with the open orders, and a
 * post-only order must still not take. A GTC amended across the book executes as taker at once
 * (the rest keeps resting), as Binance's modify lets it match. The order keeps its id and its seq
 * (there is no queue priority to lose). Throws EngineError on a rule broken; nothing changes then.
 */
export function amendOrder(
  account: Account,
  market: Market,
  req: AmendRequest,
  now: number,
): EngineResult {
  const order = findOrder(account, req);
  if (order.type !== 'limit' || (order.status !== 'new' && order.status !== 'partiallyFilled'))
    throw new EngineError('INVALID_TRANSITION', 'status');
  if (req.price === undefined && req.quantity === undefined)
    throw new EngineError('INVALID_QUANTITY', 'quantity');
  const instrument = instrumentOf(market, order.symbol);
  const price = parsePositive(req.price, 'INVALID_PRICE', 'price') ?? order.price!;
  if (!isOnStep(price, instrument.tickSize)) throw new EngineError('PRICE_NOT_ON_TICK', 'price');
  const quantity = parsePositive(req.quantity, 'INVALID_QUANTITY', 'quantity') ?? order.quantity;
  if (!isOnStep(quantity, instrument.lotSize))
    throw new EngineError('QUANTITY_NOT_ON_STEP', 'quantity');
  if (quantity.lte(order.filledQuantity)) throw new EngineError('INVALID_QUANTITY', 'quantity');
  const mark = markOf(market, order.symbol);
  const rest = quantity.minus(order.filledQuantity);
  const pos = account.positions[order.symbol]?.quantity ?? ZERO;
  if (order.reduceOnly && (pos.isZero() || pos.isPos() === (order.side === 'buy')))
    throw new EngineError('REDUCE_ONLY_WOULD_INCREASE', 'reduceOnly');
  if (!order.reduceOnly) {
    if (quantity.times(price).lt(instrument.minNotional))
      throw new EngineError('MIN_NOTIONAL', 'quantity');
    const others = { ...account.orders };
    delete others[order.id];
    const notional = sideExposure(
      { ...account, orders: others },
      market,
      order.symbol,
      order.side,
      rest.times(price),
    ).abs();
    if (notional.gt(pos.times(mark).abs())) {
      const last = instrument.riskTiers[instrument.riskTiers.length - 1]!;
      if (notional.gt(last.maxNotional)) throw new EngineError('MAX_NOTIONAL', 'quantity');
      const lev = settingsOf(account, order.symbol, instrument).leverage;
      if (lev > tierFor(instrument, notional).maxLeverage)
        throw new EngineError('LEVERAGE_TOO_HIGH', 'leverage');
    }
  }
  const takes = matchTaker(instrument, mark, order.side, rest, price).length > 0;
  if (takes && order.timeInForce === 'GTX') throw new EngineError('POST_ONLY_WOULD_TAKE', 'price');
  const amended: EngineEvent = {
    type: 'orderAmended',
    accountId: account.id,
    time: now,
    orderId: order.id,
    symbol: order.symbol,
    price,
    quantity,
  };
  const acc = applyEvents(account, [amended]);
  const step = takes ? takerPhase(acc, market, order.id, now) : { account: acc, events: [] };
  if (step.error) throw new EngineError(step.error);
  const risky = addsRisk(acc, acc.orders[order.id]!);
  // a change that neither fills nor reserves more margin needs none (it may lower a reservation
  // on an account a price move left short)
  const grows =
    step.events.length > 0 || openOrderMargin(acc, market).gt(openOrderMargin(account, market));
  const code = grows
    ? riskCheck(step.account, market, order.symbol, risky, step.events)
    : undefined;
  if (code) throw new EngineError(code, code === 'INSUFFICIENT_MARGIN' ? 'quantity' : undefined);
  const events = [amended, ...step.events];
  if (!risky && step.events.length > 0 && needsLiquidation(step.account, market)) {
    const liq = liquidate(step.account, market, now, order.symbol);
    return { account: liq.account, events: [...events, ...liq.events] };
  }
  return { account: step.account, events };
}
