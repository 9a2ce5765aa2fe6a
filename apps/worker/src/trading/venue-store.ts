// What the trading loop reads and records about its venue besides accounts: the venue's funding
// interval, the stored tickers (the prices and announced funding rates the last run left), the
// funding times already handled, and which accounts hold something (the rebuild at start).
import { transactorOf, type Db, type Prisma } from '@lab/db';
import { CATALOGUE } from '@lab/margin-engine';
import { loadAccountStates, type LoadedAccount } from '@lab/services';
import type { StoredQuote } from './price-state.ts';

export interface VenueSettings {
  id: string;
  /** The venue's own funding interval (competitions speed it up), else null: each instrument's. */
  fundingIntervalMinutes: number | null;
}

export async function loadVenue(db: Db, venue: string): Promise<VenueSettings> {
  const rows = await db.$queryRaw<
    Array<{ id: string; funding_interval_minutes: number | null }>
  >`SELECT id, funding_interval_minutes FROM venues WHERE id = ${venue}`;
  const row = rows[0];
  if (!row) throw new Error(`venue ${venue} does not exist`);
  return { id: row.id, fundingIntervalMinutes: row.funding_interval_minutes };
}

/** Funding interval of a symbol on the venue, ms. */
export function fundingIntervalMs(venue: VenueSettings, symbol: string): number {
  if (venue.fundingIntervalMinutes) return venue.fundingIntervalMinutes * 60_000;
  return (CATALOGUE[symbol]?.fundingIntervalHours ?? 8) * 3600_000;
}

export async function loadStoredQuotes(db: Db, venue: string): Promise<StoredQuote[]> {
  const rows = await db.$queryRaw<
    Array<{
      symbol: string;
      mark_price: string;
      last_price: string;
      funding_rate: string;
      updated_at: Date;
    }>
  >`SELECT symbol, mark_price::text AS mark_price, last_price::text AS last_price,
      funding_rate::text AS funding_rate, updated_at
    FROM market_tickers WHERE venue_id = ${venue}`;
  return rows.map((r) => ({
    symbol: r.symbol,
    markPrice: r.mark_price,
    lastPrice: r.last_price,
    fundingRate: r.funding_rate,
    time: r.updated_at.getTime(),
  }));
}

const progressName = (venue: string) => `trading:${venue}:funding`;

/** The last funding time handled per symbol (kept in market_source_states, beside the simulator's). */
export async function loadFundingProgress(db: Db, venue: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<Array<{ state: Record<string, number> }>>`
    SELECT state FROM market_source_states WHERE name = ${progressName(venue)}`;
  return new Map(Object.entries(rows[0]?.state ?? {}));
}

/**
 * Records funding times as handled, never moving a symbol back. Only the active worker (the
 * advisory lock's holder) writes it, so read-merge-write is safe.
 */
export async function saveFundingProgress(
  db: Db,
  venue: string,
  handled: ReadonlyMap<string, number>,
): Promise<void> {
  if (handled.size === 0) return;
  const merged = await loadFundingProgress(db, venue);
  for (const [symbol, t] of handled) merged.set(symbol, Math.max(t, merged.get(symbol) ?? 0));
  const state = JSON.stringify(Object.fromEntries(merged));
  await db.$executeRaw`
    INSERT INTO market_source_states (name, state, updated_at)
    VALUES (${progressName(venue)}, ${state}::jsonb, now())
    ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`;
}

/** Ids of the venue's active accounts that hold a position or an open order. */
export async function accountsHoldingSomething(db: Db, venue: string): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT a.id::text AS id FROM paper_accounts a
    WHERE a.venue_id = ${venue} AND a.status = 'ACTIVE'
      AND (EXISTS (SELECT 1 FROM positions p WHERE p.account_id = a.id)
        OR EXISTS (SELECT 1 FROM orders o WHERE o.account_id = a.id
                   AND o.status IN ('untriggered', 'new', 'partiallyFilled')))
    ORDER BY a.id`;
  return rows.map((r) => r.id);
}

/** Versions of the venue's active accounts (the periodic check that memory is current). */
export async function accountVersions(db: Db, venue: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<Array<{ id: string; version: number }>>`
    SELECT id::text AS id, version FROM paper_accounts WHERE venue_id = ${venue} AND status = 'ACTIVE'`;
  return new Map(rows.map((r) => [r.id, r.version]));
}

/**
 * Loads accounts outside any lock, as of one snapshot. Up to `chunk` accounts are one statement
 * (its own snapshot): the reload of accounts the API changed, on every cycle that follows an
 * order. It runs in a transaction of the client's transactor, without Prisma's runtime and on the
 * load's generic plan (on its own, PostgreSQL planned it on every call: 1.7 ms of planning per
 * reload in the place-order benchmark). More (the rebuild at start) are read in chunks in one
 * REPEATABLE READ transaction, so that every chunk sees the same commits.
 */
export async function readAccounts(
  db: Db,
  ids: readonly string[],
  chunk = 2000,
): Promise<LoadedAccount[]> {
  if (ids.length === 0) return [];
  if (ids.length <= chunk) {
    const load = async (tx: Prisma.TransactionClient) => [
      ...(await loadAccountStates(tx, ids)).values(),
    ];
    const raw = transactorOf(db);
    return raw ? raw.transaction(load, { timeoutMs: 60_000 }) : load(db);
  }
  return db.$transaction(
    async (tx) => {
      const out: LoadedAccount[] = [];
      for (let i = 0; i < ids.length; i += chunk)
        out.push(...(await loadAccountStates(tx, ids.slice(i, i + chunk))).values());
      return out;
    },
    { isolationLevel: 'RepeatableRead', timeout: 120_000, maxWait: 10_000 },
  );
}
