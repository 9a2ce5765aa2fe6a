// A competition's life: draft -> scheduled (published) -> running (at startsAt) -> finished (at
// endsAt, or ended early by a host) -> archived. Reads and rules use the times (effectiveState), so
// the stored state only has to catch up; the worker moves it (one active worker) and freezes a
// finished competition, and a host ending early freezes it at once.
//
// Frozen means: every order of every participant canceled and every position closed at the mark
// (the engine's closeAllAtMark, no fee), through the batch path, then the final equity snapshot
// taken at the end time. Nothing of a participant stays open, the rules refuse every operation
// after the end, so the final snapshot is the final standing and nothing moves after it.
import type { Db } from '@lab/db';
import { closeAllAtMark } from '@lab/margin-engine';
import { marketOf, type VenuePrices } from '../trading/prices.ts';
import { runOnAccounts, type Step } from '../trading/run.ts';
import { participantAccountBatches } from './participant-accounts.ts';
import { effectiveState } from './rules.ts';
import { SNAPSHOT_BATCH, takeSnapshots } from './snapshots.ts';

/** Scheduled competitions whose start has come are running; returns their ids. */
export async function startDueCompetitions(db: Db, now: number = Date.now()): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE competitions SET state = 'RUNNING', updated_at = now()
    WHERE state = 'SCHEDULED' AND starts_at <= ${new Date(now)} AND ends_at > ${new Date(now)}
      AND ended_at IS NULL
    RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}

/**
 * Marks competitions whose end has come as finished, and returns every finished competition not
 * frozen yet (oldest end first): the ones to freeze.
 */
export async function finishDueCompetitions(db: Db, now: number = Date.now()): Promise<string[]> {
  await db.$executeRaw`
    UPDATE competitions SET state = 'FINISHED', updated_at = now()
    WHERE state IN ('SCHEDULED', 'RUNNING') AND (ends_at <= ${new Date(now)} OR ended_at IS NOT NULL)`;
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM competitions WHERE state = 'FINISHED' AND finalized_at IS NULL
    ORDER BY coalesce(ended_at, ends_at)`;
  return rows.map((r) => r.id);
}

/**
 * Freezes a finished competition (see above) at the venue's latest marks. Idempotent: closing an
 * account with nothing open does nothing, and the final snapshot is stored (and folded) once.
 * Returns false when the competition is not finished (or already frozen).
 */
export async function freezeCompetition(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
  opts: { batchSize?: number; now?: number } = {},
): Promise<boolean> {
  const now = opts.now ?? Date.now();
  const c = await db.competition.findUnique({ where: { id: competitionId } });
  if (!c || c.finalizedAt) return false;
  const state = effectiveState(
    {
      state: c.state,
      startsAt: c.startsAt.getTime(),
      endsAt: c.endsAt.getTime(),
      endedAt: c.endedAt?.getTime() ?? null,
    },
    now,
  );
  if (state !== 'FINISHED') return false;
  const endAt = (c.endedAt ?? c.endsAt).getTime();
  const market = marketOf(await prices.quotes(c.venueId));
  const size = opts.batchSize ?? SNAPSHOT_BATCH;
  // every participant's account, the removed ones' (archived) too
  const batches = await participantAccountBatches(db, competitionId, { withRemoved: true, size });
  for (const batch of batches) {
    await runOnAccounts(
      db,
      batch,
      (loaded) => {
        const steps = new Map<string, Step<null>>();
        for (const l of loaded) {
          if (!Object.keys(l.engine.positions).length && !Object.keys(l.engine.orders).length)
            continue;
          const own = { ...market, instruments: l.catalogue };
          const result = closeAllAtMark(l.engine, own, Date.now(), 'competitionEnded');
          steps.set(l.id, { result, context: { market: own }, value: null });
        }
        return steps;
      },
      { allowArchived: true },
    );
  }
  await takeSnapshots(db, prices, competitionId, endAt, { batchSize: size });
  await db.competition.update({
    where: { id: competitionId },
    data: { state: 'FINISHED', finalizedAt: new Date() },
  });
  return true;
}
