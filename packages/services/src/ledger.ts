// Reading the double-entry ledger. Lines are written by trading/persist.ts, from the engine's
// events (trading/ledger-lines.ts), so that every movement of money has its counter-entry.
import { Prisma } from '@lab/db';

/** The balance of a book: the sum of its entries. */
export async function bookBalance(
  tx: Prisma.TransactionClient,
  book: string,
): Promise<Prisma.Decimal> {
  const agg = await tx.ledgerEntry.aggregate({ where: { book }, _sum: { amount: true } });
  return agg._sum.amount ?? new Prisma.Decimal(0);
}
