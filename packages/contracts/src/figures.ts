// The figures of an account and its positions as the margin engine computes them (decimal
// strings; a margin ratio that is infinite, with the margin balance at or below zero, is null).
// Produced by @lab/services' figuresOf; read by the trading screen, the account stream and the
// bot API.
import { z } from 'zod';

const dec = z.string();

export const accountFiguresSchema = z.object({
  walletBalance: dec,
  crossWalletBalance: dec,
  /** Wallet + every unrealized PnL (equity). */
  marginBalance: dec,
  unrealizedPnl: dec,
  crossMarginBalance: dec,
  initialMargin: dec,
  positionInitialMargin: dec,
  openOrderMargin: dec,
  maintenanceMargin: dec,
  crossMaintenanceMargin: dec,
  availableBalance: dec,
  /** Cross maintenance / cross margin balance; liquidation at 1. */
  crossMarginRatio: dec.nullable(),
});

export const positionFiguresSchema = z.object({
  symbol: z.string(),
  side: z.enum(['long', 'short']),
  /** Signed quantity. */
  quantity: dec,
  entryPrice: dec,
  markPrice: dec,
  marginMode: z.enum(['cross', 'isolated']),
  leverage: z.number(),
  notional: dec,
  unrealizedPnl: dec,
  /** Isolated wallet, or initial margin for cross. */
  margin: dec,
  isolatedWallet: dec,
  marginBalance: dec,
  maintenanceMargin: dec,
  initialMargin: dec,
  /** Maintenance / margin balance of the position's compartment. */
  marginRatio: dec.nullable(),
  roe: dec,
  liquidationPrice: dec.nullable(),
});

export const figuresSchema = z.object({
  account: accountFiguresSchema,
  positions: z.array(positionFiguresSchema),
});

export type AccountFigures = z.infer<typeof accountFiguresSchema>;
export type PositionFigures = z.infer<typeof positionFiguresSchema>;
export type Figures = z.infer<typeof figuresSchema>;
