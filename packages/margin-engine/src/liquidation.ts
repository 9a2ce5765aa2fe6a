// Liquidation: isolated positions at margin balance <= maintenance; cross accounts at ratio >= 100%.
import { type Decimal, ZERO, money, max, min } from './decimal.ts';
import { roundToLot } from './instruments.ts';
import { makePosition, realizedOn, releasedCost } from './position-math.ts';
import { applyEvents } from './events.ts';
import {
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  instrumentOf,
  isolatedLiquidatable,
  marginRatio,
  markOf,
  settingsOf,
  type PositionRisk,
} from './risk.ts';
import type { Account, EngineEvent, EngineResult, MarginMode, Market } from './types.ts';

/** The position risks of an account state at the liquidation's market. */
type RisksOf = (acc: Account) => PositionRisk[];

/**
 * allPositionRisks at one market, computed once per account state: a liquidation values each
 * state it passes through several times (before and after each close, each trial of a tier).
 */
function riskMemo(market: Market): RisksOf {
  const seen = new Map<Account, PositionRisk[]>();
  return (acc) => {
    let risks = seen.get(acc);
    if (!risks) seen.set(acc, (risks = allPositionRisks(acc, market)));
    return risks;
  };
}

/**
 * Cancel every open order on the liquidated symbols, reduce-only and close-position ones too (as
 * Binance cancels all open orders when it liquidates): nothing is left to act on a position the
 * liquidation closes, or to block a margin mode change. Attached TP/SL share their entry's symbol.
 */
function cancelOrders(acc: Account, symbols: ReadonlySet<string>, now: number): EngineResult {
  const events: EngineEvent[] = Object.values(acc.orders)
    .filter((o) => symbols.has(o.symbol))
    .sort((a, b) => a.seq - b.seq)
    .map((o) => ({
      type: 'orderCanceled',
      accountId: acc.id,
      time: now,
      orderId: o.id,
      symbol: o.symbol,
      reason: 'liquidation',
    }));
  return { account: applyEvents(acc, events), events };
}

interface Figures {
  marginBalance: Decimal;
  maintenanceMargin: Decimal;
}

function figures(acc: Account, risksOf: RisksOf, mode: MarginMode, symbol: string): Figures {
  if (mode === 'isolated') {
    const r = risksOf(acc).find((x) => x.symbol === symbol);
    if (!r) return { marginBalance: ZERO, maintenanceMargin: ZERO };
    return {
      marginBalance: r.isolatedWallet.plus(r.unrealizedPnl),
      maintenanceMargin: r.maintenanceMargin,
    };
  }
  const c = crossFigures(acc, risksOf(acc));
  return { marginBalance: c.crossMarginBalance, maintenanceMargin: c.crossMaintenanceMargin };
}

/**
 * Close `closeQty` of a position at the mark. Realized PnL settles in the position's compartment
 * (isolated wallet or cross wallet); the liquidation fee (closed notional x rate) is charged only
 * out of what is left of the wallet and of the margin balance; a loss beyond the compartment is a shortfall paid by the insurance fund
 * (always for isolated; for cross when `cover` is set, i.e. on the last cross close).
 */
function closeAtMark(
  acc: Account,
  market: Market,
  risksOf: RisksOf,
  symbol: string,
  closeQty: Decimal,
  cover: boolean,
  now: number,
): EngineResult {
  const pos = acc.positions[symbol]!;
  const instrument = instrumentOf(market, symbol);
  const mode = settingsOf(acc, symbol).marginMode;
  const mark = markOf(market, symbol, pos.entryPrice);
  const before = figures(acc, risksOf, mode, symbol);
  const long = pos.quantity.isPos();
  const exactPnl = realizedOn(pos, closeQty, mark);
  const realizedPnl = money(exactPnl);
  const crossWallet = crossFigures(acc, risksOf(acc)).crossWallet;
  const compartment = mode === 'isolated' ? pos.isolatedWallet : crossWallet;
  const afterPnl = compartment.plus(realizedPnl);
  // the fee is charged only out of equity that remains: for cross, the margin balance after the
  // close (other positions' unrealized PnL included) must also cover it
  const equityAfter =
    mode === 'isolated'
      ? afterPnl
      : min(afterPnl, before.marginBalance.plus(realizedPnl).minus(exactPnl));
  const fee = min(
    money(closeQty.times(mark).times(instrument.liquidationFeeRate)),
    max(ZERO, equityAfter),
  );
  const rest = afterPnl.minus(fee);
  const shortfall = (mode === 'isolated' || cover) && rest.lt(0) ? rest.neg() : ZERO;
  const nq = long ? pos.quantity.minus(closeQty) : pos.quantity.plus(closeQty);
  const left = makePosition(symbol, nq, pos.costBasis.minus(releasedCost(pos, closeQty)), ZERO);
  const liq: EngineEvent = {
    type: 'liquidation',
    accountId: acc.id,
    time: now,
    mode,
    symbol,
    side: long ? 'sell' : 'buy',
    quantity: closeQty,
    price: mark,
    partial: !nq.isZero(),
    realizedPnl,
    fee,
    shortfall,
    marginBalanceBefore: before.marginBalance,
    maintenanceMarginBefore: before.maintenanceMargin,
    marginBalanceAfter: ZERO,
    maintenanceMarginAfter: ZERO,
  };
  const changed: EngineEvent = {
    type: 'positionChanged',
    accountId: acc.id,
    time: now,
    symbol,
    quantity: nq,
    entryPrice: left.entryPrice,
    costBasis: left.costBasis,
    isolatedWallet: ZERO,
    isolatedTransfer: mode === 'isolated' ? rest.plus(shortfall).neg() : ZERO,
  };
  const next = applyEvents(acc, [liq, changed]);
  const after = figures(next, risksOf, mode, symbol);
  return {
    account: next,
    events: [
      {
        ...liq,
        marginBalanceAfter: after.marginBalance,
        maintenanceMarginAfter: after.maintenanceMargin,
      },
      changed,
    ],
  };
}

function liquidateIsolated(
  acc: Account,
  market: Market,
  risksOf: RisksOf,
  now: number,
): EngineResult {
  const events: EngineEvent[] = [];
  for (const r of risksOf(acc)) {
    if (r.marginMode !== 'isolated' || !isolatedLiquidatable(r)) continue;
    const mb = r.isolatedWallet.plus(r.unrealizedPnl);
    events.push({
      type: 'liquidationTriggered',
      accountId: acc.id,
      time: now,
      mode: 'isolated',
      symbol: r.symbol,
      markPrice: r.markPrice,
      marginBalance: mb,
      maintenanceMargin: r.maintenanceMargin,
      marginRatio: marginRatio(r.maintenanceMargin, mb),
    });
    const c = cancelOrders(acc, new Set([r.symbol]), now);
    const closed = closeAtMark(c.account, market, risksOf, r.symbol, r.quantity.abs(), true, now);
    acc = closed.account;
    events.push(...c.events, ...closed.events);
  }
  return { account: acc, events };
}

const crossOk = (acc: Account, risksOf: RisksOf): boolean => {
  const c = crossFigures(acc, risksOf(acc));
  return !crossLiquidatable(c) && c.crossWallet.gte(0);
};

function liquidateCross(
  acc: Account,
  market: Market,
  risksOf: RisksOf,
  now: number,
  trigger: string | undefined,
): EngineResult {
  const start = crossFigures(acc, risksOf(acc));
  if (!crossLiquidatable(start)) return { account: acc, events: [] };
  const events: EngineEvent[] = [
    {
      type: 'liquidationTriggered',
      accountId: acc.id,
      time: now,
      mode: 'cross',
      symbol: trigger,
      markPrice: trigger === undefined ? undefined : market.marks[trigger],
      marginBalance: start.crossMarginBalance,
      maintenanceMargin: start.crossMaintenanceMargin,
      marginRatio: start.crossMarginRatio,
    },
  ];
  // every cross-margined symbol: those with a position and those with only open orders (a resting
  // order on a symbol without a position would otherwise reopen risk right after the liquidation)
  const crossSymbols = new Set(
    [...Object.keys(acc.positions), ...Object.values(acc.orders).map((o) => o.symbol)].filter(
      (sym) => settingsOf(acc, sym).marginMode === 'cross',
    ),
  );
  const c = cancelOrders(acc, crossSymbols, now);
  acc = c.account;
  events.push(...c.events);
  for (;;) {
    const cross = risksOf(acc)
      .filter((r) => r.marginMode === 'cross')
      .sort((a, b) => a.unrealizedPnl.cmp(b.unrealizedPnl) || (a.symbol < b.symbol ? -1 : 1));
    const r = cross[0];
    if (!r) break;
    const last = cross.length === 1;
    const instrument = instrumentOf(market, r.symbol);
    let done: EngineResult | undefined;
    for (let t = r.tier - 1; t >= 0 && !done; t--) {
      const target = roundToLot(
        instrument,
        instrument.riskTiers[t]!.maxNotional.div(r.markPrice),
        'down',
      );
      if (target.lte(0) || target.gte(r.quantity.abs())) continue;
      const trial = closeAtMark(
        acc,
        market,
        risksOf,
        r.symbol,
        r.quantity.abs().minus(target),
        false,
        now,
      );
      if (crossOk(trial.account, risksOf)) done = trial;
    }
    const step = done ?? closeAtMark(acc, market, risksOf, r.symbol, r.quantity.abs(), last, now);
    acc = step.account;
    events.push(...step.events);
    if (crossOk(acc, risksOf)) break;
  }
  return { account: acc, events };
}

/**
 * Liquidate whatever must be: isolated positions first, then the cross account. `trigger` names
 * the symbol whose new mark caused the check (reported with its mark in liquidationTriggered).
 */
export function liquidate(
  account: Account,
  market: Market,
  now: number,
  trigger?: string,
): EngineResult {
  const risksOf = riskMemo(market);
  const iso = liquidateIsolated(account, market, risksOf, now);
  const cross = liquidateCross(iso.account, market, risksOf, now, trigger);
  return { account: cross.account, events: [...iso.events, ...cross.events] };
}

/** True when the account has something to liquidate at the market's marks (no state change). */
export function needsLiquidation(account: Account, market: Market): boolean {
  const risks = allPositionRisks(account, market);
  return (
    risks.some((r) => r.marginMode === 'isolated' && isolatedLiquidatable(r)) ||
    crossLiquidatable(crossFigures(account, risks))
  );
}
