// Binance's error bodies: `{"code": -2019, "msg": "Margin is insufficient."}` with the HTTP status
// Binance uses (400 for a refused request, 401 for a key refused, 404 for an unknown path, 429 past
// the rate limit). One table from the platform's errors (AppError, the engine's reason codes) to
// Binance's codes, so every refusal a bot sees is the code its client library already handles.
import { AppError } from '@lab/services';

export class BinanceError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 400,
  ) {
    super(msg);
    this.name = 'BinanceError';
  }

  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

const e = (code: number, msg: string, status = 400) => new BinanceError(code, msg, status);

/** Binance's error codes and messages (USD-M futures "Error Codes" page), as constructors. */
export const ERR = {
  unknown: () => e(-1000, 'An unknown error occurred while processing the request.', 500),
  disconnected: () =>
    e(-1001, 'Internal error; unable to process your request. Please try again.', 503),
  tooManyRequests: (limit: number) =>
    e(
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use the websocket for live updates to avoid polling the API.`,
      429,
    ),
  tooManyOrders: (limit: number, window: string) =>
    e(-1015, `Too many new orders; current limit is ${limit} orders per ${window}.`, 429),
  unsupportedOperation: () => e(-1014, 'Unsupported order combination.'),
  timestampAhead: () =>
    e(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => e(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: () => e(-1022, 'Signature for this request is not valid.'),
  startAfterEnd: () => e(-1023, 'Start time is greater than end time.'),
  illegalChars: (p: string) => e(-1100, `Illegal characters found in parameter '${p}'.`),
  tooManyParams: () => e(-1101, 'Too many parameters sent for this endpoint.'),
  mandatory: (p: string) =>
    e(-1102, `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`),
  notRequired: (p: string) => e(-1106, `Parameter '${p}' sent when not required.`),
  badPrecision: () => e(-1111, 'Precision is over the maximum defined for this asset.'),
  badTimeInForce: () => e(-1115, 'Invalid timeInForce.'),
  badOrderType: () => e(-1116, 'Invalid orderType.'),
  badSide: () => e(-1117, 'Invalid side.'),
  badInterval: () => e(-1120, 'Invalid interval.'),
  badSymbol: () => e(-1121, 'Invalid symbol.'),
  badListenKey: () => e(-1125, 'This listenKey does not exist.'),
  invalidParam: (p: string) => e(-1130, `Data sent for parameter '${p}' is not valid.`),
  badRecvWindow: () => e(-1131, 'recvWindow must be less than 60000'),
  rejected: (msg = 'Order was rejected.') => e(-2010, msg),
  cancelRejected: () => e(-2011, 'Unknown order sent.'),
  noSuchOrder: () => e(-2013, 'Order does not exist.'),
  badApiKeyFormat: () => e(-2014, 'API-key format invalid.', 401),
  rejectedKey: () => e(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  marginInsufficient: () => e(-2019, 'Margin is insufficient.'),
  wouldTrigger: () => e(-2021, 'Order would immediately trigger.'),
  reduceOnlyRejected: () => e(-2022, 'ReduceOnly Order is rejected.'),
  maxPosition: () => e(-2027, 'Exceeded the maximum allowable position at current leverage.'),
  qtyNotPositive: () => e(-4003, 'Quantity less than or equal to zero.'),
  priceNotPositive: () => e(-4013, 'Price less than min price.'),
  priceNotOnTick: () => e(-4014, 'Price not increased by tick size.'),
  badClientOrderId: () => e(-4015, 'Client order id is not valid.'),
  qtyNotOnStep: () => e(-4023, 'Quantity not increased by step size.'),
  badLeverage: (lev: string) => e(-4028, `Leverage ${lev} is not valid`),
  noNeedMarginType: () => e(-4046, 'No need to change margin type.'),
  marginTypeOpenOrders: () =>
    e(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: () => e(-4048, 'Margin type cannot be changed if there exists position.'),
  isolatedInsufficient: () => e(-4051, 'Isolated balance insufficient.'),
  noNeedPositionSide: () => e(-4059, 'No need to change position side.'),
  positionSideMismatch: () => e(-4061, "Order's position side does not match user's setting."),
  dupClientOrderId: () => e(-4116, 'ClientOrderId is duplicated.'),
  depthExhausted: () =>
    e(-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit."),
  closePositionInvalid: () =>
    e(-4136, 'Target strategy invalid for orderType, closePosition true.'),
  minNotional: (min: string) =>
    e(-4164, `Order's notional must be no smaller than ${min} (unless you choose reduce only).`),
  fokRejected: () =>
    e(-5021, 'Due to the order could not be filled immediately, the FOK order has been rejected.'),
  postOnlyRejected: () =>
    e(
      -5022,
      'Due to the order could not be executed as maker, the Post Only order will be rejected.',
    ),
  notFound: () => e(-5000, 'Path not found.', 404),
  marketClosed: () => e(-4141, 'Symbol is closed.'),
  batchTooLarge: () => e(-1130, "Data sent for parameter 'batchOrders' is not valid."),
} as const;

/** The Binance error for an engine refusal (AppError.reason = the engine's code). */
const BY_REASON: Readonly<Record<string, (minNotional?: string) => BinanceError>> = {
  UNKNOWN_SYMBOL: () => ERR.badSymbol(),
  NO_MARK_PRICE: () => ERR.marketClosed(),
  MARKET_STALE: () => ERR.marketClosed(),
  MARKET_HALTED: () => ERR.marketClosed(),
  MARKET_CONNECTING: () => ERR.marketClosed(),
  INVALID_QUANTITY: () => ERR.qtyNotPositive(),
  QUANTITY_NOT_ON_STEP: () => ERR.qtyNotOnStep(),
  INVALID_PRICE: () => ERR.priceNotPositive(),
  PRICE_REQUIRED: () => ERR.mandatory('price'),
  PRICE_NOT_ON_TICK: () => ERR.priceNotOnTick(),
  STOP_PRICE_REQUIRED: () => ERR.mandatory('stopPrice'),
  STOP_PRICE_NOT_ON_TICK: () => ERR.priceNotOnTick(),
  STOP_WOULD_TRIGGER_IMMEDIATELY: () => ERR.wouldTrigger(),
  INVALID_TIME_IN_FORCE: () => ERR.badTimeInForce(),
  INVALID_ORDER_TYPE: () => ERR.badOrderType(),
  INVALID_SIDE: () => ERR.badSide(),
  MIN_NOTIONAL: (min) => ERR.minNotional(min ?? '5'),
  MAX_NOTIONAL: () => ERR.maxPosition(),
  LEVERAGE_TOO_HIGH: () => ERR.maxPosition(),
  INVALID_LEVERAGE: () => ERR.invalidParam('leverage'),
  INSUFFICIENT_MARGIN: () => ERR.marginInsufficient(),
  LOSS_EXCEEDS_WALLET: () => ERR.marginInsufficient(),
  POST_ONLY_WOULD_TAKE: () => ERR.postOnlyRejected(),
  REDUCE_ONLY_WOULD_INCREASE: () => ERR.reduceOnlyRejected(),
  CLOSE_POSITION_INVALID: () => ERR.closePositionInvalid(),
  NO_POSITION_TO_CLOSE: () => ERR.reduceOnlyRejected(),
  IOC_NOT_FILLED: () => ERR.rejected('Immediate-or-cancel order could not fill.'),
  FOK_NOT_FILLED: () => ERR.fokRejected(),
  BOOK_DEPTH_EXHAUSTED: () => ERR.depthExhausted(),
  DUPLICATE_CLIENT_ORDER_ID: () => ERR.dupClientOrderId(),
  ORDER_NOT_FOUND: () => ERR.noSuchOrder(),
  INVALID_TRANSITION: () => ERR.rejected('The order cannot change in its current status.'),
  MARGIN_MODE_CHANGE_WITH_POSITION: () => ERR.marginTypePosition(),
  MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS: () => ERR.marginTypeOpenOrders(),
  INVALID_MARGIN_MODE: () => ERR.invalidParam('marginType'),
  NO_ISOLATED_POSITION: () =>
    ERR.rejected('Isolated margin can be adjusted only on an open isolated position.'),
  INVALID_AMOUNT: () => ERR.invalidParam('amount'),
  MARGIN_REMOVAL_TOO_LARGE: () => ERR.isolatedInsufficient(),
};

/**
 * The Binance error of any failure of a service call. Unexpected errors become -1000 with a
 * constant message (the cause is logged by the caller, never sent).
 */
export function toBinanceError(err: unknown, ctx: { minNotional?: string } = {}): BinanceError {
  if (err instanceof BinanceError) return err;
  if (err instanceof AppError) {
    const byReason = err.reason !== undefined ? BY_REASON[err.reason] : undefined;
    if (byReason) return byReason(ctx.minNotional);
    switch (err.code) {
      case 'NOT_FOUND':
        return err.field === 'symbol' ? ERR.badSymbol() : ERR.noSuchOrder();
      case 'RATE_LIMITED':
        return e(
          -1008,
          'Server is currently overloaded with other requests. Please try again in a few minutes.',
          503,
        );
      case 'UNAVAILABLE':
        return ERR.disconnected();
      case 'PRECONDITION':
        return ERR.rejected(err.message);
      case 'VALIDATION':
        return err.field ? ERR.invalidParam(err.field) : ERR.rejected(err.message);
      case 'UNAUTHORIZED':
      case 'FORBIDDEN':
        return ERR.rejectedKey();
      case 'CONFLICT':
        return ERR.rejected(err.message);
    }
  }
  return ERR.unknown();
}
