import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect } from 'vitest';

/** A migrated database of this test file's own, and a client on it. */
export function useTestDb(): { readonly db: Db } {
  let tdb: TestDatabase;
  const box = {} as { db: Db };
  beforeAll(async () => {
    tdb = await createTestDatabase();
    box.db = createDb(tdb.url);
  });
  afterAll(async () => {
    await box.db?.$disconnect();
    await tdb?.drop();
  });
  return box;
}

/** The tRPC error a call failed with (fails the test if it succeeded). */
export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error('expected the call to fail');
}

/** Sum of every ledger entry (double entry: must be zero). */
export async function ledgerTotal(db: Db): Promise<string> {
  const agg = await db.ledgerEntry.aggregate({ _sum: { amount: true } });
  return (agg._sum.amount ?? 0).toString();
}
