// The figures a trader sees for an account and its positions, exactly as the margin engine
// computes them (summarize), as decimal strings. One definition for the tRPC read models, the
// account stream and the bot API: the liquidation price shown is the one the engine liquidates at.
import type { Figures } from '@lab/contracts';
import { summarize, type Account, type Decimal, type Market } from '@lab/margin-engine';

export type { AccountFigures, Figures, PositionFigures } from '@lab/contracts';

/** A decimal string; a margin ratio that is infinite (margin balance <= 0) is null. */
const s = (d: Decimal): string => d.toFixed();
const ratio = (d: Decimal): string | null => (d.isFinite() ? d.toDecimalPlaces(8).toFixed() : null);

/** Every figure of the account at the market's marks, from the engine. */
export function figuresOf(account: Account, market: Market): Figures {
  const sum = summarize(account, market);
  return {
    account: {
      walletBalance: s(sum.walletBalance),
      crossWalletBalance: s(sum.crossWalletBalance),
      marginBalance: s(sum.marginBalance),
      unrealizedPnl: s(sum.unrealizedPnl),
      crossMarginBalance: s(sum.crossMarginBalance),
      initialMargin: s(sum.initialMargin),
      positionInitialMargin: s(sum.positionInitialMargin),
      openOrderMargin: s(sum.openOrderMargin),
      maintenanceMargin: s(sum.maintenanceMargin),
      crossMaintenanceMargin: s(sum.crossMaintenanceMargin),
      availableBalance: s(sum.availableBalance),
      crossMarginRatio: ratio(sum.crossMarginRatio),
    },
    positions: sum.positions.map((p) => {
      const mb = p.marginBalance;
      const mr = p.maintenanceMargin.isZero()
        ? p.maintenanceMargin
        : mb.lte(0)
          ? p.maintenanceMargin.div(0) // Infinity
          : p.maintenanceMargin.div(mb);
      return {
        symbol: p.symbol,
        side: p.quantity.isPos() ? 'long' : 'short',
        quantity: s(p.quantity),
        entryPrice: s(p.entryPrice),
        markPrice: s(p.markPrice),
        marginMode: p.marginMode,
        leverage: p.leverage,
        notional: s(p.notional),
        unrealizedPnl: s(p.unrealizedPnl),
        margin: s(p.margin),
        isolatedWallet: s(p.isolatedWallet),
        marginBalance: s(mb),
        maintenanceMargin: s(p.maintenanceMargin),
        initialMargin: s(p.initialMargin),
        marginRatio: ratio(mr),
        roe: s(p.roe.toDecimalPlaces(8)),
        liquidationPrice: p.liquidationPrice ? s(p.liquidationPrice) : null,
      };
    }),
  };
}

/**
 * The compartment (the cross account, or an isolated position) with the highest margin ratio: the
 * one closest to liquidation, which happens at 1. `ratio` is for comparing with a warning level
 * only (Infinity when the margin balance is at or below zero); `marginRatio` is the exact figure.
 */
export function worstCompartment(f: Figures): {
  compartment: string;
  ratio: number;
  marginRatio: string | null;
} {
  const asNumber = (r: string | null) => (r === null ? Infinity : Number(r));
  const crossDue = f.account.crossMaintenanceMargin !== '0';
  let worst = {
    compartment: 'cross',
    ratio: crossDue ? asNumber(f.account.crossMarginRatio) : 0,
    marginRatio: crossDue ? f.account.crossMarginRatio : '0',
  };
  for (const p of f.positions) {
    if (p.marginMode !== 'isolated') continue;
    const r = asNumber(p.marginRatio);
    if (r > worst.ratio) worst = { compartment: p.symbol, ratio: r, marginRatio: p.marginRatio };
  }
  return worst;
}
