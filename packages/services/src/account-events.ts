import type { Prisma } from '@lab/db';
import { isEngineEventType } from '@lab/margin-engine';

/**
 * Account events that are not the margin engine's (they record what is not margin state), beside
 * those stored before trading existed ("legacy:" types). Replay folds only the engine's own types
 * (the engine's list, isEngineEventType).
 */
export const NON_ENGINE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'accountRenamed',
  'accountArchived',
  'accountRestored',
  'accountReset',
]);

export { isEngineEventType };

/**
 * Reserves `count` sequence numbers of the account's event stream and returns the first. The
 * caller holds the account's row lock (SELECT ... FOR UPDATE), which serialises writers of the
 * same stream; the counter lives on the account row, so no max(seq) scan is needed.
 */
export async function reserveEventSeqs(
  tx: Prisma.TransactionClient,
  accountId: string,
  count: number,
): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ last: number }>>`
    UPDATE paper_accounts SET last_event_seq = last_event_seq + ${count}::int
    WHERE id = ${accountId}::uuid RETURNING last_event_seq AS last`;
  const last = rows[0]?.last;
  if (last === undefined) throw new Error(`no account ${accountId}`);
  return last - count + 1;
}

/**
 * Appends an event that is not margin state (accountRenamed, accountArchived, ...) to an
 * account's stream with the next sequence number. Replay skips such events.
 */
export async function appendAccountEvent(
  tx: Prisma.TransactionClient,
  accountId: string,
  type: string,
  payload: Prisma.InputJsonObject,
): Promise<number> {
  const seq = await reserveEventSeqs(tx, accountId, 1);
  await tx.accountEvent.create({ data: { accountId, seq, type, payload } });
  return seq;
}
