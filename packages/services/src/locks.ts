import type { Prisma } from '@lab/db';
import { tradesSharedAccount } from './teaching/shared-accounts.ts';

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

/**
 * Locks the account if it belongs to `userId`, or is a shared team account `userId` trades as a
 * member (teaching/shared-accounts.ts); false when there is no such account of that user.
 */
export async function lockOwnedAccount(
  tx: Prisma.TransactionClient,
  userId: string,
  accountId: string,
): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT id FROM paper_accounts WHERE id = ${accountId}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
  if (rows.length > 0) return true;
  // only a request that is not the owner's pays for this lookup
  return (await tradesSharedAccount(tx, userId, accountId)) && lockAccount(tx, accountId);
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
