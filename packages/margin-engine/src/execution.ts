// Turning an accepted order into fills: taker matching, maker fills, and the post-fill risk check.
import { type Decimal, ZERO, max, min, money } from './decimal.ts';
import type { ErrorCode } from './errors.ts';
import { matchTaker, slicesQuantity, type Slice } from './book.ts';
import { applyEvents } from './events.ts';
import { applyTrade } from './position-math.ts';
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  crossLiquidatable,
  crossWalletOf,
  instrumentOf,
  isolatedLiquidatable,
  markOf,
  openOrderMargin,
  settingsOf,
} from './risk.ts';
import type { Account, EngineEvent, Liquidity, Market, Order } from './types.ts';

export interface Step {
  account: Account;
  events: EngineEvent[];
  error?: ErrorCode;
}

/** Fill events (fill + positionChanged per slice) folded one by one into the account. */
export function fillSlices(
  account: Account,
  market: Market,
  order: Order,
  slices: readonly Slice[],
  liquidity: Liquidity,
  now: number,
  /** Fee rate override (closeAllAtMark closes without fee); else the instrument's for the liquidity. */
  rate?: Decimal,
): Step {
  let acc = account;
  const events: EngineEvent[] = [];
  const instrument = instrumentOf(market, order.symbol);
  const settings = settingsOf(account, order.symbol, instrument);
  const feeRate =
    rate ?? (liquidity === 'maker' ? instrument.makerFeeRate : instrument.takerFeeRate);
  for (const s of slices) {
    const nominalFee = money(s.quantity.times(s.price).times(feeRate));
    const out = applyTrade(
      acc.positions[order.symbol],
      order.symbol,
      order.side,
      s.quantity,
      s.price,
      nominalFee,
      settings,
    );
    const build = (fee: Decimal, shortfall: Decimal): EngineEvent[] => [
      {
        type: 'fill',
        accountId: acc.id,
        time: now,
        orderId: order.id,
        symbol: order.symbol,
        side: order.side,
        quantity: s.quantity,
        price: s.price,
        liquidity,
        feeRate,
        fee,
        realizedPnl: out.realizedPnl,
        shortfall,
      },
      {
        type: 'positionChanged',
        accountId: acc.id,
        time: now,
        symbol: order.symbol,
        quantity: out.position.quantity,
        entryPrice: out.position.entryPrice,
        costBasis: out.position.costBasis,
        isolatedWallet: out.position.isolatedWallet,
        isolatedTransfer: out.isolatedTransfer,
      },
    ];
    const evs =
      settings.marginMode === 'cross' && crossWalletOf(acc).plus(out.realizedPnl).lt(nominalFee)
        ? crossBeyondWallet(acc, market, nominalFee, build)
        : build(out.fee, out.shortfall);
    acc = applyEvents(acc, evs);
    events.push(...evs);
  }
  return { account: acc, events };
}

/**
 * A cross fill whose realized loss and fee exceed the cross wallet (the loss-carrying rule, see
 * README). The fee is charged only out of the cross margin balance left after the PnL. While
 * other cross positions remain, the cross wallet goes negative and their margin balance carries
 * it (Binance's rule; liquidation follows if it no longer covers maintenance); when none is left,
 * the insurance fund pays what is below zero.
 */
function crossBeyondWallet(
  acc: Account,
  market: Market,
  nominalFee: Decimal,
  build: (fee: Decimal, shortfall: Decimal) => EngineEvent[],
): EngineEvent[] {
  const trial = applyEvents(acc, build(ZERO, ZERO));
  const risks = allPositionRisks(trial, market);
  const c = crossFigures(trial, risks);
  const fee = min(nominalFee, max(ZERO, c.crossMarginBalance));
  const carried = risks.some((r) => r.marginMode === 'cross');
  return build(fee, carried ? ZERO : max(ZERO, fee.minus(c.crossWallet)));
}

const remainingOf = (o: Order): Decimal => o.quantity.minus(o.filledQuantity);

/** How much of the order may execute now: reduce-only and close-position orders never exceed the position. */
export function executableQuantity(account: Account, order: Order): Decimal | ErrorCode {
  const rem = remainingOf(order);
  if (!order.reduceOnly && !order.closePosition) return rem;
  const q = account.positions[order.symbol]?.quantity ?? ZERO;
  if (q.isZero() || q.isPos() === (order.side === 'buy'))
    return order.closePosition ? 'NO_POSITION_TO_CLOSE' : 'REDUCE_ONLY_WOULD_INCREASE';
  return rem.lt(q.abs()) ? rem : q.abs();
}

function expired(
  acc: Account,
  order: Order,
  code: ErrorCode,
  reason: string,
  now: number,
): EngineEvent {
  return {
    type: 'orderExpired',
    accountId: acc.id,
    time: now,
    orderId: order.id,
    symbol: order.symbol,
    code,
    reason,
  };
}

/** Execute the immediately executable part of an order as taker (market, or limit crossing the book). */
export function takerPhase(account: Account, market: Market, orderId: string, now: number): Step {
  const order = account.orders[orderId]!;
  const qty = executableQuantity(account, order);
  if (typeof qty === 'string') return { account, events: [], error: qty };
  const instrument = instrumentOf(market, order.symbol);
  const mark = markOf(market, order.symbol);
  const limit = order.type === 'market' ? undefined : order.price;
  const slices = matchTaker(instrument, mark, order.side, qty, limit);
  const matched = slicesQuantity(slices);
  if (order.type !== 'market') {
    if (order.timeInForce === 'GTX' && slices.length > 0)
      return { account, events: [], error: 'POST_ONLY_WOULD_TAKE' };
    if (order.timeInForce === 'FOK' && matched.lt(remainingOf(order)))
      return { account, events: [], error: 'FOK_NOT_FILLED' };
  }
  const step = fillSlices(account, market, order, slices, 'taker', now);
  if (step.error) return { account, events: [], error: step.error };
  const after = step.account.orders[orderId];
  const restIsDone = order.type === 'market' || order.timeInForce === 'IOC';
  if (after && restIsDone) {
    const unfilled: ErrorCode = order.type === 'market' ? 'BOOK_DEPTH_EXHAUSTED' : 'IOC_NOT_FILLED';
    const code: ErrorCode = matched.lt(qty) ? unfilled : 'REDUCE_ONLY_WOULD_INCREASE';
    const reason = matched.lt(qty)
      ? 'unfilled remainder expired'
      : 'remainder beyond the position expired (reduce-only)';
    const ev = expired(step.account, after, code, reason, now);
    return { account: applyEvents(step.account, [ev]), events: [...step.events, ev] };
  }
  return step;
}

const feesOf = (fills: readonly EngineEvent[]): Decimal =>
  fills.reduce((s, e) => (e.type === 'fill' ? s.plus(e.fee) : s), ZERO);

/**
 * After a fill (or an order coming to rest). An order that only cuts risk (see addsRisk) is never
 * refused: its loss beyond a wallet is carried by the rule of crossBeyondWallet / applyTrade. One
 * that adds risk needs every wallet >= 0 without insurance money, a non-negative available balance
 * (open orders included) and must not leave the account liquidatable: at placement, at a trigger,
 * and again when a resting order fills, as its margin may no longer be there (a reduce-only close
 * took the position it was closing, a price move took the margin balance).
 */
export function riskCheck(
  after: Account,
  market: Market,
  symbol: string,
  risky: boolean,
  fills: readonly EngineEvent[],
  /** A resting order filling: its own fee may take the available balance that far below zero. */
  resting = false,
): ErrorCode | undefined {
  if (!risky) return undefined;
  const risks = allPositionRisks(after, market);
  const cross = crossFigures(after, risks);
  const walletsOk =
    cross.crossWallet.gte(0) &&
    risks.every((r) => r.isolatedWallet.gte(0)) &&
    !fills.some((e) => e.type === 'fill' && e.shortfall.gt(0));
  if (!walletsOk) return 'INSUFFICIENT_MARGIN';
  const allowance = resting ? feesOf(fills) : ZERO;
  if (availableBalanceRaw(cross, openOrderMargin(after, market)).plus(allowance).lt(0))
    return 'INSUFFICIENT_MARGIN';
  const r = risks.find((x) => x.symbol === symbol);
  if (r && r.marginMode === 'isolated' && isolatedLiquidatable(r)) return 'INSUFFICIENT_MARGIN';
  if (crossLiquidatable(cross)) return 'INSUFFICIENT_MARGIN';
  return undefined;
}
