// Double-entry ledger: every movement of money is one transaction whose entries sum to zero.
import { randomUUID } from 'node:crypto';
import { Prisma } from '@lab/db';

export const TREASURY = 'house:treasury';
export const accountBook = (accountId: string) => `account:${accountId}`;

export interface LedgerLine {
  book: string;
  kind: string;
  amount: Prisma.Decimal;
  memo?: string;
}

/** Writes one balanced transaction; returns its id. Throws (a bug, not user error) if unbalanced. */
export async function postLedgerTransaction(
  tx: Prisma.TransactionClient,
  lines: LedgerLine[],
): Promise<string> {
  const sum = lines.reduce((s, l) => s.plus(l.amount), new Prisma.Decimal(0));
  if (!sum.isZero())
    throw new Error(`unbalanced ledger transaction: entries sum to ${sum.toFixed()}`);
  const txId = randomUUID();
  await tx.ledgerEntry.createMany({
    data: lines.map((l) => ({
      txId,
      book: l.book,
      kind: l.kind,
      amount: l.amount,
      memo: l.memo ?? null,
    })),
  });
  return txId;
}

/** Moves `amount` from the house treasury into an account (negative: back to the treasury). */
export function fundAccount(
  tx: Prisma.TransactionClient,
  accountId: string,
  kind: string,
  amount: Prisma.Decimal,
  memo?: string,
) {
  return postLedgerTransaction(tx, [
    { book: TREASURY, kind, amount: amount.negated(), ...(memo ? { memo } : {}) },
    { book: accountBook(accountId), kind, amount, ...(memo ? { memo } : {}) },
  ]);
}

/** The balance of a book: the sum of its entries. */
export async function bookBalance(
  tx: Prisma.TransactionClient,
  book: string,
): Promise<Prisma.Decimal> {
  const agg = await tx.ledgerEntry.aggregate({ where: { book }, _sum: { amount: true } });
  return agg._sum.amount ?? new Prisma.Decimal(0);
}
