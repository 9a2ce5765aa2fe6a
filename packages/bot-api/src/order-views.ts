// Orders in Binance's names and shapes. Regular orders (LIMIT, MARKET) are /fapi/v1/order's;
// conditional ones (STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET) are the Algo Service's
// (/fapi/v1/algoOrder), as on Binance since December 2025. The engine keeps a conditional order as
// one order whose current type becomes market or limit when it triggers: Binance's "actual order"
// of a triggered algo order is that same order, under the same number.
import type { OrderType, Side, TimeInForce, WorkingType } from '@lab/margin-engine';
import type { OrderView } from '@lab/services';

export const BINANCE_TYPE: Readonly<Record<OrderType, string>> = {
  market: 'MARKET',
  limit: 'LIMIT',
  stopMarket: 'STOP_MARKET',
  stopLimit: 'STOP',
  takeProfitMarket: 'TAKE_PROFIT_MARKET',
  takeProfitLimit: 'TAKE_PROFIT',
};

export const REGULAR_TYPES = ['LIMIT', 'MARKET'] as const;
export const CONDITIONAL_TYPES = [
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
] as const;
export type RegularType = (typeof REGULAR_TYPES)[number];
export type ConditionalType = (typeof CONDITIONAL_TYPES)[number];

export const ENGINE_TYPE: Readonly<Record<RegularType | ConditionalType, OrderType>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  STOP_MARKET: 'stopMarket',
  STOP: 'stopLimit',
  TAKE_PROFIT_MARKET: 'takeProfitMarket',
  TAKE_PROFIT: 'takeProfitLimit',
};

/** Types that take a limit price. */
export const LIMIT_PRICED = new Set<OrderType>(['limit', 'stopLimit', 'takeProfitLimit']);

export const isConditional = (engineType: string) =>
  engineType !== 'market' && engineType !== 'limit';

export const binanceSide = (s: string) => (s === 'buy' ? 'BUY' : 'SELL');
export const engineSide = (s: 'BUY' | 'SELL'): Side => (s === 'BUY' ? 'buy' : 'sell');
export const binanceWorkingType = (w: string) => (w === 'mark' ? 'MARK_PRICE' : 'CONTRACT_PRICE');
export const engineWorkingType = (w: 'MARK_PRICE' | 'CONTRACT_PRICE'): WorkingType =>
  w === 'MARK_PRICE' ? 'mark' : 'last';
export type { TimeInForce };

const STATUS: Readonly<Record<string, string>> = {
  untriggered: 'NEW',
  new: 'NEW',
  partiallyFilled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
};
export const binanceStatus = (s: string) => STATUS[s] ?? 'NEW';

const typeName = (t: string) => BINANCE_TYPE[t as OrderType] ?? t.toUpperCase();
const orZero = (s: string | null) => s ?? '0';

/** Whether a conditional order has triggered (it is then a market or limit order). */
export const triggered = (o: Pick<OrderView, 'type' | 'currentType'>) =>
  isConditional(o.type) && !isConditional(o.currentType);

/** A regular order (or the triggered "actual order" of a conditional one), as Binance shows it. */
export function binanceOrder(o: OrderView, cumQuote: string) {
  return {
    orderId: Number(o.orderNo),
    symbol: o.symbol,
    status: binanceStatus(o.status),
    clientOrderId: o.clientOrderId ?? '',
    price: orZero(o.price),
    avgPrice: orZero(o.averagePrice),
    origQty: o.quantity,
    executedQty: o.filledQuantity,
    cumQty: o.filledQuantity,
    cumQuote,
    timeInForce: o.timeInForce,
    type: typeName(o.currentType),
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: binanceSide(o.side),
    positionSide: 'BOTH',
    stopPrice: orZero(o.stopPrice),
    workingType: binanceWorkingType(o.workingType),
    priceProtect: false,
    origType: typeName(o.type),
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
    time: o.createdAt,
    updateTime: o.updatedAt,
  };
}
export type BinanceOrder = ReturnType<typeof binanceOrder>;

/** NEW, TRIGGERED, FINISHED (triggered and done), CANCELED, EXPIRED. */
export function algoStatus(o: OrderView): string {
  if (!triggered(o))
    return o.status === 'expired' ? 'EXPIRED' : o.status === 'canceled' ? 'CANCELED' : 'NEW';
  return o.status === 'new' || o.status === 'partiallyFilled' ? 'TRIGGERED' : 'FINISHED';
}

/** A conditional order as the Algo Service shows it. */
export function binanceAlgoOrder(o: OrderView) {
  const fired = triggered(o);
  return {
    algoId: Number(o.orderNo),
    clientAlgoId: o.clientOrderId ?? '',
    algoType: 'CONDITIONAL',
    orderType: typeName(o.type),
    symbol: o.symbol,
    side: binanceSide(o.side),
    positionSide: 'BOTH',
    timeInForce: o.timeInForce,
    quantity: o.quantity,
    algoStatus: algoStatus(o),
    actualOrderId: fired ? o.orderNo : '',
    actualPrice: fired ? orZero(o.averagePrice) : '0',
    triggerPrice: orZero(o.stopPrice),
    price: orZero(o.price),
    icebergQuantity: null,
    tpTriggerPrice: '0',
    tpPrice: '0',
    slTriggerPrice: '0',
    slPrice: '0',
    tpOrderType: '',
    selfTradePreventionMode: 'NONE',
    workingType: binanceWorkingType(o.workingType),
    priceMatch: 'NONE',
    closePosition: o.closePosition,
    priceProtect: false,
    reduceOnly: o.reduceOnly,
    createTime: o.createdAt,
    updateTime: o.updatedAt,
    triggerTime: fired ? o.updatedAt : 0,
    goodTillDate: 0,
  };
}
export type BinanceAlgoOrder = ReturnType<typeof binanceAlgoOrder>;
