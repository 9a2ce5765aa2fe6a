import type { Prisma } from '@lab/db';

/**
 * Appends an event to an account's stream with the next sequence number. The caller holds the
 * account's row lock (SELECT ... FOR UPDATE), which serialises writers of the same stream.
 */
export async function appendAccountEvent(
  tx: Prisma.TransactionClient,
  accountId: string,
  type: string,
  payload: Prisma.InputJsonObject,
): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ next: number }>>`
    SELECT (coalesce(max(seq), 0) + 1)::int AS next FROM account_events WHERE account_id = ${accountId}::uuid`;
  const seq = rows[0]?.next ?? 1;
  await tx.accountEvent.create({ data: { accountId, seq, type, payload } });
  return seq;
}
