// Account summary: every figure the UI and the scenario snapshot show.
import { type Decimal, ZERO, max } from './decimal.ts';
import { liquidationPrice } from './liquidation-price.ts';
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  openOrderMargin,
  type PositionRisk,
} from './risk.ts';
import type { Account, Market } from './types.ts';

export interface PositionSummary extends PositionRisk {
  /** Isolated: isolated wallet + unrealized PnL; cross: the cross margin balance. */
  marginBalance: Decimal;
  /** Margin shown for the position: isolated wallet, or initial margin for cross. */
  margin: Decimal;
  /** Unrealized PnL / margin. */
  roe: Decimal;
  liquidationPrice: Decimal | undefined;
}

export interface AccountSummary {
  walletBalance: Decimal;
  crossWalletBalance: Decimal;
  /** walletBalance + all unrealized PnL */
  marginBalance: Decimal;
  unrealizedPnl: Decimal;
  crossMarginBalance: Decimal;
  /** positions' initial margin + open orders' margin */
  initialMargin: Decimal;
  positionInitialMargin: Decimal;
  openOrderMargin: Decimal;
  maintenanceMargin: Decimal;
  crossMaintenanceMargin: Decimal;
  /** max(0, cross margin balance - cross position IM - open order margin) */
  availableBalance: Decimal;
  crossMarginRatio: Decimal;
  positions: PositionSummary[];
}

export function summarize(account: Account, market: Market): AccountSummary {
  const risks = allPositionRisks(account, market);
  const cross = crossFigures(account, risks);
  const orderMargin = openOrderMargin(account, market);
  let upnl = ZERO;
  let im = ZERO;
  let mm = ZERO;
  const positions = risks.map((r): PositionSummary => {
    upnl = upnl.plus(r.unrealizedPnl);
    im = im.plus(r.initialMargin);
    mm = mm.plus(r.maintenanceMargin);
    const iso = r.marginMode === 'isolated';
    const margin = iso ? r.isolatedWallet : r.initialMargin;
    // the risk's fields written out: a spread of its 16 made this the costliest line of a re-mark
    return {
      symbol: r.symbol,
      quantity: r.quantity,
      entryPrice: r.entryPrice,
      costBasis: r.costBasis,
      markPrice: r.markPrice,
      marginMode: r.marginMode,
      leverage: r.leverage,
      isolatedWallet: r.isolatedWallet,
      notional: r.notional,
      unrealizedPnl: r.unrealizedPnl,
      tier: r.tier,
      maintenanceMarginRate: r.maintenanceMarginRate,
      maintenanceAmount: r.maintenanceAmount,
      maintenanceMargin: r.maintenanceMargin,
      initialMargin: r.initialMargin,
      marginBalance: iso ? r.isolatedWallet.plus(r.unrealizedPnl) : cross.crossMarginBalance,
      margin,
      roe: margin.isZero() ? ZERO : r.unrealizedPnl.div(margin),
      liquidationPrice: liquidationPrice(account, market, r.symbol),
    };
  });
  return {
    walletBalance: account.walletBalance,
    crossWalletBalance: cross.crossWallet,
    marginBalance: account.walletBalance.plus(upnl),
    unrealizedPnl: upnl,
    crossMarginBalance: cross.crossMarginBalance,
    initialMargin: im.plus(orderMargin),
    positionInitialMargin: im,
    openOrderMargin: orderMargin,
    maintenanceMargin: mm,
    crossMaintenanceMargin: cross.crossMaintenanceMargin,
    availableBalance: max(ZERO, availableBalanceRaw(cross, orderMargin)),
    crossMarginRatio: cross.crossMarginRatio,
    positions,
  };
}
