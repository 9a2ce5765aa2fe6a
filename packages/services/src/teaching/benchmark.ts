// The benchmark beside each return: buying the chosen market at the start of a window and
// holding it to its end, (P_end - P_start) / P_start, from the venue's own prices. P_start is the
// open of the first minute candle from the window's start (the last close before it when there
// is none yet); P_end the close of the last minute candle before the end, or the live mark while
// the window is still open. A student who joined late is measured from when they joined, as
// their return is. No leverage, no fees: the plain market move the student's return can be
// read against.
import type { Db } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import type { VenuePrices } from '../trading/prices.ts';

const MINUTE = 60_000;

export interface Benchmark {
  symbol: string;
  from: number;
  to: number;
  startPrice: string;
  endPrice: string;
  /** A fraction (0.05 = 5%), 8 places. */
  return: string;
  /** The end price is the live mark (the window is still open). */
  live: boolean;
}

async function priceAt(db: Db, venueId: string, symbol: string, t: number) {
  const from = new Date(Math.floor(t / MINUTE) * MINUTE);
  const after = await db.candle.findFirst({
    where: { venueId, symbol, interval: '1m', openTime: { gte: from } },
    orderBy: { openTime: 'asc' },
    select: { open: true },
  });
  if (after) return new Decimal(after.open.toFixed());
  const before = await db.candle.findFirst({
    where: { venueId, symbol, interval: '1m', openTime: { lt: from } },
    orderBy: { openTime: 'desc' },
    select: { close: true },
  });
  return before ? new Decimal(before.close.toFixed()) : null;
}

async function closeBefore(db: Db, venueId: string, symbol: string, t: number) {
  const c = await db.candle.findFirst({
    where: { venueId, symbol, interval: '1m', openTime: { lt: new Date(t) } },
    orderBy: { openTime: 'desc' },
    select: { close: true },
  });
  return c ? new Decimal(c.close.toFixed()) : null;
}

/**
 * Buy-and-hold of `symbol` on the venue from `from` to `to`; null when the venue has no prices
 * for it.
 */
export async function benchmarkReturn(
  db: Db,
  prices: VenuePrices,
  venueId: string,
  symbol: string,
  from: number,
  to: number,
  now: number = Date.now(),
): Promise<Benchmark | null> {
  const start = await priceAt(db, venueId, symbol, from);
  if (!start || start.lte(0)) return null;
  const live = now < to;
  let end: Decimal | null = null;
  if (live) {
    const q = (await prices.quotes(venueId)).get(symbol);
    end = q ? new Decimal(q.markPrice) : null;
  }
  end ??= await closeBefore(db, venueId, symbol, Math.min(now, to));
  if (!end) return null;
  return {
    symbol,
    from,
    to,
    startPrice: start.toFixed(),
    endPrice: end.toFixed(),
    return: end.minus(start).div(start).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed(),
    live,
  };
}

/** One benchmark per distinct start minute (late joiners), computed once each. */
export function benchmarkCache(
  db: Db,
  prices: VenuePrices,
  venueId: string,
  symbol: string,
  to: number,
  now: number = Date.now(),
) {
  const cache = new Map<number, Promise<Benchmark | null>>();
  return (from: number) => {
    const key = Math.floor(from / MINUTE);
    let hit = cache.get(key);
    if (!hit) {
      hit = benchmarkReturn(db, prices, venueId, symbol, from, to, now);
      cache.set(key, hit);
    }
    return hit;
  };
}

export interface BoardBenchmark {
  /** Over the competition's window (to now while it runs). */
  window: Benchmark;
  /** Per participant, over their own window (late joiners from when they joined). */
  byParticipant: ReadonlyMap<string, string>;
}

const BOARD_TTL_MS = 5000;
const boardCache = new Map<string, { expires: number; value: Promise<BoardBenchmark | null> }>();

/**
 * The benchmark column of a competition's leaderboard, shared for a few seconds by every reader
 * in this process (a class polls the board): null when the hosts chose no benchmark market.
 */
export function boardBenchmark(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
  participants: ReadonlyArray<{ participantId: string; joinedAt: number }>,
): Promise<BoardBenchmark | null> {
  const now = Date.now();
  const hit = boardCache.get(competitionId);
  if (hit && hit.expires > now) return hit.value;
  if (boardCache.size > 500)
    for (const [k, v] of boardCache) if (v.expires <= now) boardCache.delete(k);
  const value = (async () => {
    const t = await db.competitionTeaching.findUnique({ where: { competitionId } });
    if (!t?.benchmarkSymbol) return null;
    const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
    const start = c.startsAt.getTime();
    const end = (c.endedAt ?? c.endsAt).getTime();
    const at = benchmarkCache(db, prices, c.venueId, t.benchmarkSymbol, end, now);
    const window = await at(start);
    if (!window) return null;
    const byParticipant = new Map<string, string>();
    for (const p of participants) {
      const b = await at(Math.max(start, p.joinedAt));
      if (b) byParticipant.set(p.participantId, b.return);
    }
    return { window, byParticipant };
  })();
  boardCache.set(competitionId, { expires: now + BOARD_TTL_MS, value });
  value.catch(() => boardCache.delete(competitionId));
  return value;
}
