// Equity of a paper account: the one place that values an account for listings.
// Equity = wallet balance + isolated margin held on positions + unrealized PnL at the latest mark.
// Unrealized PnL of a linear USDT perpetual = signed quantity x (mark - entry).
// The margin engine (@lab/margin-engine) will own margin math (maintenance margin, margin ratio,
// liquidation); when it lands, this valuation should delegate to it.
import { Prisma, type Db } from '@lab/db';

type D = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

export interface ValuedPosition {
  symbol: string;
  quantity: D;
  entryPrice: D;
  isolatedWallet: D;
}

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
  account: { walletBalance: D; startingBalance: D },
  positions: ValuedPosition[],
  marks: ReadonlyMap<string, D>,
): Valuation {
  let unrealized = ZERO;
  let isolated = ZERO;
  const unpriced: string[] = [];
  for (const p of positions) {
    isolated = isolated.plus(p.isolatedWallet);
    const mark = marks.get(p.symbol);
    if (!mark) {
      unpriced.push(p.symbol);
      continue;
    }
    unrealized = unrealized.plus(p.quantity.times(mark.minus(p.entryPrice)));
  }
  const equity = account.walletBalance.plus(isolated).plus(unrealized);
  const pnl = equity.minus(account.startingBalance);
  const pnlPercent = account.startingBalance.isZero()
    ? ZERO
    : pnl
        .div(account.startingBalance)
        .times(100)
        .toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_EVEN);
  return {
    walletBalance: account.walletBalance,
    unrealizedPnl: unrealized,
    equity,
    pnl,
    pnlPercent,
    openPositions: positions.length,
    unpricedSymbols: unpriced,
  };
}

/** Latest mark prices of the given symbols (from market_tickers, written by the worker). */
export async function latestMarks(
  db: Db | Prisma.TransactionClient,
  symbols: string[],
): Promise<Map<string, D>> {
  if (symbols.length === 0) return new Map();
  const tickers = await db.marketTicker.findMany({
    where: { symbol: { in: [...new Set(symbols)] } },
    select: { symbol: true, markPrice: true },
  });
  return new Map(tickers.map((t) => [t.symbol, t.markPrice]));
}
