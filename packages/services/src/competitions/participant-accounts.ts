// The accounts of a competition's participants in batches of account ids (in id order, so that
// concurrent batch jobs lock accounts in one order), for the batch path (runOnAccounts): the
// freeze at the end and a rule change that switches every student's markets.
import type { Db } from '@lab/db';
import { SNAPSHOT_BATCH } from './snapshots.ts';

export async function participantAccountBatches(
  db: Db,
  competitionId: string,
  opts: { withRemoved: boolean; size?: number },
): Promise<string[][]> {
  const ids = (
    await db.competitionParticipant.findMany({
      where: { competitionId, ...(opts.withRemoved ? {} : { status: { not: 'REMOVED' } }) },
      select: { accountId: true },
      orderBy: { accountId: 'asc' },
    })
  ).map((p) => p.accountId);
  const size = opts.size ?? SNAPSHOT_BATCH;
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}
