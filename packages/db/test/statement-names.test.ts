import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/index.ts';
import { statementNamer } from '../src/statement-names.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('statementNamer', () => {
  it('gives one text one name, and different texts different names', () => {
    const name = statementNamer();
    const a = name('SELECT 1');
    expect(a).toMatch(/^lab_\d+$/);
    expect(name('SELECT 1')).toBe(a);
    expect(name('select 2')).not.toBe(a);
    expect(name('  WITH x AS (SELECT 1) SELECT * FROM x')).toBeDefined();
    expect(name('INSERT INTO t VALUES (1)')).toBeDefined();
  });

  it('leaves statements PostgreSQL does not prepare unnamed', () => {
    const name = statementNamer();
    for (const sql of [
      'BEGIN',
      'COMMIT',
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SAVEPOINT a',
    ])
      expect(name(sql)).toBeUndefined();
  });

  it('names at most `max` texts: the rest go unnamed, the named keep their names', () => {
    const name = statementNamer(3);
    const names = [1, 2, 3].map((i) => name(`SELECT ${i}`));
    expect(names.every((n) => n !== undefined)).toBe(true);
    expect(name('SELECT 4')).toBeUndefined();
    expect(name('SELECT 2')).toBe(names[1]);
  });
});

describe('createDb prepares what it runs', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb(tdb.url, { max: 1 }); // one connection: its prepared statements are visible
  });
  afterAll(async () => {
    await db.$disconnect();
    await tdb.drop();
  });

  it('a raw query run twice is one prepared statement of the connection, with its results', async () => {
    const run = (n: number) => db.$queryRaw<Array<{ x: number }>>`SELECT ${n}::int + 1 AS x`;
    expect(await run(1)).toEqual([{ x: 2 }]);
    expect(await run(41)).toEqual([{ x: 42 }]);
    const prepared = await db.$queryRaw<Array<{ statement: string; calls: bigint }>>`
      SELECT statement, generic_plans + custom_plans AS calls
        FROM pg_prepared_statements
       WHERE statement LIKE '%::int + 1 AS x%' AND statement NOT LIKE '%pg_prepared_statements%'`;
    expect(prepared).toHaveLength(1);
    expect(Number(prepared[0]!.calls)).toBe(2);
  });

  it('model queries and transactions work through named statements', async () => {
    const users = await db.$transaction(async (tx) => {
      await tx.user.create({ data: { email: 'named@example.com', displayName: 'Named' } });
      return tx.user.findMany({ where: { email: 'named@example.com' }, select: { email: true } });
    });
    expect(users).toEqual([{ email: 'named@example.com' }]);
    expect(await db.user.count({ where: { email: 'named@example.com' } })).toBe(1);
  });
});
