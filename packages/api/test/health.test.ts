import { storedPrices } from '@lab/services';
import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../src/root.ts';

let tdb: TestDatabase;
let db: Db;
beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb(tdb.url);
});
afterAll(async () => {
  await db.$disconnect();
  await tdb.drop();
});

describe('health.check', () => {
  it('reports the database up with its migrations', async () => {
    const caller = createCaller({ db, user: null, ip: '127.0.0.1', prices: storedPrices(db) });
    const h = await caller.health.check();
    expect(h.database).toBe('up');
    expect(h.migrations).toBeGreaterThan(0);
  });

  it('reports the database down when it is unreachable', async () => {
    const dead = createDb('postgresql://u:p@127.0.0.1:1/none');
    const caller = createCaller({
      db: dead,
      user: null,
      ip: '127.0.0.1',
      prices: storedPrices(dead),
    });
    const h = await caller.health.check();
    expect(h).toMatchObject({ status: 'degraded', database: 'down' });
    await dead.$disconnect();
  });
});
