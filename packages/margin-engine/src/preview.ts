// Pre-trade preview: what an order would do, computed on a copy (state is immutable anyway).
import { type Decimal, ZERO } from './decimal.ts';
import type { ErrorCode } from './errors.ts';
import { roundToTick } from './instruments.ts';
import { withPrice } from './on-price.ts';
import { placeOrder } from './place-order.ts';
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  crossLiquidatable,
  instrumentOf,
  isolatedLiquidatable,
  marginRatio,
  openOrderMargin,
} from './risk.ts';
import { summarize } from './summary.ts';
import type { Account, Market, OrderRequest } from './types.ts';

export interface StressPoint {
  movePercent: 5 | 10 | 20;
  /** The order's symbol's mark moved that much against the resulting position (to the tick). */
  markPrice: Decimal;
  /** Margin balance of the position's compartment (isolated, or the cross account). */
  equity: Decimal;
  /** Its maintenance / equity (Infinity when equity <= 0 with maintenance due). */
  marginRatio: Decimal;
  /** The engine would liquidate that compartment at that mark. */
  liquidated: boolean;
}

export interface OrderPreview {
  accepted: boolean;
  rejection: { code: ErrorCode; message: string } | undefined;
  filledQuantity: Decimal;
  averagePrice: Decimal | undefined;
  fee: Decimal;
  realizedPnl: Decimal;
  /** Available balance consumed by the order (fee and margin; negative when it frees margin). */
  cost: Decimal;
  positionQuantity: Decimal;
  entryPrice: Decimal;
  liquidationPrice: Decimal | undefined;
  crossMarginRatio: Decimal;
  /** Margin ratio of the resulting position's compartment (isolated, or the cross account). */
  marginRatio: Decimal;
  availableBalanceBefore: Decimal;
  availableBalanceAfter: Decimal;
  /** The resulting account with the symbol's mark 5%, 10%, 20% against the position. */
  stress: StressPoint[];
}

/** The stress table's mark moves against the position, in percent. */
export const STRESS_MOVES = [5, 10, 20] as const;

/** Figures of the compartment of `symbol`'s position in `a` at the market's marks. */
function compartment(
  a: Account,
  m: Market,
  symbol: string,
): { equity: Decimal; marginRatio: Decimal; liquidated: boolean } {
  const risks = allPositionRisks(a, m);
  const r = risks.find((x) => x.symbol === symbol);
  if (r && r.marginMode === 'isolated') {
    const equity = r.isolatedWallet.plus(r.unrealizedPnl);
    return {
      equity,
      marginRatio: marginRatio(r.maintenanceMargin, equity),
      liquidated: isolatedLiquidatable(r),
    };
  }
  const c = crossFigures(a, risks);
  return {
    equity: c.crossMarginBalance,
    marginRatio: c.crossMarginRatio,
    liquidated: crossLiquidatable(c),
  };
}

/**
 * The order's symbol's mark moved against the resulting position (down for a long, up for a
 * short; for a flat result, against the order's side), rounded to the tick in that direction.
 */
function stressOf(a: Account, market: Market, req: OrderRequest): StressPoint[] {
  const mark = market.marks[req.symbol];
  if (!mark) return [];
  const q = a.positions[req.symbol]?.quantity;
  const down = q && !q.isZero() ? q.isPos() : req.side === 'buy';
  const instrument = instrumentOf(market, req.symbol);
  return STRESS_MOVES.map((movePercent) => {
    const markPrice = roundToTick(
      instrument,
      mark.times(1 + ((down ? -1 : 1) * movePercent) / 100),
      down ? 'down' : 'up',
    );
    const m = withPrice(market, req.symbol, { markPrice });
    return { movePercent, markPrice, ...compartment(a, m, req.symbol) };
  });
}

const rawAvailable = (a: Account, m: Market): Decimal =>
  availableBalanceRaw(crossFigures(a, allPositionRisks(a, m)), openOrderMargin(a, m));

export function previewOrder(
  account: Account,
  market: Market,
  req: OrderRequest,
  now: number,
): OrderPreview {
  const res = placeOrder(account, market, req, { now });
  let qty = ZERO;
  let notional = ZERO;
  let fee = ZERO;
  let pnl = ZERO;
  for (const e of res.events) {
    if (e.type !== 'fill') continue;
    qty = qty.plus(e.quantity);
    notional = notional.plus(e.quantity.times(e.price));
    fee = fee.plus(e.fee);
    pnl = pnl.plus(e.realizedPnl);
  }
  const after = summarize(res.account, market);
  const pos = res.account.positions[req.symbol];
  const before = rawAvailable(account, market);
  const afterAvail = rawAvailable(res.account, market);
  return {
    accepted: !res.rejected,
    rejection: res.rejected
      ? { code: res.rejected.code, message: res.rejected.message }
      : undefined,
    filledQuantity: qty,
    averagePrice: qty.isZero() ? undefined : notional.div(qty),
    fee,
    realizedPnl: pnl,
    cost: before.minus(afterAvail),
    positionQuantity: pos?.quantity ?? ZERO,
    entryPrice: pos?.entryPrice ?? ZERO,
    liquidationPrice: after.positions.find((p) => p.symbol === req.symbol)?.liquidationPrice,
    crossMarginRatio: after.crossMarginRatio,
    marginRatio: compartment(res.account, market, req.symbol).marginRatio,
    availableBalanceBefore: before,
    availableBalanceAfter: afterAvail,
    stress: stressOf(res.account, market, req),
  };
}
