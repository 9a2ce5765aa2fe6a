// Read side of market data: instruments, tickers and candles as the worker stored them, and
// scenario commands sent to the worker's simulator.
import type { Db, Prisma } from '@lab/db';
import { INTERVAL_MS, type CandleInterval } from '@lab/market-data';
import { AppError } from './errors.ts';
import { CHANNELS, MAIN_VENUE, type MarketCommand, type ScenarioEventInput } from '@lab/contracts';

const str = (d: { toString(): string } | null | undefined) => (d == null ? null : d.toString());

export async function listInstruments(db: Db, venue: string = MAIN_VENUE) {
  const rows = await db.instrument.findMany({
    where: { enabled: true },
    include: { tickers: { where: { venueId: venue } } },
    orderBy: { symbol: 'asc' },
  });
  return rows.map((r) => ({
    symbol: r.symbol,
    baseAsset: r.baseAsset,
    quoteAsset: r.quoteAsset,
    source: r.source,
    spec: r.spec as Record<string, unknown>,
    ticker: r.tickers[0] ? tickerDto(r.tickers[0]) : null,
  }));
}

type TickerRow = Prisma.MarketTickerGetPayload<object>;

function tickerDto(t: TickerRow) {
  return {
    symbol: t.symbol,
    lastPrice: t.lastPrice.toString(),
    markPrice: t.markPrice.toString(),
    indexPrice: t.indexPrice.toString(),
    fundingRate: t.fundingRate.toString(),
    nextFundingTime: t.nextFundingTime.getTime(),
    open24h: str(t.open24h),
    high24h: str(t.high24h),
    low24h: str(t.low24h),
    volume24h: str(t.volume24h),
    status: t.status,
    updatedAt: t.updatedAt.getTime(),
  };
}
export type TickerDto = ReturnType<typeof tickerDto>;

export async function listTickers(db: Db, venue: string = MAIN_VENUE): Promise<TickerDto[]> {
  const rows = await db.marketTicker.findMany({
    where: { venueId: venue },
    orderBy: { symbol: 'asc' },
  });
  return rows.map(tickerDto);
}

export async function getTicker(
  db: Db,
  symbol: string,
  venue: string = MAIN_VENUE,
): Promise<TickerDto> {
  const row = await db.marketTicker.findUnique({
    where: { venueId_symbol: { venueId: venue, symbol } },
  });
  if (!row)
    throw new AppError('NOT_FOUND', `No market data for ${symbol} yet.`, { field: 'symbol' });
  return tickerDto(row);
}

async function assertInstrument(db: Db, symbol: string) {
  const exists = await db.instrument.findUnique({ where: { symbol }, select: { symbol: true } });
  if (!exists)
    throw new AppError('NOT_FOUND', `Unknown instrument ${symbol}.`, { field: 'symbol' });
}

/** Candles in [from, to), oldest first, at most `limit` (the most recent ones when the range is larger). */
export async function getCandles(
  db: Db,
  q: {
    symbol: string;
    interval: CandleInterval;
    from?: number;
    to?: number;
    limit: number;
    venue?: string;
  },
) {
  await assertInstrument(db, q.symbol);
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
    throw new AppError('VALIDATION', 'from must be before to.', { field: 'from' });
  }
  const rows = await db.candle.findMany({
    where: {
      venueId: q.venue ?? MAIN_VENUE,
      symbol: q.symbol,
      interval: q.interval,
      openTime: {
        ...(q.from !== undefined ? { gte: new Date(q.from) } : {}),
        ...(q.to !== undefined ? { lt: new Date(q.to) } : {}),
      },
    },
    orderBy: { openTime: 'desc' },
    take: q.limit,
  });
  return {
    symbol: q.symbol,
    interval: q.interval,
    intervalMs: INTERVAL_MS[q.interval],
    candles: rows.reverse().map((c) => ({
      openTime: c.openTime.getTime(),
      open: c.open.toString(),
      high: c.high.toString(),
      low: c.low.toString(),
      close: c.close.toString(),
      volume: c.volume.toString(),
      trades: c.trades,
    })),
  };
}

/**
 * Sends a scenario event to the worker that runs the venue's simulator (it validates and applies
 * it). Who may send it (admins on the main market, hosts on their competition's) is the caller's
 * check.
 */
export async function sendScenarioEvent(
  db: Db,
  venue: string,
  event: ScenarioEventInput,
): Promise<void> {
  if (event.symbol) {
    const inst = await db.instrument.findUnique({ where: { symbol: event.symbol } });
    if (!inst)
      throw new AppError('NOT_FOUND', `Unknown instrument ${event.symbol}.`, { field: 'symbol' });
    if (venue === MAIN_VENUE && inst.source !== 'simulator') {
      throw new AppError(
        'PRECONDITION',
        `${event.symbol} runs on ${inst.source} prices; scenario events need the simulator.`,
        { field: 'symbol' },
      );
    }
  }
  const command: MarketCommand = { type: 'scenario', venue, event };
  await db.$executeRaw`SELECT pg_notify(${CHANNELS.marketCommands}, ${JSON.stringify(command)})`;
}
