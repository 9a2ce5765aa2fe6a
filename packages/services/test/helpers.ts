import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { accountToJson, eventFromJson, replay, type Account } from '@lab/margin-engine';
import { afterAll, beforeAll, expect } from 'vitest';
import { isEngineEventType } from '../src/account-events.ts';
import { loadAccountState } from '../src/engine-state.ts';
import { accountBook } from '../src/trading/ledger-lines.ts';

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

/** The account as folding its stored engine events gives it. */
export async function replayStored(db: Db, accountId: string): Promise<Account> {
  const rows = await db.accountEvent.findMany({ where: { accountId }, orderBy: { seq: 'asc' } });
  const engineEvents = rows
    .filter((r) => isEngineEventType(r.type))
    .map((r) => eventFromJson(r.payload));
  return replay(accountId, engineEvents);
}

/**
 * The invariants every stored account keeps: replaying its engine events gives exactly the stored
 * state (wallet, settings, positions, open orders, order sequence), its ledger book equals its
 * wallet, and the whole ledger sums to zero per transaction.
 */
export async function expectConsistent(db: Db, accountId: string): Promise<void> {
  const stored = await db.$transaction((tx) => loadAccountState(tx, accountId));
  expect(stored).not.toBeNull();
  const replayed = await replayStored(db, accountId);
  expect(accountToJson(stored!.engine)).toEqual(accountToJson(replayed));
  const book = await db.ledgerEntry.aggregate({
    where: { book: accountBook(accountId) },
    _sum: { amount: true },
  });
  expect((book._sum.amount ?? 0).toString()).toBe(stored!.engine.walletBalance.toFixed());
  const unbalanced = await db.$queryRaw<Array<{ tx_id: string }>>`
    SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
  expect(unbalanced).toEqual([]);
}
