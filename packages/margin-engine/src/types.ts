// State and event types of the engine. State is plain data; events are what folds into it.
import type { Decimal } from './decimal.ts';
import type { Catalogue } from './instruments.ts';
import type { ErrorCode } from './errors.ts';

export type Side = 'buy' | 'sell';
export type MarginMode = 'cross' | 'isolated';
export type OrderType =
  'market' | 'limit' | 'stopMarket' | 'stopLimit' | 'takeProfitMarket' | 'takeProfitLimit';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
export type WorkingType = 'mark' | 'last';
export type OrderStatus =
  'untriggered' | 'new' | 'partiallyFilled' | 'filled' | 'canceled' | 'expired';

export interface Order {
  id: string;
  clientOrderId: string | undefined;
  symbol: string;
  side: Side;
  type: OrderType;
  /** Ordered quantity (zero for a close-position order until it triggers). */
  quantity: Decimal;
  filledQuantity: Decimal;
  price: Decimal | undefined;
  stopPrice: Decimal | undefined;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: WorkingType;
  status: OrderStatus;
  createdAt: number;
  seq: number;
  /**
   * Attached take-profit / stop-loss of an entry order that did not fill at placement: the id of
   * that entry. Such an order is armed only once the entry has filled (in part); when the entry
   * ends without any fill, it is canceled with it.
   */
  parentId?: string;
}

export interface Position {
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: Decimal;
  /** Display / average entry price: costBasis / |quantity|, rounded to ENTRY_DP. */
  entryPrice: Decimal;
  /**
   * Exact, unsigned cost of the open quantity: sum of |qty| x price of its opening fills, less
   * what reduces released (rounded to 8 dp; the last close releases the rest). Every PnL and
   * risk formula uses it (q x E is the signed cost), so realized PnL over a position's life is
   * exactly proceeds - cost.
   */
  costBasis: Decimal;
  /** Margin held by an isolated position (zero for cross). Part of walletBalance. */
  isolatedWallet: Decimal;
}

export interface SymbolSettings {
  leverage: number;
  marginMode: MarginMode;
}

export interface Account {
  id: string;
  /** All USDT of the account, including isolated wallets. */
  walletBalance: Decimal;
  settings: Readonly<Record<string, SymbolSettings>>;
  positions: Readonly<Record<string, Position>>;
  /** Open (non-terminal) orders by id. */
  orders: Readonly<Record<string, Order>>;
  nextSeq: number;
}

/** Market context: instruments and the current mark (and optionally last trade) prices. */
export interface Market {
  instruments: Catalogue;
  marks: Readonly<Record<string, Decimal>>;
  lastPrices?: Readonly<Record<string, Decimal>>;
}

export interface OrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  quantity?: Decimal | string;
  price?: Decimal | string;
  stopPrice?: Decimal | string;
  timeInForce?: TimeInForce;
  reduceOnly?: boolean;
  closePosition?: boolean;
  workingType?: WorkingType;
  clientOrderId?: string;
  /** Attached take-profit / stop-loss: close-position orders created with the order. */
  takeProfit?: { stopPrice: Decimal | string };
  stopLoss?: { stopPrice: Decimal | string };
}

export type Liquidity = 'maker' | 'taker';

interface Base {
  accountId: string;
  time: number;
}

export interface OrderSnapshot {
  id: string;
  clientOrderId: string | undefined;
  symbol: string;
  side: Side;
  orderType: OrderType;
  quantity: Decimal;
  price: Decimal | undefined;
  stopPrice: Decimal | undefined;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: WorkingType;
  status: 'untriggered' | 'new';
  seq: number;
  /** See Order.parentId (absent for orders without a pending entry). */
  parentId?: string;
}

export type EngineEvent =
  | (Base & { type: 'accountOpened'; walletBalance: Decimal })
  | (Base & { type: 'deposit'; amount: Decimal })
  | (Base & { type: 'orderAccepted'; order: OrderSnapshot })
  | (Base & {
      type: 'orderRejected';
      symbol: string;
      clientOrderId: string | undefined;
      code: ErrorCode;
      message: string;
      field: string | undefined;
    })
  | (Base & {
      type: 'orderTriggered';
      orderId: string;
      symbol: string;
      triggerPrice: Decimal;
      quantity: Decimal;
    })
  | (Base & { type: 'orderCanceled'; orderId: string; symbol: string; reason: string })
  | (Base & {
      type: 'orderAmended';
      orderId: string;
      symbol: string;
      /** The order's limit price after the amendment. */
      price: Decimal;
      /** Its total quantity after the amendment (filled part included). */
      quantity: Decimal;
    })
  | (Base & {
      type: 'orderExpired';
      orderId: string;
      symbol: string;
      code: ErrorCode | undefined;
      reason: string;
    })
  | (Base & {
      type: 'fill';
      orderId: string;
      symbol: string;
      side: Side;
      quantity: Decimal;
      price: Decimal;
      liquidity: Liquidity;
      feeRate: Decimal;
      /** Fee charged: never more than the equity its compartment has left after the PnL. */
      fee: Decimal;
      realizedPnl: Decimal;
      /**
       * Loss beyond the wallet paid by the insurance fund (usually 0): an isolated position
       * closed past its bankruptcy price, or the last cross position closed past the cross wallet.
       */
      shortfall: Decimal;
    })
  | (Base & {
      type: 'positionChanged';
      symbol: string;
      quantity: Decimal;
      entryPrice: Decimal;
      /** See Position.costBasis. */
      costBasis: Decimal;
      isolatedWallet: Decimal;
      /** Money moved from the cross wallet into the isolated wallet (negative: released). */
      isolatedTransfer: Decimal;
    })
  | (Base & { type: 'leverageChanged'; symbol: string; leverage: number })
  | (Base & {
      type: 'marginModeChanged';
      symbol: string;
      mode: MarginMode;
      /** leverage setting kept with the mode */ leverage: number;
    })
  | (Base & {
      type: 'isolatedMarginAdjusted';
      symbol: string;
      amount: Decimal;
      isolatedWallet: Decimal;
    })
  | (Base & {
      type: 'fundingPaid';
      symbol: string;
      rate: Decimal;
      markPrice: Decimal;
      positionQuantity: Decimal;
      /** Signed: positive received, negative paid (after capping at the wallet). */
      amount: Decimal;
      /** Part of the due payment the wallet could not cover (not collected). */
      uncollected: Decimal;
    })
  | (Base & {
      type: 'liquidationTriggered';
      mode: MarginMode;
      /** Isolated: the position's symbol; cross: the symbol whose mark tick triggered the check, if one. */
      symbol: string | undefined;
      /** That symbol's mark price (the trigger price). */
      markPrice: Decimal | undefined;
      marginBalance: Decimal;
      maintenanceMargin: Decimal;
      marginRatio: Decimal;
    })
  | (Base & {
      type: 'liquidation';
      mode: MarginMode;
      symbol: string;
      side: Side;
      quantity: Decimal;
      price: Decimal;
      partial: boolean;
      realizedPnl: Decimal;
      /** Liquidation fee charged into the insurance fund. */
      fee: Decimal;
      /** Loss the wallet could not cover, paid by the insurance fund. */
      shortfall: Decimal;
      marginBalanceBefore: Decimal;
      maintenanceMarginBefore: Decimal;
      marginBalanceAfter: Decimal;
      maintenanceMarginAfter: Decimal;
    });

export type EventType = EngineEvent['type'];
export type EventOf<T extends EventType> = Extract<EngineEvent, { type: T }>;

export interface EngineResult {
  account: Account;
  events: EngineEvent[];
}
