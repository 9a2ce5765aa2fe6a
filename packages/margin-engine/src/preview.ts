// Pre-trade preview: what an order would do, computed on a copy (state is immutable anyway).
import { type Decimal, ZERO } from './decimal.ts';
import type { ErrorCode } from './errors.ts';
import { placeOrder } from './place-order.ts';
import { allPositionRisks, availableBalanceRaw, crossFigures, openOrderMargin } from './risk.ts';
import { summarize } from './summary.ts';
import type { Account, Market, OrderRequest } from './types.ts';

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
  availableBalanceBefore: Decimal;
  availableBalanceAfter: Decimal;
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
    availableBalanceBefore: before,
    availableBalanceAfter: afterAvail,
  };
}
