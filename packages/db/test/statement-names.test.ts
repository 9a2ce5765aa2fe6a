import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/index.ts';
import { PLANNED_EACH_CALL, statementNamer } from '../src/statement-names.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('statementNamer', () => {
  it('names a text when it comes back, and the same text always the same name', () => {
    const name = statementNamer({ repeatAfter: 3 });
    expect(name('SELECT 1')).toBeUndefined();
    expect(name('SELECT 1')).toBeUndefined();
    const a = name('SELECT 1');
    expect(a).toMatch(/^lab_\d+$/);
    expect(name('SELECT 1')).toBe(a);
    const other = statementNamer({ repeatAfter: 1 });
    expect(other('select 2')).toBeDefined();
    expect(other('  WITH x AS (SELECT 1) SELECT * FROM x')).toBeDefined();
    expect(other('INSERT INTO t VALUES (1)')).toBeDefined();
    expect(other('select 2')).not.toBe(other('INSERT INTO t VALUES (1)'));
  });

  it('leaves statements PostgreSQL does not prepare unnamed', () => {
    const name = statementNamer({ repeatAfter: 1 });
    for (const sql of [
      'BEGIN',
      'COMMIT',
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SAVEPOINT a',
    ])
      expect(name(sql)).toBeUndefined();
  });

  it('never names a text marked to be planned on each call', () => {
    const name = statementNamer({ repeatAfter: 1 });
    const sql = `${PLANNED_EACH_CALL} SELECT o.id FROM orders o WHERE o.id = $1`;
    for (let i = 0; i < 5; i++) expect(name(sql)).toBeUndefined();
    expect(name('/* another comment */ SELECT 1')).toMatch(/^lab_\d+$/);
  });

  it('names at most `max` texts: the rest go unnamed, the named keep their names', () => {
    const name = statementNamer({ max: 3, repeatAfter: 1 });
    const names = [1, 2, 3].map((i) => name(`SELECT ${i}`));
    expect(names.every((n) => n !== undefined)).toBe(true);
    expect(name('SELECT 4')).toBeUndefined();
    expect(name('SELECT 2')).toBe(names[1]);
  });

  it('texts seen once (a list of placeholders as long as its input) do not use up the names', () => {
    const name = statementNamer({ max: 2, repeatAfter: 2 });
    for (let n = 1; n <= 50; n++)
      name(
        `SELECT * FROM t WHERE id IN (${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(',')})`,
      );
    name('SELECT hot');
    expect(name('SELECT hot')).toBeDefined();
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

  it('a raw query that comes back is one prepared statement of the connection, with its results', async () => {
    const run = (n: number) => db.$queryRaw<Array<{ x: number }>>`SELECT ${n}::int + 1 AS x`;
    // the process's namer names a text on its third run
    expect(await run(1)).toEqual([{ x: 2 }]);
    expect(await run(2)).toEqual([{ x: 3 }]);
    expect(await run(3)).toEqual([{ x: 4 }]);
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
