// Order validation before acceptance: each failure a distinct error code naming the rule.
import { type Decimal, ZERO, dec } from './decimal.ts';
import { EngineError } from './errors.ts';
import { isOnStep, tierFor, type Instrument } from './instruments.ts';
import { instrumentOf, settingsOf, sideExposure } from './risk.ts';
import { signedQty } from './position-math.ts';
import type {
  Account,
  Market,
  Order,
  OrderRequest,
  OrderType,
  Side,
  TimeInForce,
  WorkingType,
} from './types.ts';

const TYPES: ReadonlySet<string> = new Set([
  'market',
  'limit',
  'stopMarket',
  'stopLimit',
  'takeProfitMarket',
  'takeProfitLimit',
]);
const TIFS: ReadonlySet<string> = new Set(['GTC', 'IOC', 'FOK', 'GTX']);

export const isConditional = (t: OrderType): boolean => t !== 'market' && t !== 'limit';
export const hasLimitPrice = (t: OrderType): boolean =>
  t === 'limit' || t === 'stopLimit' || t === 'takeProfitLimit';

/** A positive finite decimal, or undefined when absent; `code` on anything else. */
export function parsePositive(
  v: Decimal | string | undefined,
  code: 'INVALID_QUANTITY' | 'INVALID_PRICE',
  field: string,
): Decimal | undefined {
  if (v === undefined) return undefined;
  let d: Decimal;
  try {
    d = dec(v);
  } catch {
    throw new EngineError(code, field);
  }
  if (!d.isFinite() || d.lte(0)) throw new EngineError(code, field);
  return d;
}

export interface ValidOrder {
  instrument: Instrument;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  price: Decimal | undefined;
  stopPrice: Decimal | undefined;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: WorkingType;
  clientOrderId: string | undefined;
}

/** Trigger rule: stop buys when price >= stop, stop sells when <=; take-profit the other way round. */
export function isTriggered(type: OrderType, side: Side, stop: Decimal, price: Decimal): boolean {
  const stopKind = type === 'stopMarket' || type === 'stopLimit';
  const up = stopKind === (side === 'buy');
  return up ? price.gte(stop) : price.lte(stop);
}

export function triggerReference(
  market: Market,
  symbol: string,
  wt: WorkingType,
): Decimal | undefined {
  return wt === 'last'
    ? (market.lastPrices?.[symbol] ?? market.marks[symbol])
    : market.marks[symbol];
}

/** Validate a request against instrument rules and the account; throws EngineError on the first rule broken. */
export function validateOrder(account: Account, market: Market, req: OrderRequest): ValidOrder {
  const instrument = instrumentOf(market, req.symbol);
  if (req.side !== 'buy' && req.side !== 'sell') throw new EngineError('INVALID_SIDE', 'side');
  if (!TYPES.has(req.type)) throw new EngineError('INVALID_ORDER_TYPE', 'type');
  const closePosition = req.closePosition === true;
  if (closePosition && req.type !== 'stopMarket' && req.type !== 'takeProfitMarket')
    throw new EngineError('CLOSE_POSITION_INVALID', 'closePosition');
  const quantity = closePosition
    ? ZERO
    : parsePositive(req.quantity ?? '', 'INVALID_QUANTITY', 'quantity');
  if (!quantity) throw new EngineError('INVALID_QUANTITY', 'quantity');
  if (!isOnStep(quantity, instrument.lotSize))
    throw new EngineError('QUANTITY_NOT_ON_STEP', 'quantity');
  let price: Decimal | undefined;
  if (hasLimitPrice(req.type)) {
    if (req.price === undefined) throw new EngineError('PRICE_REQUIRED', 'price');
    price = parsePositive(req.price, 'INVALID_PRICE', 'price')!;
    if (!isOnStep(price, instrument.tickSize)) throw new EngineError('PRICE_NOT_ON_TICK', 'price');
  }
  let stopPrice: Decimal | undefined;
  if (isConditional(req.type)) {
    if (req.stopPrice === undefined) throw new EngineError('STOP_PRICE_REQUIRED', 'stopPrice');
    stopPrice = parsePositive(req.stopPrice, 'INVALID_PRICE', 'stopPrice')!;
    if (!isOnStep(stopPrice, instrument.tickSize))
      throw new EngineError('STOP_PRICE_NOT_ON_TICK', 'stopPrice');
  }
  const tif = req.timeInForce ?? 'GTC';
  if (
    !TIFS.has(tif) ||
    (!hasLimitPrice(req.type) && req.timeInForce !== undefined && tif !== 'GTC')
  )
    throw new EngineError('INVALID_TIME_IN_FORCE', 'timeInForce');
  const mark = market.marks[req.symbol];
  if (!mark) throw new EngineError('NO_MARK_PRICE', 'symbol');
  const workingType = req.workingType ?? 'mark';
  const reduceOnly = req.reduceOnly === true;
  const pos = account.positions[req.symbol];
  const q = pos?.quantity ?? ZERO;
  const s = signedQty(req.side, quantity);
  const opposite = !q.isZero() && q.isPos() !== s.isPos();
  if (reduceOnly && !opposite) throw new EngineError('REDUCE_ONLY_WOULD_INCREASE', 'reduceOnly');
  if (
    req.clientOrderId !== undefined &&
    Object.values(account.orders).some((o: Order) => o.clientOrderId === req.clientOrderId)
  )
    throw new EngineError('DUPLICATE_CLIENT_ORDER_ID', 'clientOrderId');
  if (!reduceOnly && !closePosition) {
    const ref = price ?? stopPrice ?? mark;
    if (quantity.times(ref).lt(instrument.minNotional))
      throw new EngineError('MIN_NOTIONAL', 'quantity');
    // the bracket of the notional this side reaches with the position and the open orders
    // (setLeverage's rule): checked when the order takes the side beyond the position
    const notional = sideExposure(account, market, req.symbol, req.side, quantity.times(ref)).abs();
    const held = pos ? q.times(mark).abs() : ZERO;
    if (notional.gt(held)) {
      const last = instrument.riskTiers[instrument.riskTiers.length - 1]!;
      if (notional.gt(last.maxNotional)) throw new EngineError('MAX_NOTIONAL', 'quantity');
      const lev = settingsOf(account, req.symbol, instrument).leverage;
      if (lev > tierFor(instrument, notional).maxLeverage)
        throw new EngineError('LEVERAGE_TOO_HIGH', 'leverage');
    }
  }
  if (stopPrice) {
    const ref = triggerReference(market, req.symbol, workingType);
    if (ref && isTriggered(req.type, req.side, stopPrice, ref))
      throw new EngineError('STOP_WOULD_TRIGGER_IMMEDIATELY', 'stopPrice');
  }
  return {
    instrument,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    quantity,
    price,
    stopPrice,
    timeInForce: tif,
    reduceOnly,
    closePosition,
    workingType,
    clientOrderId: req.clientOrderId,
  };
}
