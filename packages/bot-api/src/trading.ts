// Order endpoints: Binance's parameters checked for presence and form (its -1102 / -1106 / -1100
// rules), then handed to the same trading services as tRPC (placeOrder, cancelOrder, amendOrder,
// cancelAllOrders), which run them through the account's queue, row lock and engine. Every
// trading rule (margin, ticks, lots, notional, reduce-only, post-only...) is the engine's; its
// refusals come back as Binance's codes (errors.ts).
import { randomBytes } from 'node:crypto';
import { CATALOGUE, Decimal, type OrderType } from '@lab/margin-engine';
import {
  amendOrder,
  cancelAllOrders,
  cancelOrder,
  getOrder,
  listBotFills,
  listBotOrders,
  orderQuoteTotals,
  placeOrder,
  AppError,
  type FillView,
  type OrderRef,
  type OrderView,
  type PlaceOrderRequest,
} from '@lab/services';
import { z } from 'zod';
import { keyed, type Call, type Endpoint } from './context.ts';
import { BinanceError, ERR, toBinanceError } from './errors.ts';
import { knownSymbol } from './market.ts';
import {
  binanceAlgoOrder,
  binanceOrder,
  CONDITIONAL_TYPES,
  ENGINE_TYPE,
  engineSide,
  engineWorkingType,
  isConditional,
  LIMIT_PRICED,
  REGULAR_TYPES,
  triggered,
} from './order-views.ts';
import {
  bool,
  clientIdParam,
  decimal,
  digits,
  epochMs,
  intBetween,
  readParams,
  symbolParam,
  type RawParams,
} from './params.ts';

const side = z.enum(['BUY', 'SELL']);
const tif = z.enum(['GTC', 'IOC', 'FOK', 'GTX', 'GTD']);
const positionSide = z.enum(['BOTH', 'LONG', 'SHORT']);
const workingType = z.enum(['MARK_PRICE', 'CONTRACT_PRICE']);

const common = {
  symbol: symbolParam,
  side,
  positionSide: positionSide.optional(),
  timeInForce: tif.optional(),
  quantity: decimal.optional(),
  price: decimal.optional(),
  reduceOnly: bool.optional(),
  closePosition: bool.optional(),
  workingType: workingType.optional(),
  priceProtect: bool.optional(),
  priceMatch: z
    .string()
    .regex(/^[A-Z_0-9]{1,20}$/)
    .optional(),
  selfTradePreventionMode: z
    .enum(['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'])
    .optional(),
  goodTillDate: epochMs.optional(),
  newOrderRespType: z.enum(['ACK', 'RESULT']).optional(),
  activationPrice: decimal.optional(),
  activatePrice: decimal.optional(),
  callbackRate: decimal.optional(),
};

const newOrderParams = z.object({
  ...common,
  type: z.string(),
  stopPrice: decimal.optional(),
  newClientOrderId: clientIdParam.optional(),
});

const newAlgoParams = z.object({
  ...common,
  algoType: z.enum(['CONDITIONAL']),
  type: z.string(),
  triggerPrice: decimal.optional(),
  clientAlgoId: clientIdParam.optional(),
});

type Shared = z.infer<typeof newOrderParams> | z.infer<typeof newAlgoParams>;

/** Binance-style generated client order id for orders sent without one. */
const generatedId = () =>
  `lab_${randomBytes(16)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;

/** Binance's parameter rules per order type, then the engine's request. */
function orderRequest(
  q: Shared,
  type: OrderType,
  trigger: string | undefined,
  clientOrderId: string | undefined,
): PlaceOrderRequest {
  if (q.positionSide !== undefined && q.positionSide !== 'BOTH') throw ERR.positionSideMismatch();
  if (
    q.activationPrice !== undefined ||
    q.activatePrice !== undefined ||
    q.callbackRate !== undefined
  )
    throw ERR.notRequired(q.callbackRate !== undefined ? 'callbackRate' : 'activationPrice');
  if (q.priceMatch !== undefined && q.priceMatch !== 'NONE') throw ERR.notRequired('priceMatch');
  if (q.timeInForce === 'GTD' || q.goodTillDate !== undefined) throw ERR.badTimeInForce();
  const limitPriced = LIMIT_PRICED.has(type);
  const close = q.closePosition === true;
  if (limitPriced) {
    if (q.price === undefined) throw ERR.mandatory('price');
    if (type === 'limit' && q.timeInForce === undefined) throw ERR.mandatory('timeInForce');
  } else if (q.price !== undefined) throw ERR.notRequired('price');
  if (isConditional(type)) {
    if (trigger === undefined) throw ERR.mandatory('triggerPrice');
  }
  if (close) {
    // which types may close the position is the engine's rule (CLOSE_POSITION_INVALID)
    if (q.quantity !== undefined) throw ERR.notRequired('quantity');
    if (q.reduceOnly !== undefined) throw ERR.notRequired('reduceOnly');
  } else if (q.quantity === undefined) throw ERR.mandatory('quantity');
  const req: PlaceOrderRequest = {
    symbol: q.symbol,
    side: engineSide(q.side),
    type,
    workingType: engineWorkingType(q.workingType ?? 'CONTRACT_PRICE'),
  };
  if (q.quantity !== undefined) req.quantity = q.quantity;
  if (limitPriced) {
    req.price = q.price!;
    req.timeInForce = q.timeInForce ?? 'GTC';
  }
  if (trigger !== undefined) req.stopPrice = trigger;
  if (q.reduceOnly) req.reduceOnly = true;
  if (close) req.closePosition = true;
  if (clientOrderId !== undefined) req.clientOrderId = clientOrderId;
  return req;
}

const quoteOf = (fills: FillView[]) =>
  fills.reduce((s, f) => s.plus(new Decimal(f.price).times(f.quantity)), new Decimal(0)).toFixed();

async function place(call: Call, req: PlaceOrderRequest) {
  const k = keyed(call);
  // which markets an account may trade is the services' rule (a competition's markets), as for
  // tRPC; here only: is it an instrument at all
  const inst = CATALOGUE[req.symbol];
  if (!inst) throw ERR.badSymbol();
  try {
    const placed = await placeOrder(call.deps.db, call.deps.prices, k.actor, k.accountId, req);
    if (placed.duplicate) throw ERR.dupClientOrderId();
    return placed;
  } catch (e) {
    throw toBinanceError(e, { minNotional: inst.minNotional.toFixed() });
  }
}

/** POST /fapi/v1/order: LIMIT and MARKET (conditional types are the Algo Service's). */
async function newOrder(call: Call, params: RawParams = call.params) {
  const q = readParams(newOrderParams, params);
  if ((CONDITIONAL_TYPES as readonly string[]).includes(q.type))
    throw new BinanceError(
      -4120,
      'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
    );
  if (!(REGULAR_TYPES as readonly string[]).includes(q.type)) throw ERR.badOrderType();
  if (q.stopPrice !== undefined) throw ERR.notRequired('stopPrice');
  if (q.closePosition !== undefined) throw ERR.notRequired('closePosition');
  const type = ENGINE_TYPE[q.type as keyof typeof ENGINE_TYPE];
  const placed = await place(
    call,
    orderRequest(q, type, undefined, q.newClientOrderId ?? generatedId()),
  );
  return binanceOrder(placed.order, quoteOf(placed.fills));
}

/** POST /fapi/v1/algoOrder: STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET. */
async function newAlgoOrder(call: Call) {
  const q = readParams(newAlgoParams, call.params);
  if (q.type === 'TRAILING_STOP_MARKET') throw ERR.badOrderType();
  if (!(CONDITIONAL_TYPES as readonly string[]).includes(q.type)) throw ERR.badOrderType();
  const type = ENGINE_TYPE[q.type as keyof typeof ENGINE_TYPE];
  const placed = await place(
    call,
    orderRequest(q, type, q.triggerPrice, q.clientAlgoId ?? generatedId()),
  );
  return binanceAlgoOrder(placed.order);
}

const refParams = z.object({
  symbol: symbolParam,
  orderId: digits(18).optional(),
  origClientOrderId: clientIdParam.optional(),
});

const algoRefParams = z.object({
  symbol: symbolParam.optional(),
  algoId: digits(18).optional(),
  clientAlgoId: clientIdParam.optional(),
});

function refOf(
  orderNo: string | undefined,
  clientId: string | undefined,
  names: [string, string],
): OrderRef {
  if (orderNo !== undefined) return { orderNo };
  if (clientId !== undefined) return { clientOrderId: clientId };
  throw new BinanceError(
    -1102,
    `Param '${names[0]}' or '${names[1]}' must be sent, but both were empty/null!`,
  );
}

/** The account's order `ref` on `symbol` as regular (or conditional) order, or -2013. */
async function findOrder(
  call: Call,
  ref: OrderRef,
  symbol: string | undefined,
  as: 'regular' | 'conditional',
): Promise<OrderView> {
  const k = keyed(call);
  let o: OrderView;
  try {
    o = await getOrder(call.deps.db, k.actor, k.accountId, ref);
  } catch (e) {
    if (e instanceof AppError && e.code === 'NOT_FOUND') throw ERR.noSuchOrder();
    throw e;
  }
  if (symbol !== undefined && o.symbol !== symbol) throw ERR.noSuchOrder();
  const regular = !isConditional(o.type) || triggered(o);
  if (as === 'regular' ? !regular : !isConditional(o.type)) throw ERR.noSuchOrder();
  return o;
}

async function withQuotes(call: Call, orders: OrderView[]) {
  const quotes = await orderQuoteTotals(
    call.deps.db,
    orders.map((o) => o.id),
  );
  return orders.map((o) => binanceOrder(o, quotes.get(o.id) ?? '0'));
}

async function queryOrder(call: Call) {
  const q = readParams(refParams, call.params);
  await knownSymbol(call, q.symbol);
  const o = await findOrder(
    call,
    refOf(q.orderId, q.origClientOrderId, ['orderId', 'origClientOrderId']),
    q.symbol,
    'regular',
  );
  return (await withQuotes(call, [o]))[0];
}

async function queryOpenOrder(call: Call) {
  const q = readParams(refParams, call.params);
  await knownSymbol(call, q.symbol);
  const o = await findOrder(
    call,
    refOf(q.orderId, q.origClientOrderId, ['orderId', 'origClientOrderId']),
    q.symbol,
    'regular',
  );
  if (o.status !== 'new' && o.status !== 'partiallyFilled')
    throw new BinanceError(-2013, 'Order does not exist.');
  return (await withQuotes(call, [o]))[0];
}

async function cancelOne(call: Call, o: OrderView): Promise<OrderView> {
  const k = keyed(call);
  try {
    const r = await cancelOrder(call.deps.db, call.deps.prices, k.actor, k.accountId, {
      orderId: o.id,
    });
    return r.canceled.find((c) => c.id === o.id) ?? o;
  } catch (e) {
    if (e instanceof AppError && e.reason === 'ORDER_NOT_FOUND') throw ERR.cancelRejected();
    throw e;
  }
}

async function deleteOrder(call: Call) {
  const q = readParams(refParams, call.params);
  await knownSymbol(call, q.symbol);
  const o = await findOrder(
    call,
    refOf(q.orderId, q.origClientOrderId, ['orderId', 'origClientOrderId']),
    q.symbol,
    'regular',
  );
  return (await withQuotes(call, [await cancelOne(call, o)]))[0];
}

const amendParams = refParams.extend({
  side,
  quantity: decimal,
  price: decimal,
  priceMatch: z.string().optional(),
});

async function amend(call: Call) {
  const k = keyed(call);
  const q = readParams(amendParams, call.params);
  const inst = await knownSymbol(call, q.symbol);
  if (q.priceMatch !== undefined && q.priceMatch !== 'NONE') throw ERR.notRequired('priceMatch');
  const o = await findOrder(
    call,
    refOf(q.orderId, q.origClientOrderId, ['orderId', 'origClientOrderId']),
    q.symbol,
    'regular',
  );
  if (o.side !== engineSide(q.side)) throw ERR.invalidParam('side');
  if (o.currentType !== 'limit') throw new BinanceError(-5025, 'Only limit order is supported.');
  try {
    const r = await amendOrder(call.deps.db, call.deps.prices, k.actor, k.accountId, {
      orderId: o.id,
      price: q.price,
      quantity: q.quantity,
    });
    return (await withQuotes(call, [r.order]))[0];
  } catch (e) {
    throw toBinanceError(e, { minNotional: inst.minNotional.toFixed() });
  }
}

const listOpenParams = z.object({ symbol: symbolParam.optional() });

async function openOrders(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(listOpenParams, call.params);
  if (symbol !== undefined) await knownSymbol(call, symbol);
  const orders = await listBotOrders(call.deps.db, k.actor, k.accountId, {
    symbol,
    openOnly: true,
    kind: 'regular',
    limit: 1000,
  });
  return withQuotes(call, orders);
}

const allOrdersParams = z.object({
  symbol: symbolParam,
  orderId: digits(18).optional(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  limit: intBetween(1, 1000).optional(),
});

async function allOrders(call: Call) {
  const k = keyed(call);
  const q = readParams(allOrdersParams, call.params);
  await knownSymbol(call, q.symbol);
  if (q.startTime !== undefined && q.endTime !== undefined && q.startTime > q.endTime)
    throw ERR.startAfterEnd();
  const orders = await listBotOrders(call.deps.db, k.actor, k.accountId, {
    symbol: q.symbol,
    kind: 'regular',
    fromOrderNo: q.orderId !== undefined ? BigInt(q.orderId) : undefined,
    startTime: q.startTime,
    endTime: q.endTime,
    limit: q.limit ?? 500,
  });
  return withQuotes(call, orders);
}

/** DELETE /fapi/v1/allOpenOrders: every open order of the symbol, conditional ones included. */
async function deleteAllOpen(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(z.object({ symbol: symbolParam }), call.params);
  await knownSymbol(call, symbol);
  await cancelAllOrders(call.deps.db, call.deps.prices, k.actor, k.accountId, { symbol });
  return { code: 200, msg: 'The operation of cancel all open order is done.' };
}

const MAX_BATCH = 5;

function batchItems(raw: string | undefined, name: string): unknown[] {
  if (raw === undefined || raw === '') throw ERR.mandatory(name);
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw ERR.invalidParam(name);
  }
  if (!Array.isArray(list) || !list.length || list.length > MAX_BATCH) throw ERR.invalidParam(name);
  return list;
}

async function batchOrders(call: Call) {
  const items = batchItems(call.params.batchOrders, 'batchOrders');
  const out: unknown[] = [];
  for (const item of items) {
    try {
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw ERR.invalidParam('batchOrders');
      const params: RawParams = Object.create(null) as RawParams;
      for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          throw ERR.invalidParam(key);
        params[key] = String(v);
      }
      out.push(await newOrder(call, params));
    } catch (e) {
      out.push(toBinanceError(e).body());
    }
  }
  return out;
}

async function batchCancel(call: Call) {
  const { symbol } = readParams(z.object({ symbol: symbolParam }), call.params);
  await knownSymbol(call, symbol);
  // Binance reads these two names in any case (ccxt sends them lower-cased)
  const byNo = call.params.orderIdList ?? call.params.orderidlist;
  const byClient = call.params.origClientOrderIdList ?? call.params.origclientorderidlist;
  const ids =
    byNo !== undefined
      ? batchItems(byNo, 'orderIdList').map((v) => ({ orderNo: String(v) }))
      : batchItems(byClient, 'origClientOrderIdList').map((v) => ({ clientOrderId: String(v) }));
  const out: unknown[] = [];
  for (const ref of ids) {
    try {
      if ('orderNo' in ref && !/^\d{1,18}$/.test(ref.orderNo))
        throw ERR.invalidParam('orderIdList');
      const o = await findOrder(call, ref, symbol, 'regular');
      out.push((await withQuotes(call, [await cancelOne(call, o)]))[0]);
    } catch (e) {
      out.push(toBinanceError(e).body());
    }
  }
  return out;
}

// --- algo orders ---------------------------------------------------------------------------

async function queryAlgo(call: Call) {
  const q = readParams(algoRefParams, call.params);
  const o = await findOrder(
    call,
    refOf(q.algoId, q.clientAlgoId, ['algoId', 'clientAlgoId']),
    q.symbol,
    'conditional',
  );
  return binanceAlgoOrder(o);
}

async function deleteAlgo(call: Call) {
  const q = readParams(algoRefParams, call.params);
  const o = await findOrder(
    call,
    refOf(q.algoId, q.clientAlgoId, ['algoId', 'clientAlgoId']),
    q.symbol,
    'conditional',
  );
  if (o.status !== 'untriggered') throw ERR.cancelRejected();
  await cancelOne(call, o);
  return {
    algoId: Number(o.orderNo),
    clientAlgoId: o.clientOrderId ?? '',
    code: '200',
    msg: 'success',
  };
}

async function openAlgoOrders(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(listOpenParams, call.params);
  if (symbol !== undefined) await knownSymbol(call, symbol);
  const orders = await listBotOrders(call.deps.db, k.actor, k.accountId, {
    symbol,
    openOnly: true,
    kind: 'conditional',
    limit: 1000,
  });
  return orders.filter((o) => o.status === 'untriggered').map(binanceAlgoOrder);
}

const allAlgoParams = z.object({
  symbol: symbolParam,
  algoId: digits(18).optional(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  page: intBetween(1, 1000).optional(),
  limit: intBetween(1, 100).optional(),
});

async function allAlgoOrders(call: Call) {
  const k = keyed(call);
  const q = readParams(allAlgoParams, call.params);
  await knownSymbol(call, q.symbol);
  const orders = await listBotOrders(call.deps.db, k.actor, k.accountId, {
    symbol: q.symbol,
    kind: 'conditional',
    fromOrderNo: q.algoId !== undefined ? BigInt(q.algoId) : undefined,
    startTime: q.startTime,
    endTime: q.endTime,
    limit: q.limit ?? 100,
  });
  return orders.map(binanceAlgoOrder);
}

async function deleteAlgoOpen(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(z.object({ symbol: symbolParam }), call.params);
  await knownSymbol(call, symbol);
  const orders = await listBotOrders(call.deps.db, k.actor, k.accountId, {
    symbol,
    openOnly: true,
    kind: 'conditional',
    limit: 1000,
  });
  for (const o of orders.filter((x) => x.status === 'untriggered')) {
    try {
      await cancelOne(call, o);
    } catch (e) {
      // canceled meanwhile (its entry ended, or it triggered): nothing left to cancel
      if (!(e instanceof BinanceError)) throw e;
    }
  }
  return { code: 200, msg: 'The operation of cancel all open order is done.' };
}

// --- trades ---------------------------------------------------------------------------------

const userTradesParams = z.object({
  symbol: symbolParam,
  orderId: digits(18).optional(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  fromId: digits(18).optional(),
  limit: intBetween(1, 1000).optional(),
});

const WEEK = 7 * 86_400_000;

async function userTrades(call: Call) {
  const k = keyed(call);
  const q = readParams(userTradesParams, call.params);
  await knownSymbol(call, q.symbol);
  if (q.startTime !== undefined && q.endTime !== undefined) {
    if (q.startTime > q.endTime) throw ERR.startAfterEnd();
    if (q.endTime - q.startTime > WEEK) throw ERR.invalidParam('startTime');
  }
  if (q.fromId !== undefined && (q.startTime !== undefined || q.endTime !== undefined))
    throw ERR.notRequired('fromId');
  let orderId: string | undefined;
  if (q.orderId !== undefined)
    orderId = (await findOrder(call, { orderNo: q.orderId }, q.symbol, 'regular')).id;
  const window =
    q.startTime === undefined &&
    q.endTime === undefined &&
    q.fromId === undefined &&
    orderId === undefined
      ? { startTime: call.now - WEEK }
      : {};
  const fills = await listBotFills(call.deps.db, k.actor, k.accountId, {
    symbol: q.symbol,
    orderId,
    fromId: q.fromId !== undefined ? BigInt(q.fromId) : undefined,
    ...window,
    ...(q.startTime !== undefined ? { startTime: q.startTime } : {}),
    ...(q.endTime !== undefined ? { endTime: q.endTime } : {}),
    limit: q.limit ?? 500,
  });
  return fills.map((f) => ({
    buyer: f.side === 'buy',
    commission: f.fee,
    commissionAsset: 'USDT',
    id: Number(f.id),
    maker: f.liquidity === 'maker',
    orderId: f.orderNo !== null ? Number(f.orderNo) : 0,
    price: f.price,
    qty: f.quantity,
    quoteQty: new Decimal(f.price).times(f.quantity).toFixed(),
    realizedPnl: f.realizedPnl,
    side: f.side === 'buy' ? 'BUY' : 'SELL',
    positionSide: 'BOTH',
    symbol: f.symbol,
    time: f.time,
  }));
}

const one = () => 1;
const batchCount = (p: RawParams) => {
  try {
    const l = JSON.parse(p.batchOrders ?? '[]') as unknown;
    return Array.isArray(l) ? Math.min(l.length, MAX_BATCH) : 1;
  } catch {
    return 1;
  }
};

export const TRADING_ENDPOINTS: Record<string, Endpoint> = {
  'POST /fapi/v1/order': { security: 'TRADE', weight: 0, orders: one, run: (c) => newOrder(c) },
  'PUT /fapi/v1/order': { security: 'TRADE', weight: 1, orders: one, run: amend },
  'GET /fapi/v1/order': { security: 'USER_DATA', weight: 1, run: queryOrder },
  'DELETE /fapi/v1/order': { security: 'TRADE', weight: 1, run: deleteOrder },
  'GET /fapi/v1/openOrder': { security: 'USER_DATA', weight: 1, run: queryOpenOrder },
  'GET /fapi/v1/openOrders': {
    security: 'USER_DATA',
    weight: (p) => (p.symbol !== undefined ? 1 : 40),
    run: openOrders,
  },
  'GET /fapi/v1/allOrders': { security: 'USER_DATA', weight: 5, run: allOrders },
  'DELETE /fapi/v1/allOpenOrders': { security: 'TRADE', weight: 1, run: deleteAllOpen },
  'POST /fapi/v1/batchOrders': {
    security: 'TRADE',
    weight: 5,
    orders: batchCount,
    run: batchOrders,
  },
  'DELETE /fapi/v1/batchOrders': { security: 'TRADE', weight: 1, run: batchCancel },
  'POST /fapi/v1/algoOrder': { security: 'TRADE', weight: 0, orders: one, run: newAlgoOrder },
  'GET /fapi/v1/algoOrder': { security: 'USER_DATA', weight: 1, run: queryAlgo },
  'DELETE /fapi/v1/algoOrder': { security: 'TRADE', weight: 1, run: deleteAlgo },
  'GET /fapi/v1/openAlgoOrders': {
    security: 'USER_DATA',
    weight: (p) => (p.symbol !== undefined ? 1 : 40),
    run: openAlgoOrders,
  },
  'GET /fapi/v1/allAlgoOrders': { security: 'USER_DATA', weight: 5, run: allAlgoOrders },
  'DELETE /fapi/v1/algoOpenOrders': { security: 'TRADE', weight: 1, run: deleteAlgoOpen },
  'GET /fapi/v1/userTrades': { security: 'USER_DATA', weight: 5, run: userTrades },
};
