// What trading rows look like to clients (tRPC, the bot API): plain objects, amounts as decimal
// strings, times as epoch milliseconds, the engine's names for types and statuses.
import type { Prisma } from '@lab/db';

const str = (d: { toFixed(): string }) => d.toFixed();
const optStr = (d: { toFixed(): string } | null) => (d === null ? null : d.toFixed());

export const orderViewSelect = {
  id: true,
  orderNo: true,
  clientOrderId: true,
  symbol: true,
  side: true,
  type: true,
  currentType: true,
  status: true,
  statusCode: true,
  statusReason: true,
  quantity: true,
  filledQuantity: true,
  price: true,
  stopPrice: true,
  averagePrice: true,
  timeInForce: true,
  reduceOnly: true,
  closePosition: true,
  workingType: true,
  parentId: true,
  seq: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.OrderSelect;

export type OrderRow = Prisma.OrderGetPayload<{ select: typeof orderViewSelect }>;

export interface OrderView {
  /** The engine's id ("<account id>-<seq>"). */
  id: string;
  /** A number for clients that need one (the bot API's orderId), as a decimal string. */
  orderNo: string;
  clientOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  /** As placed: market | limit | stopMarket | stopLimit | takeProfitMarket | takeProfitLimit. */
  type: string;
  /** What it is now (a triggered stop is a market or limit order). */
  currentType: string;
  /** untriggered | new | partiallyFilled | filled | canceled | expired */
  status: string;
  /** Engine code of an expiry (e.g. FOK_NOT_FILLED). */
  statusCode: string | null;
  statusReason: string | null;
  quantity: string;
  filledQuantity: string;
  price: string | null;
  stopPrice: string | null;
  averagePrice: string | null;
  /** GTC | IOC | FOK | GTX (post-only). */
  timeInForce: string;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: string;
  /** The entry order an attached take-profit / stop-loss waits for. */
  parentId: string | null;
  /** The account's order sequence number (cursor of the order lists). */
  seq: number;
  createdAt: number;
  updatedAt: number;
}

export function orderView(o: OrderRow): OrderView {
  return {
    id: o.id,
    orderNo: o.orderNo.toString(),
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side as 'buy' | 'sell',
    type: o.type,
    currentType: o.currentType,
    status: o.status,
    statusCode: o.statusCode,
    statusReason: o.statusReason,
    quantity: str(o.quantity),
    filledQuantity: str(o.filledQuantity),
    price: optStr(o.price),
    stopPrice: optStr(o.stopPrice),
    averagePrice: optStr(o.averagePrice),
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    workingType: o.workingType,
    parentId: o.parentId,
    seq: o.seq,
    createdAt: o.createdAt.getTime(),
    updatedAt: o.updatedAt.getTime(),
  };
}

export const fillViewSelect = {
  id: true,
  orderId: true,
  liquidationId: true,
  symbol: true,
  side: true,
  quantity: true,
  price: true,
  markPrice: true,
  liquidity: true,
  feeRate: true,
  fee: true,
  realizedPnl: true,
  shortfall: true,
  isLiquidation: true,
  eventSeq: true,
  time: true,
} as const satisfies Prisma.FillSelect;

export type FillRow = Prisma.FillGetPayload<{ select: typeof fillViewSelect }>;

export interface FillView {
  id: string;
  /** The order filled (null for a liquidation close). */
  orderId: string | null;
  liquidationId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  /** The mark the engine used when it made the fill. */
  markPrice: string;
  liquidity: 'maker' | 'taker';
  feeRate: string;
  fee: string;
  realizedPnl: string;
  /** Loss beyond the wallet paid by the insurance fund (usually 0). */
  shortfall: string;
  isLiquidation: boolean;
  /** The account event of the fill (cursor of the fill list). */
  seq: number;
  time: number;
}

export function fillView(f: FillRow): FillView {
  return {
    id: f.id.toString(),
    orderId: f.orderId,
    liquidationId: f.liquidationId?.toString() ?? null,
    symbol: f.symbol,
    side: f.side as 'buy' | 'sell',
    quantity: str(f.quantity),
    price: str(f.price),
    markPrice: str(f.markPrice),
    liquidity: f.liquidity as 'maker' | 'taker',
    feeRate: str(f.feeRate),
    fee: str(f.fee),
    realizedPnl: str(f.realizedPnl),
    shortfall: str(f.shortfall),
    isLiquidation: f.isLiquidation,
    seq: f.eventSeq,
    time: f.time.getTime(),
  };
}

export type FundingRow = Prisma.FundingPaymentGetPayload<object>;

export interface FundingView {
  id: string;
  symbol: string;
  rate: string;
  markPrice: string;
  positionQuantity: string;
  /** Signed: positive received, negative paid. */
  amount: string;
  /** What the wallet could not cover (not collected). */
  uncollected: string;
  fundingTime: number;
  seq: number;
  time: number;
}

export function fundingView(f: FundingRow): FundingView {
  return {
    id: f.id.toString(),
    symbol: f.symbol,
    rate: str(f.rate),
    markPrice: str(f.markPrice),
    positionQuantity: str(f.positionQuantity),
    amount: str(f.amount),
    uncollected: str(f.uncollected),
    fundingTime: f.fundingTime.getTime(),
    seq: f.eventSeq,
    time: f.time.getTime(),
  };
}

export type LiquidationRow = Prisma.LiquidationGetPayload<object>;

export interface LiquidationView {
  id: string;
  mode: 'cross' | 'isolated';
  symbol: string | null;
  markPrice: string | null;
  marginBalance: string;
  maintenanceMargin: string;
  /** Null: infinite (margin balance at or below zero). */
  marginRatio: string | null;
  fee: string;
  shortfall: string;
  positionsClosed: Array<{
    symbol: string;
    side: string;
    quantity: string;
    price: string;
    partial: boolean;
    realizedPnl: string;
    fee: string;
    shortfall: string;
  }>;
  ordersCanceled: string[];
  seq: number;
  time: number;
}

export function liquidationView(l: LiquidationRow): LiquidationView {
  return {
    id: l.id.toString(),
    mode: l.mode === 'CROSS' ? 'cross' : 'isolated',
    symbol: l.symbol,
    markPrice: optStr(l.markPrice),
    marginBalance: str(l.marginBalance),
    maintenanceMargin: str(l.maintenanceMargin),
    marginRatio: optStr(l.marginRatio),
    fee: str(l.fee),
    shortfall: str(l.shortfall),
    positionsClosed: l.positionsClosed as LiquidationView['positionsClosed'],
    ordersCanceled: l.ordersCanceled as string[],
    seq: l.eventSeq,
    time: l.time.getTime(),
  };
}
