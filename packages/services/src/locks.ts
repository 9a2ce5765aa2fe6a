import type { Prisma } from '@lab/db';

/**
 * Row locks, always taken in this order when a transaction needs both: the user (serialises
 * per-user rules such as "at most N active accounts, names unique"), then the account (serialises
 * every change of one account's money, orders and positions).
 */
export async function lockUser(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<
    unknown[]
  >`SELECT id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/** Locks the account if it belongs to `userId`; false when there is no such account of that user. */
export async function lockOwnedAccount(
  tx: Prisma.TransactionClient,
  userId: string,
  accountId: string,
): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT id FROM paper_accounts WHERE id = ${accountId}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/**
 * Locks an account for a system actor (the worker, a host acting on a participant): no owner is
 * checked, because the caller is not acting as the owner. False when there is no such account.
 */
export async function lockAccount(
  tx: Prisma.TransactionClient,
  accountId: string,
): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT id FROM paper_accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/**
 * Locks many accounts for a system actor in one statement, in id order (so two batches never
 * wait on each other in a cycle; single-account transactions hold one account lock at a time).
 * Returns the ids that exist and are now locked.
 */
export async function lockAccounts(
  tx: Prisma.TransactionClient,
  accountIds: readonly string[],
): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const ids = [...accountIds];
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM paper_accounts WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  return rows.map((r) => r.id);
}
