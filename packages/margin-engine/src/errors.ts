// The closed set of engine error codes with constant messages. The API maps codes to tRPC codes once.
export const ERROR_MESSAGES = {
  UNKNOWN_SYMBOL: 'The symbol is not in the instrument catalogue',
  NO_MARK_PRICE: 'No mark price is known for the symbol',
  INVALID_QUANTITY: 'Quantity must be a positive decimal',
  QUANTITY_NOT_ON_STEP: 'Quantity must be a multiple of the lot size',
  INVALID_PRICE: 'Price must be a positive decimal',
  PRICE_REQUIRED: 'This order type requires a limit price',
  PRICE_NOT_ON_TICK: 'Price must be a multiple of the tick size',
  STOP_PRICE_REQUIRED: 'This order type requires a stop price',
  STOP_PRICE_NOT_ON_TICK: 'Stop price must be a multiple of the tick size',
  STOP_WOULD_TRIGGER_IMMEDIATELY: 'The stop price is already reached by the current price',
  INVALID_TIME_IN_FORCE: 'Time in force applies to limit orders only (GTC, IOC, FOK, GTX)',
  INVALID_ORDER_TYPE: 'Unknown order type',
  INVALID_SIDE: 'Side must be buy or sell',
  MIN_NOTIONAL: 'Order notional is below the instrument minimum notional',
  MAX_NOTIONAL: 'Resulting position notional exceeds the largest risk tier',
  LEVERAGE_TOO_HIGH: 'Leverage exceeds the maximum allowed for the instrument or position tier',
  INVALID_LEVERAGE: 'Leverage must be an integer of at least 1',
  INSUFFICIENT_MARGIN: 'Available balance is insufficient for the initial margin and fees',
  /** No longer produced: a risk-cutting order is never refused (README "Losses beyond a wallet"). */
  LOSS_EXCEEDS_WALLET: 'Realized loss and fee would take a wallet below zero',
  POST_ONLY_WOULD_TAKE: 'Post-only order would execute immediately as taker',
  REDUCE_ONLY_WOULD_INCREASE: 'Reduce-only order would open or increase a position',
  CLOSE_POSITION_INVALID:
    'Close-position applies to stop-market and take-profit-market orders only',
  NO_POSITION_TO_CLOSE: 'There is no position on the opposite side to close',
  IOC_NOT_FILLED: 'Immediate-or-cancel remainder could not fill at once and expired',
  FOK_NOT_FILLED: 'Fill-or-kill order cannot be filled completely at once',
  BOOK_DEPTH_EXHAUSTED: 'Order book depth was exhausted before the order was filled',
  DUPLICATE_CLIENT_ORDER_ID: 'An open order already uses this client order id',
  ORDER_NOT_FOUND: 'No open order with this id',
  INVALID_TRANSITION: 'The order event is not allowed in the order status',
  MARGIN_MODE_CHANGE_WITH_POSITION:
    'Margin mode cannot change while a position is open on the symbol',
  MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS:
    'Margin mode cannot change while orders are open on the symbol',
  INVALID_MARGIN_MODE: 'Margin mode must be cross or isolated',
  NO_ISOLATED_POSITION: 'Isolated margin can be adjusted only on an open isolated position',
  INVALID_AMOUNT: 'Amount must be a non-zero decimal',
  MARGIN_REMOVAL_TOO_LARGE:
    'Removal would leave less isolated margin than the maintenance margin, or with the unrealized PnL less than the initial margin',
  INVALID_FUNDING_RATE: 'Funding rate must be a decimal',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;
export const ERROR_CODES = Object.keys(ERROR_MESSAGES) as ErrorCode[];

/**
 * What kind of failure each code is, for one mapping table in the API:
 * input -> BAD_REQUEST, rule -> PRECONDITION_FAILED (or UNPROCESSABLE_CONTENT), notFound -> NOT_FOUND,
 * conflict -> CONFLICT.
 */
export type ErrorCategory = 'input' | 'rule' | 'notFound' | 'conflict';
export const ERROR_CATEGORY: Readonly<Record<ErrorCode, ErrorCategory>> = {
  UNKNOWN_SYMBOL: 'notFound',
  NO_MARK_PRICE: 'rule',
  INVALID_QUANTITY: 'input',
  QUANTITY_NOT_ON_STEP: 'input',
  INVALID_PRICE: 'input',
  PRICE_REQUIRED: 'input',
  PRICE_NOT_ON_TICK: 'input',
  STOP_PRICE_REQUIRED: 'input',
  STOP_PRICE_NOT_ON_TICK: 'input',
  STOP_WOULD_TRIGGER_IMMEDIATELY: 'rule',
  INVALID_TIME_IN_FORCE: 'input',
  INVALID_ORDER_TYPE: 'input',
  INVALID_SIDE: 'input',
  MIN_NOTIONAL: 'rule',
  MAX_NOTIONAL: 'rule',
  LEVERAGE_TOO_HIGH: 'rule',
  INVALID_LEVERAGE: 'input',
  INSUFFICIENT_MARGIN: 'rule',
  LOSS_EXCEEDS_WALLET: 'rule',
  POST_ONLY_WOULD_TAKE: 'rule',
  REDUCE_ONLY_WOULD_INCREASE: 'rule',
  CLOSE_POSITION_INVALID: 'input',
  NO_POSITION_TO_CLOSE: 'rule',
  IOC_NOT_FILLED: 'rule',
  FOK_NOT_FILLED: 'rule',
  BOOK_DEPTH_EXHAUSTED: 'rule',
  DUPLICATE_CLIENT_ORDER_ID: 'conflict',
  ORDER_NOT_FOUND: 'notFound',
  INVALID_TRANSITION: 'conflict',
  MARGIN_MODE_CHANGE_WITH_POSITION: 'conflict',
  MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS: 'conflict',
  INVALID_MARGIN_MODE: 'input',
  NO_ISOLATED_POSITION: 'rule',
  INVALID_AMOUNT: 'input',
  MARGIN_REMOVAL_TOO_LARGE: 'rule',
  INVALID_FUNDING_RATE: 'input',
};

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, field?: string) {
    super(ERROR_MESSAGES[code]);
    this.name = 'EngineError';
    this.code = code;
    this.field = field;
  }
}

export const isEngineError = (e: unknown): e is EngineError => e instanceof EngineError;
