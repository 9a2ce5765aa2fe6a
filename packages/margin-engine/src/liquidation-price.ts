// Liquidation price estimate (closed form per tier) confirmed exactly against the liquidation rule.
import { type Decimal, ZERO } from './decimal.ts';
import { roundToTick } from './instruments.ts';
import {
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  instrumentOf,
  isolatedLiquidatable,
  settingsOf,
} from './risk.ts';
import type { Account, Market } from './types.ts';

/** Would the account liquidate (for this symbol's compartment) if the symbol's mark were `price`? */
export function liquidatesAt(
  account: Account,
  market: Market,
  symbol: string,
  price: Decimal,
): boolean {
  const m: Market = { ...market, marks: { ...market.marks, [symbol]: price } };
  const risks = allPositionRisks(account, m);
  if (settingsOf(account, symbol).marginMode === 'isolated') {
    const r = risks.find((x) => x.symbol === symbol);
    return r !== undefined && isolatedLiquidatable(r);
  }
  return crossLiquidatable(crossFigures(account, risks));
}

/**
 * Exact liquidation threshold before display rounding. With K the margin available to the position
 * (isolated: its wallet; cross: cross wallet + other cross positions' PnL - their maintenance), the
 * position liquidates when K + q(M - E) <= |q| M mmr - cum, so in the tier containing |q| M:
 *   M = (q E - K - cum) / (q - |q| mmr).
 * Returns undefined when no positive price liquidates.
 */
export function rawLiquidationPrice(
  account: Account,
  market: Market,
  symbol: string,
): Decimal | undefined {
  const pos = account.positions[symbol];
  if (!pos) return undefined;
  const instrument = instrumentOf(market, symbol);
  const risks = allPositionRisks(account, market);
  let k: Decimal;
  if (settingsOf(account, symbol).marginMode === 'isolated') {
    k = pos.isolatedWallet;
  } else {
    k = crossFigures(account, risks).crossWallet;
    for (const r of risks) {
      if (r.marginMode === 'cross' && r.symbol !== symbol)
        k = k.plus(r.unrealizedPnl).minus(r.maintenanceMargin);
    }
  }
  const q = pos.quantity;
  const aq = q.abs();
  let floor = ZERO;
  const tiers = instrument.riskTiers;
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    const denom = q.minus(aq.times(t.maintenanceMarginRate));
    const m = q.times(pos.entryPrice).minus(k).minus(t.maintenanceAmount).div(denom);
    const n = aq.times(m);
    const inTier = n.gt(floor) && (n.lte(t.maxNotional) || i === tiers.length - 1);
    if (inTier && m.gt(0)) return m;
    floor = t.maxNotional;
  }
  return undefined;
}

/**
 * Liquidation price as displayed: rounded to tick in the adverse direction (down for a long, up
 * for a short) and confirmed exactly, so a mark at this price liquidates and one tick better does not.
 */
export function liquidationPrice(
  account: Account,
  market: Market,
  symbol: string,
): Decimal | undefined {
  const pos = account.positions[symbol];
  const raw = rawLiquidationPrice(account, market, symbol);
  if (!pos || !raw) return undefined;
  const instrument = instrumentOf(market, symbol);
  const tick = instrument.tickSize;
  const long = pos.quantity.isPos();
  const liq = (p: Decimal): boolean => p.gt(0) && liquidatesAt(account, market, symbol, p);
  // `better` moves away from liquidation: up for a long, down for a short.
  const better = (p: Decimal): Decimal => (long ? p.plus(tick) : p.minus(tick));
  const worse = (p: Decimal): Decimal => (long ? p.minus(tick) : p.plus(tick));
  let p = roundToTick(instrument, raw, long ? 'down' : 'up');
  for (let i = 0; i < 4 && p.gt(0) && !liq(p); i++) p = worse(p);
  for (let i = 0; i < 4 && liq(better(p)); i++) p = better(p);
  return p.gt(0) && liq(p) ? p : undefined;
}
