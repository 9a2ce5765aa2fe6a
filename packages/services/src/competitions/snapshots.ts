// Equity snapshots of a competition's participants, taken by the worker at the competition's fixed
// interval (and at the end, after the freeze): each batch of participants is read in one
// REPEATABLE READ snapshot (accounts and the resets' flows together: a reset changes both in one
// transaction), valued with the engine at the venue's latest marks, then stored and folded into
// each participant's running standings (standings.ts) in a short write. A snapshot already stored
// for that time is not folded twice, so taking one again is harmless.
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

/**
 * Stores the observations at `at` and folds those not stored before into the running figures, in
 * the caller's transaction. A participant whose figures another fold changed since they were read
 * (a join or the end racing the worker's grid snapshot) keeps neither this snapshot nor its fold.
 */
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
  const folded = obs.filter((o) => fresh.has(o.accountId));
  if (folded.length === 0) return 0;
  const rows = folded.map((o) => {
    const s = foldSnapshot(o.stats, adjustedEquity(o.equity, o.flows));
    return [
      o.participantId,
      o.stats.count,
      s.count,
      s.lastAdjusted!.toFixed(),
      s.peak!.toFixed(),
      s.maxDrawdown.toFixed(),
      s.sumChanges.toFixed(),
      s.sumSqChanges.toFixed(),
    ];
  });
  const upd = unnestFrom(
    [
      ['id', 'uuid'],
      ['read_count', 'int'],
      ['snapshot_count', 'int'],
      ['last_adjusted', 'numeric'],
      ['peak_adjusted', 'numeric'],
      ['max_drawdown', 'numeric'],
      ['sum_changes', 'numeric'],
      ['sum_sq_changes', 'numeric'],
    ],
    rows,
  );
  const updated = await tx.$queryRawUnsafe<Array<{ id: string }>>(
    `UPDATE competition_participants p SET snapshot_count = u.snapshot_count,
       last_adjusted = u.last_adjusted, peak_adjusted = u.peak_adjusted,
       max_drawdown = u.max_drawdown, sum_changes = u.sum_changes, sum_sq_changes = u.sum_sq_changes
     FROM ${upd.sql} WHERE p.id = u.id AND p.id ${upd.keyIn('id')}
       AND p.snapshot_count = u.read_count
     RETURNING p.id::text AS id`,
    ...upd.params,
  );
  const applied = new Set(updated.map((r) => r.id));
  const lost = folded.filter((o) => !applied.has(o.participantId)).map((o) => o.accountId);
  if (lost.length)
    await tx.$executeRaw`DELETE FROM equity_snapshots WHERE account_id = ANY(${lost}::uuid[]) AND at = ${at}`;
  return applied.size;
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
    // one consistent picture of the batch (accounts, and the resets' flows of each): a reset
    // changes both in one transaction; a read-only snapshot never waits and never conflicts
    const obs = await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<StatsRow[]>`
          SELECT id::text AS id, account_id::text AS account_id, reset_flows::text AS reset_flows,
            snapshot_count, last_adjusted::text AS last_adjusted, peak_adjusted::text AS peak_adjusted,
            max_drawdown::text AS max_drawdown, sum_changes::text AS sum_changes,
            sum_sq_changes::text AS sum_sq_changes
          FROM competition_participants WHERE id = ANY(${batch}::uuid[]) AND status <> 'REMOVED'
          ORDER BY id`;
        const states = await loadAccountStates(
          tx,
          rows.map((r) => r.account_id),
        );
        const out: Observation[] = [];
        for (const r of rows) {
          const loaded = states.get(r.account_id);
          if (!loaded) continue;
          const { market } = marketFor(loaded.engine, marks, last, loaded.catalogue);
          const f = boardFiguresOf(loaded.engine, market);
          out.push({
            participantId: r.id,
            accountId: r.account_id,
            equity: f.equity,
            wallet: f.walletBalance,
            flows: new Decimal(r.reset_flows),
            stats: statsOfRow(r),
          });
        }
        return out;
      },
      {
        isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
        maxWait: 10_000,
        timeout: 60_000,
      },
    );
    stored += await db.$transaction((tx) => store(tx, competitionId, new Date(at), obs), {
      maxWait: 10_000,
      timeout: 60_000,
    });
  }
  return { participants: ids.length, stored };
}
