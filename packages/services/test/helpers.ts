import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import type { Account } from '@lab/margin-engine';
import { afterAll, beforeAll } from 'vitest';
import { replayStoredAccounts } from '../src/testing/consistency.ts';

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
  return (await replayStoredAccounts(db, [accountId])).get(accountId)!;
}

export { expectConsistent } from '../src/testing/vitest.ts';
