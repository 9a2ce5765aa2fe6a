// The figures a trader sees for an account and its positions, exactly as the margin engine
// computes them (summarize), as decimal strings. One definition for the tRPC read models, the
// account stream and the bot API: the liquidation price shown is the one the engine liquidates at.
import { summarize, type Account, type Decimal, type Market } from '@lab/margin-engine';

/** A decimal string; a margin ratio that is infinite (margin balance <= 0) is null. */
const s = (d: Decimal): string => d.toFixed();
const ratio = (d: Decimal): string | null => (d.isFinite() ? d.toDecimalPlaces(8).toFixed() : null);

export interface AccountFigures {
  walletBalance: string;
  crossWalletBalance: string;
  /** Wallet + every unrealized PnL (equity). */
  marginBalance: string;
  unrealizedPnl: string;
  crossMarginBalance: string;
  initialMargin: string;
  positionInitialMargin: string;
  openOrderMargin: string;
  maintenanceMargin: string;
  crossMaintenanceMargin: string;
  availableBalance: string;
  /** Cross maintenance / cross margin balance; null when infinite. Liquidation at 1. */
  crossMarginRatio: string | null;
}

export interface PositionFigures {
  symbol: string;
  side: 'long' | 'short';
  /** Signed quantity. */
  quantity: string;
  entryPrice: string;
  markPrice: string;
  marginMode: 'cross' | 'isolated';
  leverage: number;
  notional: string;
  unrealizedPnl: string;
  /** Isolated wallet, or initial margin for cross. */
  margin: string;
  isolatedWallet: string;
  marginBalance: string;
  maintenanceMargin: string;
  initialMargin: string;
  /** Maintenance / margin balance of the position's compartment; null when infinite. */
  marginRatio: string | null;
  roe: string;
  liquidationPrice: string | null;
}

export interface Figures {
  account: AccountFigures;
  positions: PositionFigures[];
}

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

/** The highest margin ratio of the account's compartments (cross, and each isolated position). */
export function worstMarginRatio(f: Figures): number {
  let worst = f.account.crossMarginRatio === null ? Infinity : Number(f.account.crossMarginRatio);
  if (f.account.crossMaintenanceMargin === '0') worst = 0;
  for (const p of f.positions) {
    if (p.marginMode !== 'isolated') continue;
    const r = p.marginRatio === null ? Infinity : Number(p.marginRatio);
    if (r > worst) worst = r;
  }
  return worst;
}
