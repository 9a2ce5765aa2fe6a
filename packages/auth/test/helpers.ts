import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { afterAll, beforeAll } from 'vitest';
import { hashPassword } from '../src/password.ts';

export function useTestDb(): { readonly db: Db; readonly url: string } {
  let tdb: TestDatabase;
  const box = {} as { db: Db; url: string };
  beforeAll(async () => {
    tdb = await createTestDatabase();
    box.url = tdb.url;
    box.db = createDb(tdb.url, { max: 20 });
  });
  afterAll(async () => {
    await box.db?.$disconnect();
    await tdb?.drop();
  });
  return box;
}

let n = 0;
export async function insertUser(db: Db, password = 'correct-Horse-42') {
  n += 1;
  const email = `auth-${process.pid}-${Date.now().toString(36)}-${n}@example.test`;
  const user = await db.user.create({
    data: { email, displayName: `User ${n}`, passwordHash: await hashPassword(password) },
  });
  return { ...user, password };
}
