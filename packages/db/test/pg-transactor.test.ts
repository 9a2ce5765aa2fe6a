import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  Prisma,
  queryRows,
  transactorOf,
  TransactionTimeout,
  type Db,
  type Transactor,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('the raw-query transactor of createDb', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb(tdb.url, { max: 2 });
    await db.$executeRawUnsafe('CREATE TABLE tx_probe (n int)');
  });
  afterAll(async () => {
    await db.$disconnect();
    await tdb.drop();
  });

  const count = async () =>
    Number((await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM tx_probe`)[0]!.n);

  it('belongs to the client, commits what it wrote, and offers raw queries only', async () => {
    const t = transactorOf(db)!;
    expect(t).toBeDefined();
    expect(transactorOf(db)).toBe(t);
    const rows = await t.transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO tx_probe VALUES (${1})`;
        expect(() => (tx as unknown as { user: unknown }).user).toThrow(/raw queries only/);
        return tx.$queryRaw<Array<{ n: number }>>`SELECT n FROM tx_probe`;
      },
      { timeoutMs: 5000 },
    );
    expect(rows).toEqual([{ n: 1 }]);
    expect(await count()).toBe(1);
  });

  it('runs its prepared statements on generic plans, and only inside its transactions', async () => {
    const t = transactorOf(db)!;
    const plans = await t.transaction(
      async (tx) => {
        // the name comes with the third call of the same text; a custom plan would be chosen
        // for the first five executions of a named statement if PostgreSQL were left to choose
        for (let n = 0; n < 7; n++)
          await tx.$queryRaw`SELECT n FROM tx_probe WHERE n = ${n} /* generic probe */`;
        return tx.$queryRaw<Array<{ generic: number; custom: number; mode: string }>>`
          SELECT generic_plans::int AS generic, custom_plans::int AS custom,
                 current_setting('plan_cache_mode') AS mode
            FROM pg_prepared_statements WHERE statement LIKE '%/* generic probe */%'`;
      },
      { timeoutMs: 5000 },
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]!.mode).toBe('force_generic_plan');
    expect(plans[0]!.custom).toBe(0);
    expect(plans[0]!.generic).toBeGreaterThanOrEqual(4);
    // outside: the server's own choice, for Prisma's statements on the same connections
    const [outside] = await queryRows<{ mode: string }>(
      db,
      Prisma.sql`SELECT current_setting('plan_cache_mode') AS mode`,
    );
    expect(outside!.mode).toBe('auto');
  });

  /** Runs `fn` in a transaction that must fail as `expected` says, leaving tx_probe as it was. */
  const rolledBack = async (
    fn: Parameters<Transactor['transaction']>[0],
    timeoutMs: number,
    expected: (p: Promise<unknown>) => Promise<void>,
  ) => {
    const before = await count();
    await expected(transactorOf(db)!.transaction(fn, { timeoutMs }));
    expect(await count()).toBe(before);
  };

  it('rolls back when the function throws', async () => {
    await rolledBack(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO tx_probe VALUES (${2})`;
        throw new Error('refused');
      },
      5000,
      (p) => expect(p).rejects.toThrow('refused'),
    );
  });

  it('a transaction past its time limit is refused its next statement and rolled back', async () => {
    await rolledBack(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO tx_probe VALUES (${3})`;
        await new Promise((r) => setTimeout(r, 300));
        await tx.$executeRaw`INSERT INTO tx_probe VALUES (${4})`;
      },
      100,
      (p) => expect(p).rejects.toBeInstanceOf(TransactionTimeout),
    );
  });

  it('a connection the server drops mid-transaction fails that transaction only', async () => {
    await rolledBack(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO tx_probe VALUES (${5})`;
        const [me] = await tx.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
        // another connection terminates this one's backend, as a restart or failover would
        await db.$queryRaw`SELECT pg_terminate_backend(${me!.pid}::int)`;
        await tx.$queryRaw`SELECT 1`;
      },
      5000,
      (p) => expect(p).rejects.toThrow(),
    );
    // the process is still up (no uncaught 'error') and the pool serves again
    const again = await transactorOf(db)!.transaction(
      (tx) => tx.$queryRaw<Array<{ ok: number }>>`SELECT 1 AS ok`,
      { timeoutMs: 5000 },
    );
    expect(again).toEqual([{ ok: 1 }]);
  });

  it('runs one statement on its own, over the pool (queryRows), and the pool survives its failures', async () => {
    await db.$executeRaw`INSERT INTO tx_probe VALUES (${7})`;
    const rows = await queryRows<{ n: number }>(
      db,
      Prisma.sql`SELECT n FROM tx_probe WHERE n = ${7}`,
    );
    expect(rows).toEqual([{ n: 7 }]);
    await expect(queryRows(db, Prisma.sql`SELECT no_such_column FROM tx_probe`)).rejects.toThrow();
    // a backend terminated while its statement runs
    const dying = queryRows(db, Prisma.sql`SELECT pg_sleep(30)`);
    // handled from the start: it may reject while the kill below is still being answered
    const died = expect(dying).rejects.toThrow();
    for (let killed = 0; killed === 0;) {
      const [r] = await db.$queryRaw<Array<{ n: bigint }>>`
        SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
         WHERE query = 'SELECT pg_sleep(30)' AND pid <> pg_backend_pid()`;
      killed = Number(r!.n);
    }
    await died;
    // two connections (max: 2), both usable again
    const again = await Promise.all(
      [1, 2].map((k) => queryRows<{ k: number }>(db, Prisma.sql`SELECT ${k}::int AS k`)),
    );
    expect(again).toEqual([[{ k: 1 }], [{ k: 2 }]]);
  });
});
