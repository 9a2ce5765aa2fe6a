// The margin engine in the browser, on what the trading screen already holds: the instrument's
// spec, the account's figures (private stream), its settings and open orders (read models), and
// the live marks. It lets the order form check an entry with the engine's own rules before
// anything is sent; the numbers of the preview still come from the server's engine, on the
// account as stored.
import type { Figures, OrderInput } from '@lab/contracts';
import {
  Decimal,
  placeOrder,
  previewOrder,
  type Account,
  type ErrorCode,
  type Instrument,
  type Market,
  type Order,
  type OrderStatus,
  type OrderType,
  type Position,
  type RiskTier,
  type SymbolSettings,
  type TimeInForce,
  type WorkingType,
} from '@lab/margin-engine';

const dec = (v: unknown, fallback = '0') =>
  new Decimal(typeof v === 'string' || typeof v === 'number' ? v : fallback);

/** The engine's instrument from its stored spec (the worker mirrors the engine's catalogue). */
export function instrumentFromSpec(symbol: string, spec: Record<string, unknown>): Instrument {
  const tiers = Array.isArray(spec.riskTiers) ? (spec.riskTiers as Record<string, unknown>[]) : [];
  const riskTiers: RiskTier[] = tiers.map((t) => ({
    maxNotional: dec(t.maxNotional),
    maintenanceMarginRate: dec(t.maintenanceMarginRate),
    maintenanceAmount: dec(t.maintenanceAmount),
    maxLeverage: typeof t.maxLeverage === 'number' ? t.maxLeverage : 1,
  }));
  return {
    symbol,
    tickSize: dec(spec.tickSize, '0.01'),
    lotSize: dec(spec.lotSize, '0.001'),
    minNotional: dec(spec.minNotional),
    maxLeverage:
      typeof spec.maxLeverage === 'number' ? spec.maxLeverage : (riskTiers[0]?.maxLeverage ?? 1),
    makerFeeRate: dec(spec.makerFeeRate, '0.0002'),
    takerFeeRate: dec(spec.takerFeeRate, '0.0005'),
    liquidationFeeRate: dec(spec.liquidationFeeRate, '0.015'),
    fundingIntervalHours:
      typeof spec.fundingIntervalHours === 'number' ? spec.fundingIntervalHours : 8,
    riskTiers,
  };
}

/** An open order as the read models show it (the fields the engine needs). */
export interface OpenOrderLike {
  id: string;
  clientOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  currentType: string;
  status: string;
  quantity: string;
  filledQuantity: string;
  price: string | null;
  stopPrice: string | null;
  timeInForce: string;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: string;
  parentId: string | null;
  seq: number;
  createdAt: number;
}

export interface SettingLike {
  symbol: string;
  leverage: number;
  marginMode: 'cross' | 'isolated';
}

/** The engine's account as the screen sees it. */
export function mirrorAccount(
  id: string,
  figures: Figures,
  settings: readonly SettingLike[],
  openOrders: readonly OpenOrderLike[],
): Account {
  const s: Record<string, SymbolSettings> = {};
  for (const x of settings) s[x.symbol] = { leverage: x.leverage, marginMode: x.marginMode };
  const positions: Record<string, Position> = {};
  for (const p of figures.positions) {
    const quantity = new Decimal(p.quantity);
    const entryPrice = new Decimal(p.entryPrice);
    positions[p.symbol] = {
      symbol: p.symbol,
      quantity,
      entryPrice,
      // the stored cost basis differs from |q| x the displayed entry by under 10^-12 per contract
      costBasis: quantity.abs().times(entryPrice),
      isolatedWallet: new Decimal(p.isolatedWallet),
    };
    s[p.symbol] = { leverage: p.leverage, marginMode: p.marginMode };
  }
  const orders: Record<string, Order> = {};
  let nextSeq = 1;
  for (const o of openOrders) {
    orders[o.id] = {
      id: o.id,
      clientOrderId: o.clientOrderId ?? undefined,
      symbol: o.symbol,
      side: o.side,
      type: o.currentType as OrderType,
      quantity: new Decimal(o.quantity),
      filledQuantity: new Decimal(o.filledQuantity),
      price: o.price === null ? undefined : new Decimal(o.price),
      stopPrice: o.stopPrice === null ? undefined : new Decimal(o.stopPrice),
      timeInForce: o.timeInForce as TimeInForce,
      reduceOnly: o.reduceOnly,
      closePosition: o.closePosition,
      workingType: o.workingType as WorkingType,
      status: o.status as OrderStatus,
      createdAt: o.createdAt,
      seq: o.seq,
      ...(o.parentId ? { parentId: o.parentId } : {}),
    };
    nextSeq = Math.max(nextSeq, o.seq + 1);
  }
  return {
    id,
    walletBalance: new Decimal(figures.account.walletBalance),
    settings: s,
    positions,
    orders,
    nextSeq: nextSeq + 1000,
  };
}

export function mirrorMarket(
  instruments: Readonly<Record<string, Instrument>>,
  marks: Readonly<Record<string, string | null | undefined>>,
  lastPrices: Readonly<Record<string, string | null | undefined>> = {},
): Market {
  const toDec = (m: Readonly<Record<string, string | null | undefined>>) =>
    Object.fromEntries(
      Object.entries(m).flatMap(([k, v]) => (v ? [[k, new Decimal(v)] as const] : [])),
    );
  return { instruments, marks: toDec(marks), lastPrices: toDec(lastPrices) };
}

/**
 * Codes the browser can judge by itself: the entry, the instrument and the position's bracket.
 * Margin (INSUFFICIENT_MARGIN), post-only and fill-or-kill depend on the exact stored account and
 * the book when the order arrives: the server's preview says those.
 */
const BROWSER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_SYMBOL',
  'NO_MARK_PRICE',
  'INVALID_QUANTITY',
  'QUANTITY_NOT_ON_STEP',
  'INVALID_PRICE',
  'PRICE_REQUIRED',
  'PRICE_NOT_ON_TICK',
  'STOP_PRICE_REQUIRED',
  'STOP_PRICE_NOT_ON_TICK',
  'STOP_WOULD_TRIGGER_IMMEDIATELY',
  'INVALID_TIME_IN_FORCE',
  'INVALID_ORDER_TYPE',
  'INVALID_SIDE',
  'MIN_NOTIONAL',
  'MAX_NOTIONAL',
  'LEVERAGE_TOO_HIGH',
  'REDUCE_ONLY_WOULD_INCREASE',
  'CLOSE_POSITION_INVALID',
  'DUPLICATE_CLIENT_ORDER_ID',
]);

export interface EngineCheck {
  code: ErrorCode;
  /** The form field it concerns: quantity, price, stopPrice, leverage, reduceOnly, takeProfit, stopLoss, ... */
  field: string;
}

/**
 * The engine's verdict on an order that the browser can judge, or null. Attached take-profit and
 * stop-loss are checked as the close-position orders the engine makes of them, so their errors
 * name their own fields.
 */
export function checkOrder(
  account: Account,
  market: Market,
  req: OrderInput,
  now: number,
): EngineCheck | null {
  const { takeProfit, stopLoss, ...main } = req;
  const verdict = (r: OrderInput, field?: string): EngineCheck | null => {
    const rejected = placeOrder(account, market, r, { now }).rejected;
    if (!rejected || !BROWSER_CODES.has(rejected.code)) return null;
    return { code: rejected.code, field: field ?? rejected.field ?? 'quantity' };
  };
  const first = verdict(main);
  if (first) return first;
  const exit = req.side === 'buy' ? 'sell' : 'buy';
  const attached = (type: 'takeProfitMarket' | 'stopMarket', stopPrice: string, field: string) =>
    verdict(
      {
        symbol: req.symbol,
        side: exit,
        type,
        closePosition: true,
        stopPrice,
        ...(req.workingType ? { workingType: req.workingType } : {}),
      },
      field,
    );
  return (
    (takeProfit ? attached('takeProfitMarket', takeProfit.stopPrice, 'takeProfit') : null) ??
    (stopLoss ? attached('stopMarket', stopLoss.stopPrice, 'stopLoss') : null)
  );
}

export interface FillEstimate {
  price: string;
  fee: string;
  liquidationPrice: string | null;
  marginRatio: string | null;
  stress: Array<{
    movePercent: number;
    markPrice: string;
    marginRatio: string | null;
    liquidated: boolean;
  }>;
}

const ratioOf = (d: Decimal) => (d.isFinite() ? d.toDecimalPlaces(8).toFixed() : null);

/**
 * An order that rests (a limit, a stop) as if it filled completely at `price`: the engine's
 * preview of the same quantity taken at that mark, with the fee rate it would pay (maker for a
 * resting limit). What Binance calls the estimated liquidation price of an open order.
 */
export function estimateFilled(
  account: Account,
  market: Market,
  req: OrderInput,
  price: string,
  maker: boolean,
  now: number,
): FillEstimate | null {
  const instrument = market.instruments[req.symbol];
  if (!instrument || !req.quantity) return null;
  const at = new Decimal(price);
  // no book model: a market order fills at the mark, here the order's price
  const { book: _book, ...flat } = instrument;
  void _book;
  const m: Market = {
    ...market,
    instruments: {
      ...market.instruments,
      [req.symbol]: {
        ...flat,
        takerFeeRate: maker ? instrument.makerFeeRate : instrument.takerFeeRate,
      },
    },
    marks: { ...market.marks, [req.symbol]: at },
    lastPrices: { ...market.lastPrices, [req.symbol]: at },
  };
  const p = previewOrder(
    account,
    m,
    {
      symbol: req.symbol,
      side: req.side,
      type: 'market',
      quantity: req.quantity,
      ...(req.reduceOnly ? { reduceOnly: true } : {}),
    },
    now,
  );
  if (!p.accepted) return null;
  return {
    price,
    fee: p.fee.toFixed(),
    liquidationPrice: p.liquidationPrice ? p.liquidationPrice.toFixed() : null,
    marginRatio: ratioOf(p.marginRatio),
    stress: p.stress.map((x) => ({
      movePercent: x.movePercent,
      markPrice: x.markPrice.toFixed(),
      marginRatio: ratioOf(x.marginRatio),
      liquidated: x.liquidated,
    })),
  };
}
