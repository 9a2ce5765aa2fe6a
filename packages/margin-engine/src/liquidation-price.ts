// Liquidation price estimate (closed form per tier) confirmed exactly against the liquidation rule.
import { type Decimal, ZERO } from './decimal.ts';
import { roundToTick } from './instruments.ts';
import { signedCost } from './position-math.ts';
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
 * position liquidates when K + qM - C <= |q| M mmr - cum (C = signed cost basis, q E with the
 * exact entry), so in the tier containing |q| M:
 *   M = (C - K - cum) / (q - |q| mmr).
 * Each tier's price bracket (floor/|q|, cap/|q|] gives the part of it that liquidates; the answer
 * is the first liquidating price the mark meets moving against the position: the highest for a
 * long, the lowest for a short (possibly a tier cap itself when the maintenance margin jumps there,
 * which catalogue tiers never do: their maintenance amounts make it continuous, and then this is
 * the unique root). Returns undefined when no positive price liquidates.
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
  const long = q.isPos();
  let best: Decimal | undefined;
  const tiers = instrument.riskTiers;
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    const lo = i === 0 ? ZERO : tiers[i - 1]!.maxNotional.div(aq);
    const hi = i === tiers.length - 1 ? undefined : t.maxNotional.div(aq);
    // slack(M) = K - qE + cum + slope x M; liquidation where slack <= 0
    const slope = q.minus(aq.times(t.maintenanceMarginRate));
    const a = k.minus(signedCost(pos)).plus(t.maintenanceAmount);
    let candidate: Decimal | undefined;
    if (slope.isZero()) {
      if (a.lte(0)) candidate = long ? hi : lo;
    } else {
      const root = a.neg().div(slope);
      if (slope.isPos()) {
        // liquidates for M <= root: the bracket's part is (lo, min(root, hi)]
        if (root.gt(lo)) candidate = long ? (hi && hi.lt(root) ? hi : root) : lo;
      } else if (hi === undefined || root.lte(hi)) {
        // liquidates for M >= root: the bracket's part is [max(root, lo), hi]
        candidate = long ? hi : root.gt(lo) ? root : lo;
      }
    }
    if (!candidate || candidate.lte(0)) continue;
    if (!best || (long ? candidate.gt(best) : candidate.lt(best))) best = candidate;
  }
  return best;
}

/**
 * What a position's liquidation price depends on besides the account itself: nothing for an
 * isolated position (its wallet is its margin), the marks of the account's other cross positions
 * for a cross one (their PnL and maintenance are part of its margin). Its own mark never matters.
 */
function dependencyKey(account: Account, market: Market, symbol: string): string {
  if (settingsOf(account, symbol).marginMode === 'isolated') return '';
  let key = '';
  for (const other of Object.keys(account.positions).sort()) {
    if (other === symbol || settingsOf(account, other).marginMode !== 'cross') continue;
    key += `${other}=${market.marks[other]?.toString() ?? '-'};`;
  }
  return key;
}

interface Memo {
  instruments: Market['instruments'];
  key: string;
  price: Decimal | undefined;
}

/** Per account state (accounts are immutable: a change is a new object), per symbol. */
const memo = new WeakMap<Account, Map<string, Memo>>();

/**
 * Liquidation price as displayed: rounded to tick in the adverse direction (down for a long, up
 * for a short) and confirmed exactly, so a mark at this price liquidates and one tick better does not.
 * Memoized per account state and what the price depends on (dependencyKey): re-marking an account
 * on every tick recomputes it only when another cross position's mark moved.
 */
export function liquidationPrice(
  account: Account,
  market: Market,
  symbol: string,
): Decimal | undefined {
  const key = dependencyKey(account, market, symbol);
  let forAccount = memo.get(account);
  const hit = forAccount?.get(symbol);
  if (hit && hit.instruments === market.instruments && hit.key === key) return hit.price;
  const price = computeLiquidationPrice(account, market, symbol);
  if (!forAccount) memo.set(account, (forAccount = new Map<string, Memo>()));
  forAccount.set(symbol, { instruments: market.instruments, key, price });
  return price;
}

/** liquidationPrice without the memo. */
export function computeLiquidationPrice(
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
