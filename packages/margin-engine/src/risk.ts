// Margin formulas (mark price for everything risk-related). See README "Formulas".
import { Decimal, ZERO, max } from './decimal.ts';
import { EngineError } from './errors.ts';
import { tierIndex, type Instrument } from './instruments.ts';
import { signedCost } from './position-math.ts';
import type { Account, MarginMode, Market, Order, Position, SymbolSettings } from './types.ts';

/** Binance's defaults: cross margin at 20x (or the instrument's maximum when lower). */
export const DEFAULT_SETTINGS: SymbolSettings = { leverage: 20, marginMode: 'cross' };

export const settingsOf = (a: Account, symbol: string, instrument?: Instrument): SymbolSettings =>
  a.settings[symbol] ??
  (instrument && instrument.maxLeverage < DEFAULT_SETTINGS.leverage
    ? { ...DEFAULT_SETTINGS, leverage: instrument.maxLeverage }
    : DEFAULT_SETTINGS);

export function instrumentOf(market: Market, symbol: string): Instrument {
  // own properties only: 'toString' or '__proto__' are not instruments
  const i = Object.hasOwn(market.instruments, symbol) ? market.instruments[symbol] : undefined;
  if (!i) throw new EngineError('UNKNOWN_SYMBOL', 'symbol');
  return i;
}

/** Mark price of a symbol; a position without a known mark is valued at its entry price. */
export function markOf(market: Market, symbol: string, fallback?: Decimal): Decimal {
  const m = market.marks[symbol];
  if (m) return m;
  if (fallback) return fallback;
  throw new EngineError('NO_MARK_PRICE', 'symbol');
}

export interface PositionRisk {
  symbol: string;
  quantity: Decimal;
  entryPrice: Decimal;
  /** Exact unsigned cost of the open quantity (see Position.costBasis). */
  costBasis: Decimal;
  markPrice: Decimal;
  marginMode: MarginMode;
  leverage: number;
  isolatedWallet: Decimal;
  /** |qty| x mark */
  notional: Decimal;
  /** qty x mark - signed cost basis (qty x (mark - entry) with the exact entry) */
  unrealizedPnl: Decimal;
  tier: number;
  maintenanceMarginRate: Decimal;
  maintenanceAmount: Decimal;
  /** notional x MMR(tier) - maintenance amount(tier) */
  maintenanceMargin: Decimal;
  /** notional / leverage */
  initialMargin: Decimal;
}

export function maintenanceMargin(instrument: Instrument, notional: Decimal): Decimal {
  const t = instrument.riskTiers[tierIndex(instrument, notional)]!;
  return notional.times(t.maintenanceMarginRate).minus(t.maintenanceAmount);
}

export function positionRisk(
  pos: Position,
  instrument: Instrument,
  settings: SymbolSettings,
  mark: Decimal,
): PositionRisk {
  const notional = pos.quantity.abs().times(mark);
  const ti = tierIndex(instrument, notional);
  const tier = instrument.riskTiers[ti]!;
  return {
    symbol: pos.symbol,
    quantity: pos.quantity,
    entryPrice: pos.entryPrice,
    costBasis: pos.costBasis,
    markPrice: mark,
    marginMode: settings.marginMode,
    leverage: settings.leverage,
    isolatedWallet: pos.isolatedWallet,
    notional,
    unrealizedPnl: pos.quantity.times(mark).minus(signedCost(pos)),
    tier: ti,
    maintenanceMarginRate: tier.maintenanceMarginRate,
    maintenanceAmount: tier.maintenanceAmount,
    maintenanceMargin: notional.times(tier.maintenanceMarginRate).minus(tier.maintenanceAmount),
    initialMargin: notional.div(settings.leverage),
  };
}

export function allPositionRisks(account: Account, market: Market): PositionRisk[] {
  return Object.keys(account.positions)
    .sort()
    .map((sym) => {
      const pos = account.positions[sym]!;
      const instrument = instrumentOf(market, sym);
      return positionRisk(
        pos,
        instrument,
        settingsOf(account, sym, instrument),
        markOf(market, sym, pos.entryPrice),
      );
    });
}

/** Cross wallet = wallet balance - isolated wallets (without valuing any position). */
export function crossWalletOf(account: Account): Decimal {
  let w = account.walletBalance;
  for (const sym of Object.keys(account.positions))
    if (settingsOf(account, sym).marginMode === 'isolated')
      w = w.minus(account.positions[sym]!.isolatedWallet);
  return w;
}

export interface CrossFigures {
  /** walletBalance - isolated wallets */
  crossWallet: Decimal;
  crossUnrealizedPnl: Decimal;
  /** crossWallet + cross unrealized PnL */
  crossMarginBalance: Decimal;
  crossMaintenanceMargin: Decimal;
  crossInitialMargin: Decimal;
  /** crossMM / crossMarginBalance; Infinity when the balance is <= 0 with maintenance due; 0 without positions. */
  crossMarginRatio: Decimal;
  isolatedWallets: Decimal;
}

export function crossFigures(account: Account, risks: PositionRisk[]): CrossFigures {
  let iso = ZERO;
  let upnl = ZERO;
  let mm = ZERO;
  let im = ZERO;
  for (const r of risks) {
    if (r.marginMode === 'isolated') {
      iso = iso.plus(r.isolatedWallet);
    } else {
      upnl = upnl.plus(r.unrealizedPnl);
      mm = mm.plus(r.maintenanceMargin);
      im = im.plus(r.initialMargin);
    }
  }
  const crossWallet = account.walletBalance.minus(iso);
  const mb = crossWallet.plus(upnl);
  return {
    crossWallet,
    crossUnrealizedPnl: upnl,
    crossMarginBalance: mb,
    crossMaintenanceMargin: mm,
    crossInitialMargin: im,
    crossMarginRatio: marginRatio(mm, mb),
    isolatedWallets: iso,
  };
}

export function marginRatio(mm: Decimal, mb: Decimal): Decimal {
  if (mm.isZero()) return ZERO;
  if (mb.lte(0)) return new Decimal(Infinity);
  return mm.div(mb);
}

/** Cross liquidation rule: ratio >= 100%, i.e. margin balance <= maintenance margin (with any due). */
export const crossLiquidatable = (c: CrossFigures): boolean =>
  c.crossMaintenanceMargin.gt(0) && c.crossMarginBalance.lte(c.crossMaintenanceMargin);

/** Isolated liquidation rule: isolated wallet + unrealized PnL <= maintenance margin. */
export const isolatedLiquidatable = (r: PositionRisk): boolean =>
  r.isolatedWallet.plus(r.unrealizedPnl).lte(r.maintenanceMargin);

const remaining = (o: Order): Decimal => o.quantity.minus(o.filledQuantity);

/** True when the order rests on the book and reserves margin (not conditional, not reduce-only). */
export const reservesMargin = (o: Order): boolean =>
  o.status !== 'untriggered' && !o.reduceOnly && !o.closePosition && o.price !== undefined;

/**
 * Signed notional one side of a symbol can reach: the position at the mark plus that side's open
 * orders that can add to it (not reduce-only / close-position) at their prices (or stop prices),
 * plus `extra` (an order being placed, at its price). Orders are checked when placed, not when a
 * resting one fills later, so every leverage rule measures the bracket of this notional.
 */
export function sideExposure(
  account: Account,
  market: Market,
  symbol: string,
  side: 'buy' | 'sell',
  extra: Decimal = ZERO,
): Decimal {
  const pos = account.positions[symbol];
  let n = pos ? pos.quantity.times(markOf(market, symbol, pos.entryPrice)) : ZERO;
  let add = extra;
  for (const o of Object.values(account.orders)) {
    if (o.symbol !== symbol || o.side !== side || o.reduceOnly || o.closePosition) continue;
    const ref = o.price ?? o.stopPrice;
    if (ref) add = add.plus(remaining(o).times(ref));
  }
  n = side === 'buy' ? n.plus(add) : n.minus(add);
  return n;
}

/** Largest notional the symbol can reach on either side (see sideExposure). */
export const exposureNotional = (account: Account, market: Market, symbol: string): Decimal =>
  Decimal.max(
    sideExposure(account, market, symbol, 'buy').abs(),
    sideExposure(account, market, symbol, 'sell').abs(),
  );

/**
 * The one rule for "does this order add risk", counting the open orders. A reduce-only or
 * close-position order never does. Otherwise the order only cuts risk when its remaining quantity
 * fits in what is left of the opposite position after the same-side resting orders placed before
 * it have closed their part (the netting of openOrderMargin): ten resting sells of 0.1 against a
 * long of 0.1 do not all close it, and a plain close of a position a resting order was counting on
 * leaves that order opening a new one.
 */
export function addsRisk(account: Account, order: Order): boolean {
  if (order.reduceOnly || order.closePosition) return false;
  const q = account.positions[order.symbol]?.quantity ?? ZERO;
  if (q.isZero() || q.isPos() === (order.side === 'buy')) return true;
  let closable = q.abs();
  for (const o of Object.values(account.orders)) {
    if (o.id === order.id || o.symbol !== order.symbol || o.side !== order.side) continue;
    if (reservesMargin(o) && o.seq < order.seq) closable = closable.minus(remaining(o));
  }
  return remaining(order).gt(closable);
}

/**
 * Margin held by open orders: for each symbol and side, in placement order, the part of each order
 * that would close the opposite position needs nothing; the opening part needs
 * qty x price / leverage plus its open loss (buy priced above mark: qty x (price - mark); sell
 * priced below mark: qty x (mark - price)). Both sides are summed (see README: deviation).
 */
export function openOrderMargin(account: Account, market: Market): Decimal {
  let total = ZERO;
  const orders = Object.values(account.orders)
    .filter(reservesMargin)
    .sort((a, b) => a.seq - b.seq);
  const offsets = new Map<string, Decimal>();
  for (const o of orders) {
    const key = `${o.symbol}|${o.side}`;
    let offset = offsets.get(key);
    if (offset === undefined) {
      const pos = account.positions[o.symbol];
      const opposite = pos && (o.side === 'buy' ? pos.quantity.lt(0) : pos.quantity.gt(0));
      offset = opposite ? pos.quantity.abs() : ZERO;
    }
    const rem = remaining(o);
    const closing = Decimal.min(rem, offset);
    offsets.set(key, offset.minus(closing));
    const opening = rem.minus(closing);
    if (opening.isZero()) continue;
    const price = o.price!;
    const mark = market.marks[o.symbol] ?? price;
    const lev = settingsOf(account, o.symbol, market.instruments[o.symbol]).leverage;
    const loss = o.side === 'buy' ? max(ZERO, price.minus(mark)) : max(ZERO, mark.minus(price));
    total = total.plus(opening.times(price).div(lev)).plus(opening.times(loss));
  }
  return total;
}

/** Available balance = cross margin balance - cross initial margin - open order margin (may be < 0). */
export function availableBalanceRaw(c: CrossFigures, orderMargin: Decimal): Decimal {
  return c.crossMarginBalance.minus(c.crossInitialMargin).minus(orderMargin);
}
