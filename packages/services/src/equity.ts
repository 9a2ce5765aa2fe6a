// Equity of a paper account: the one place that values an account for listings. The figures come
// from the margin engine's summary (equity = its margin balance = wallet balance, isolated margin
// included, plus unrealized PnL at the latest marks), so listings and trading never disagree.
import { Prisma } from '@lab/db';
import { summarize } from '@lab/margin-engine';
import { marketFor, toEngineAccount, type StoredPosition } from './engine-state.ts';

type D = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);
const prisma = (d: { toString(): string }) => new Prisma.Decimal(d.toString());

export interface Valuation {
  walletBalance: D;
  unrealizedPnl: D;
  equity: D;
  /** Equity minus starting balance. */
  pnl: D;
  /** pnl / starting balance x 100, rounded to 2 places. */
  pnlPercent: D;
  openPositions: number;
  /** Symbols with a position but no mark price yet; their unrealized PnL counts as zero. */
  unpricedSymbols: string[];
}

export function valueAccount(
  account: { id: string; walletBalance: D; startingBalance: D },
  positions: StoredPosition[],
  marks: ReadonlyMap<string, D | string>,
): Valuation {
  const engineAccount = toEngineAccount({
    id: account.id,
    walletBalance: account.walletBalance,
    positions,
  });
  const { market, unpriced } = marketFor(engineAccount, marks);
  const summary = summarize(engineAccount, market);
  const equity = prisma(summary.marginBalance);
  const pnl = equity.minus(account.startingBalance);
  const pnlPercent = account.startingBalance.isZero()
    ? ZERO
    : pnl
        .div(account.startingBalance)
        .times(100)
        .toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_EVEN);
  return {
    walletBalance: account.walletBalance,
    unrealizedPnl: prisma(summary.unrealizedPnl),
    equity,
    pnl,
    pnlPercent,
    openPositions: positions.length,
    unpricedSymbols: unpriced,
  };
}
