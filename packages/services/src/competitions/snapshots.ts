// Equity snapshots of a competition's participants, taken by the worker at the competition's fixed
// interval (and at the end, after the freeze): each batch of participants is read in one
// REPEATABLE READ snapshot with their rows locked (a reset waits for it, so equity and the resets'
// flows belong together), valued with the engine at the venue's latest marks, stored, and folded
// into each participant's running standings (standings.ts). A snapshot already stored for that
// time is not folded twice, so taking one again is harmless.
import { Prisma, type Db } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import { loadAccountStates, marketFor } from '../engine-state.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { unnestFrom } from '../trading/bulk-sql.ts';
import { boardFiguresOf } from './figures.ts';
import { adjustedEquity, foldSnapshot, type RunningStats } from './standings.ts';

type Tx = Prisma.TransactionClient;

export const SNAPSHOT_BATCH = 500;

interface StatsRow {
  id: string;
  account_id: string;
  reset_flows: string;
  snapshot_count: number;
  last_adjusted: string | null;
  peak_adjusted: string | null;
  max_drawdown: string;
  sum_changes: string;
  sum_sq_changes: string;
}

const statsOfRow = (r: StatsRow): RunningStats => ({
  count: r.snapshot_count,
  lastAdjusted: r.last_adjusted === null ? null : new Decimal(r.last_adjusted),
  peak: r.peak_adjusted === null ? null : new Decimal(r.peak_adjusted),
  maxDrawdown: new Decimal(r.max_drawdown),
  sumChanges: new Decimal(r.sum_changes),
  sumSqChanges: new Decimal(r.sum_sq_changes),
});

interface Observation {
  participantId: string;
  accountId: string;
  equity: Decimal;
  wallet: Decimal;
  flows: Decimal;
  stats: RunningStats;
}

/** Stores the observations at `at` and folds those not stored before into the running figures. */
async function store(
  tx: Tx,
  competitionId: string,
  at: Date,
  obs: readonly Observation[],
): Promise<number> {
  if (obs.length === 0) return 0;
  const ins = unnestFrom(
    [
      ['account_id', 'uuid'],
      ['equity', 'numeric'],
      ['wallet_balance', 'numeric'],
      ['reset_flows', 'numeric'],
    ],
    obs.map((o) => [o.accountId, o.equity.toFixed(), o.wallet.toFixed(), o.flows.toFixed()]),
    3,
  );
  const inserted = await tx.$queryRawUnsafe<Array<{ account_id: string }>>(
    `INSERT INTO equity_snapshots (competition_id, account_id, at, equity, wallet_balance, reset_flows)
     SELECT $1::uuid, account_id, $2::timestamptz, equity, wallet_balance, reset_flows FROM ${ins.sql}
     ON CONFLICT (account_id, at) DO NOTHING RETURNING account_id::text AS account_id`,
    competitionId,
    at,
    ...ins.params,
  );
  const fresh = new Set(inserted.map((r) => r.account_id));
  const rows = obs
    .filter((o) => fresh.has(o.accountId))
    .map((o) => {
      const s = foldSnapshot(o.stats, adjustedEquity(o.equity, o.flows));
      return [
        o.participantId,
        s.count,
        s.lastAdjusted!.toFixed(),
        s.peak!.toFixed(),
        s.maxDrawdown.toFixed(),
        s.sumChanges.toFixed(),
        s.sumSqChanges.toFixed(),
      ];
    });
  if (rows.length === 0) return 0;
  const upd = unnestFrom(
    [
      ['id', 'uuid'],
      ['snapshot_count', 'int'],
      ['last_adjusted', 'numeric'],
      ['peak_adjusted', 'numeric'],
      ['max_drawdown', 'numeric'],
      ['sum_changes', 'numeric'],
      ['sum_sq_changes', 'numeric'],
    ],
    rows,
  );
  await tx.$executeRawUnsafe(
    `UPDATE competition_participants p SET snapshot_count = u.snapshot_count,
       last_adjusted = u.last_adjusted, peak_adjusted = u.peak_adjusted,
       max_drawdown = u.max_drawdown, sum_changes = u.sum_changes, sum_sq_changes = u.sum_sq_changes
     FROM ${upd.sql} WHERE p.id = u.id`,
    ...upd.params,
  );
  return rows.length;
}

/**
 * The first snapshot of a participant who joins a running competition: the starting balance at
 * the time they join (in the join's transaction).
 */
export async function recordJoinSnapshot(
  tx: Tx,
  p: { competitionId: string; participantId: string; accountId: string },
  startingBalance: Prisma.Decimal,
  at: number,
): Promise<void> {
  const s = new Decimal(startingBalance.toFixed());
  await store(tx, p.competitionId, new Date(at), [
    {
      participantId: p.participantId,
      accountId: p.accountId,
      equity: s,
      wallet: s,
      flows: new Decimal(0),
      stats: statsOfRow(emptyRow(p)),
    },
  ]);
}

const emptyRow = (p: { participantId: string; accountId: string }): StatsRow => ({
  id: p.participantId,
  account_id: p.accountId,
  reset_flows: '0',
  snapshot_count: 0,
  last_adjusted: null,
  peak_adjusted: null,
  max_drawdown: '0',
  sum_changes: '0',
  sum_sq_changes: '0',
});

const isSerializationFailure = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === 'P2034' || /40001|could not serialize|write conflict/i.test(String(err?.message))
  );
};

/**
 * Takes the snapshot at `at` of every participant still in the competition (active or out; a
 * removed student is not ranked), in batches, valued at the venue's latest marks.
 */
export async function takeSnapshots(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
  at: number,
  opts: { batchSize?: number } = {},
): Promise<{ participants: number; stored: number }> {
  const c = await db.competition.findUnique({
    where: { id: competitionId },
    select: { venueId: true },
  });
  if (!c) return { participants: 0, stored: 0 };
  const quotes = await prices.quotes(c.venueId);
  const marks = new Map([...quotes].map(([s, q]) => [s, q.markPrice]));
  const last = new Map(
    [...quotes].flatMap(([s, q]) => (q.lastPrice ? [[s, q.lastPrice] as const] : [])),
  );
  const ids = (
    await db.competitionParticipant.findMany({
      where: { competitionId, status: { not: 'REMOVED' } },
      select: { id: true },
      orderBy: { id: 'asc' },
    })
  ).map((p) => p.id);
  const size = opts.batchSize ?? SNAPSHOT_BATCH;
  let stored = 0;
  for (let i = 0; i < ids.length; i += size) {
    const batch = ids.slice(i, i + size);
    for (let attempt = 1; ; attempt++) {
      try {
        stored += await db.$transaction(
          async (tx) => {
            const rows = await tx.$queryRaw<StatsRow[]>`
              SELECT id::text AS id, account_id::text AS account_id, reset_flows::text AS reset_flows,
                snapshot_count, last_adjusted::text AS last_adjusted, peak_adjusted::text AS peak_adjusted,
                max_drawdown::text AS max_drawdown, sum_changes::text AS sum_changes,
                sum_sq_changes::text AS sum_sq_changes
              FROM competition_participants WHERE id = ANY(${batch}::uuid[]) AND status <> 'REMOVED'
              ORDER BY id FOR UPDATE`;
            const states = await loadAccountStates(
              tx,
              rows.map((r) => r.account_id),
            );
            const obs: Observation[] = [];
            for (const r of rows) {
              const loaded = states.get(r.account_id);
              if (!loaded) continue;
              const { market } = marketFor(loaded.engine, marks, last, loaded.catalogue);
              const f = boardFiguresOf(loaded.engine, market);
              obs.push({
                participantId: r.id,
                accountId: r.account_id,
                equity: f.equity,
                wallet: f.walletBalance,
                flows: new Decimal(r.reset_flows),
                stats: statsOfRow(r),
              });
            }
            return store(tx, competitionId, new Date(at), obs);
          },
          {
            isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
            maxWait: 10_000,
            timeout: 60_000,
          },
        );
        break;
      } catch (e) {
        if (attempt >= 3 || !isSerializationFailure(e)) throw e;
      }
    }
  }
  return { participants: ids.length, stored };
}
