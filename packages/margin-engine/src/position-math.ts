// Position accounting for one trade: exact cost basis, realized PnL, flips, isolated margin.
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
  /** Fee charged: isolated, at most what the isolated wallet holds after the realized PnL. */
  fee: Decimal;
  /**
   * Isolated only: the loss the isolated wallet cannot cover (> 0 only when a position is closed
   * or flipped beyond its bankruptcy price), paid by the insurance fund, never by the cross wallet.
   */
  shortfall: Decimal;
}

export const signedQty = (side: Side, qty: Decimal): Decimal => (side === 'buy' ? qty : qty.neg());

/** The position's cost with the sign of its quantity (what q x E stood for). */
export const signedCost = (p: Pick<Position, 'quantity' | 'costBasis'>): Decimal =>
  p.quantity.isNeg() ? p.costBasis.neg() : p.costBasis;

/** Displayed average entry: cost / |qty| to ENTRY_DP (zero for a flat position). */
export const entryOf = (cost: Decimal, qty: Decimal): Decimal =>
  qty.isZero() ? ZERO : cost.div(qty.abs()).toDecimalPlaces(ENTRY_DP, D.ROUND_HALF_EVEN);

/**
 * Cost released by closing `closed` of a position: its share of the cost basis rounded to 8 dp
 * (half-even), all that is left on the last close. So the realized PnL of the close,
 * closed x price - released, is money, and summed over the position's life it is exactly
 * proceeds - cost.
 */
export function releasedCost(
  p: Pick<Position, 'quantity' | 'costBasis'>,
  closed: Decimal,
): Decimal {
  const aq = p.quantity.abs();
  if (closed.gte(aq)) return p.costBasis;
  return D.min(p.costBasis, money(p.costBasis.times(closed).div(aq)));
}

/** Realized PnL of closing `closed` at `price`: sign(q) x (closed x price - released cost). */
export const realizedOn = (
  p: Pick<Position, 'quantity' | 'costBasis'>,
  closed: Decimal,
  price: Decimal,
): Decimal =>
  closed
    .times(price)
    .minus(releasedCost(p, closed))
    .times(p.quantity.isPos() ? 1 : -1);

/** `openedAt`: the one fill price of a position opened from flat (cost / qty is exactly that). */
export const makePosition = (
  symbol: string,
  quantity: Decimal,
  costBasis: Decimal,
  isolatedWallet: Decimal,
  openedAt?: Decimal,
): Position => ({
  symbol,
  quantity,
  entryPrice: quantity.isZero() ? ZERO : (openedAt ?? entryOf(costBasis, quantity)),
  costBasis: quantity.isZero() ? ZERO : costBasis,
  isolatedWallet,
});

/**
 * Apply a trade of `qty` at `price` (fee already known) to a position.
 * - increase: cost basis += qty x P (exact); isolated: IM of the added part (qty x P / leverage,
 *   rounded up to 8 dp) moves from the cross wallet into the isolated one.
 * - reduce: realized = sign(q) x (closed x P - released cost), 8 dp; isolated: PnL and fee settle
 *   in the isolated wallet (a loss beyond it is a shortfall, see TradeOutcome), then margin is
 *   released to the cross wallet (see below; rounded down).
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
  const cost = pos?.costBasis ?? ZERO;
  const iw = pos?.isolatedWallet ?? ZERO;
  const s = signedQty(side, qty);
  const isolated = settings.marginMode === 'isolated';
  const openMargin = (n: Decimal): Decimal =>
    isolated ? moneyUp(n.abs().times(price).div(settings.leverage)) : ZERO;

  if (q.isZero() || q.isPos() === s.isPos()) {
    const transfer = openMargin(qty);
    return {
      position: makePosition(
        symbol,
        q.plus(s),
        cost.plus(qty.times(price)),
        iw.plus(transfer),
        q.isZero() ? price : undefined,
      ),
      realizedPnl: ZERO,
      isolatedTransfer: transfer,
      fee,
      shortfall: ZERO,
    };
  }
  const held = { quantity: q, costBasis: cost };
  const closed = D.min(qty, q.abs());
  const realizedPnl = money(realizedOn(held, closed, price));
  const nq = q.plus(s);
  const flipped = !nq.isZero() && nq.isPos() !== q.isPos();
  const restCost = flipped ? nq.abs().times(price) : cost.minus(releasedCost(held, closed));
  if (!isolated) {
    return {
      position: makePosition(symbol, nq, restCost, ZERO, flipped ? price : undefined),
      realizedPnl,
      isolatedTransfer: ZERO,
      fee,
      shortfall: ZERO,
    };
  }
  // PnL and fee settle in the isolated wallet; the fee only out of what the loss left, and what
  // the wallet cannot cover is a shortfall for the insurance fund (as in a liquidation)
  const charged = D.min(fee, D.max(ZERO, iw.plus(realizedPnl)));
  const net = iw.plus(realizedPnl).minus(charged);
  const shortfall = D.max(ZERO, net.neg());
  const settled = net.plus(shortfall);
  if (nq.isZero() || flipped) {
    const reopen = openMargin(nq);
    return {
      position: makePosition(symbol, nq, restCost, reopen, flipped ? price : undefined),
      realizedPnl,
      isolatedTransfer: reopen.minus(settled),
      fee: charged,
      shortfall,
    };
  }
  // Released margin: the smaller of the closed share of the isolated wallet and the amount that
  // leaves the remaining position with its share of the equity (wallet + PnL at the fill price),
  // so a reduce never makes the rest of an isolated position riskier.
  const share = closed.div(q.abs());
  const restPnl = nq.times(price).minus(signedCost({ quantity: nq, costBasis: restCost }));
  const byWallet = settled.times(share);
  const byEquity = settled.minus(settled.plus(restPnl).times(nq.abs().div(q.abs())).minus(restPnl));
  const release = moneyDown(D.max(ZERO, D.min(byWallet, byEquity, settled)));
  return {
    position: makePosition(symbol, nq, restCost, settled.minus(release)),
    realizedPnl,
    isolatedTransfer: release.neg(),
    fee: charged,
    shortfall,
  };
}
