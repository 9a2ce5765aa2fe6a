// Position accounting for one trade: weighted-average entry, realized PnL, flips, isolated margin.
import {
  type Decimal,
  ZERO,
  ENTRY_DP,
  money,
  moneyDown,
  moneyUp,
  Decimal as D,
} from './decimal.ts';
import type { Position, Side, SymbolSettings } from './types.ts';

export interface TradeOutcome {
  position: Position;
  realizedPnl: Decimal;
  /** Cross wallet -> isolated wallet (negative when margin is released back). */
  isolatedTransfer: Decimal;
  /**
   * Isolated only: the part of the realized loss and fee the isolated wallet cannot cover (> 0
   * only when a position is closed or flipped beyond its bankruptcy price). Covering it would
   * take money from the cross wallet, so the caller must refuse such a fill.
   */
  isolatedDeficit: Decimal;
}

export const signedQty = (side: Side, qty: Decimal): Decimal => (side === 'buy' ? qty : qty.neg());

/**
 * Apply a trade of `qty` at `price` (fee already known) to a position.
 * - increase: entry = (|q| x E + qty x P) / (|q| + qty), kept to 12 dp; isolated: IM of the added
 *   part (qty x P / leverage, rounded up to 8 dp) moves from the cross wallet into the isolated one.
 * - reduce: realized = closed x (P - E) x sign(q), 8 dp; isolated: PnL and fee settle in the isolated
 *   wallet, then margin is released to the cross wallet (see below; rounded down to 8 dp).
 * - flip: close all, then open the rest at P.
 */
export function applyTrade(
  pos: Position | undefined,
  symbol: string,
  side: Side,
  qty: Decimal,
  price: Decimal,
  fee: Decimal,
  settings: SymbolSettings,
): TradeOutcome {
  const q = pos?.quantity ?? ZERO;
  const e = pos?.entryPrice ?? ZERO;
  const iw = pos?.isolatedWallet ?? ZERO;
  const s = signedQty(side, qty);
  const isolated = settings.marginMode === 'isolated';
  const openMargin = (n: Decimal): Decimal =>
    isolated ? moneyUp(n.abs().times(price).div(settings.leverage)) : ZERO;

  if (q.isZero() || q.isPos() === s.isPos()) {
    const nq = q.plus(s);
    const entry = q.isZero()
      ? price
      : q
          .abs()
          .times(e)
          .plus(qty.times(price))
          .div(nq.abs())
          .toDecimalPlaces(ENTRY_DP, D.ROUND_HALF_EVEN);
    const transfer = openMargin(qty);
    return {
      position: { symbol, quantity: nq, entryPrice: entry, isolatedWallet: iw.plus(transfer) },
      realizedPnl: ZERO,
      isolatedTransfer: transfer,
      isolatedDeficit: ZERO,
    };
  }
  const closed = D.min(qty, q.abs());
  const realizedPnl = money(closed.times(price.minus(e)).times(q.isPos() ? 1 : -1));
  const nq = q.plus(s);
  if (!isolated) {
    return {
      position: {
        symbol,
        quantity: nq,
        entryPrice: nq.isZero() ? ZERO : closed.lt(q.abs()) ? e : price,
        isolatedWallet: ZERO,
      },
      realizedPnl,
      isolatedTransfer: ZERO,
      isolatedDeficit: ZERO,
    };
  }
  const settled = iw.plus(realizedPnl).minus(fee);
  if (nq.isZero() || nq.isPos() !== q.isPos()) {
    const reopen = openMargin(nq);
    return {
      position: {
        symbol,
        quantity: nq,
        entryPrice: nq.isZero() ? ZERO : price,
        isolatedWallet: reopen,
      },
      realizedPnl,
      isolatedTransfer: reopen.minus(settled),
      isolatedDeficit: D.max(ZERO, settled.neg()),
    };
  }
  // Released margin: the smaller of the closed share of the isolated wallet and the amount that
  // leaves the remaining position with its share of the equity (wallet + PnL at the fill price),
  // so a reduce never makes the rest of an isolated position riskier.
  const share = closed.div(q.abs());
  const restPnl = nq.times(price.minus(e));
  const byWallet = settled.times(share);
  const byEquity = settled.minus(settled.plus(restPnl).times(nq.abs().div(q.abs())).minus(restPnl));
  const release = moneyDown(D.max(ZERO, D.min(byWallet, byEquity, settled)));
  return {
    position: { symbol, quantity: nq, entryPrice: e, isolatedWallet: settled.minus(release) },
    realizedPnl,
    isolatedTransfer: release.neg(),
    isolatedDeficit: D.max(ZERO, settled.neg()),
  };
}
