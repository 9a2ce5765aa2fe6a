// Transactions on a pg pool for the hot paths that run raw queries only: the worker's batch path
// (runOnAccounts) and the API's order placement (runOnAccount). Going through Prisma's runtime for
// them cost the trading loop more CPU than the engine did (profiled on a 4,000-account cascade),
// and an order's five statements cost the web server about 1.9 ms of CPU in Prisma alone
// (profiled on the place-order benchmark). Same SQL, same transaction, one layer less.
import type pg from 'pg';
import { Prisma } from './generated/prisma/client.ts';
import { statementName } from './statement-names.ts';

/**
 * Runs a function in one database transaction whose client offers the raw-query methods of
 * Prisma's transaction client ($queryRaw, $executeRaw and their Unsafe forms) and nothing else.
 */
export interface Transactor {
  transaction<T>(
    fn: (tx: Prisma.TransactionClient) => Promise<T>,
    opts: { timeoutMs: number },
  ): Promise<T>;
}

/** A transaction client with the raw-query methods of Prisma's, over one pg connection. */
function rawClient(c: pg.PoolClient): Prisma.TransactionClient {
  const run = (text: string, values: unknown[]) =>
    c.query<Record<string, unknown>>({ name: statementName(text), text, values });
  // Prisma.sql flattens nested fragments (a shared SELECT composed into a locking one) and
  // numbers the placeholders, as Prisma's own $queryRaw does.
  const query = (strings: TemplateStringsArray, values: unknown[]) => {
    const q = Prisma.sql(strings, ...values);
    return run(q.text, q.values);
  };
  const methods: Record<string, unknown> = {
    $queryRawUnsafe: async (sql: string, ...params: unknown[]): Promise<unknown[]> =>
      (await run(sql, params)).rows,
    $executeRawUnsafe: async (sql: string, ...params: unknown[]) =>
      (await run(sql, params)).rowCount ?? 0,
    $queryRaw: async (strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown[]> =>
      (await query(strings, values)).rows,
    $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
      (await query(strings, values)).rowCount ?? 0,
  };
  return new Proxy(methods, {
    get(target, key) {
      if (typeof key === 'string' && key in target) return target[key];
      if (key === 'then') return undefined; // not a promise
      throw new Error(`this transaction runs raw queries only (used: ${String(key)})`);
    },
  }) as unknown as Prisma.TransactionClient;
}

export function pgTransactor(pool: pg.Pool): Transactor {
  return {
    async transaction(fn, { timeoutMs }) {
      const c = await pool.connect();
      try {
        await c.query(`BEGIN; SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
        const out = await fn(rawClient(c));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
  };
}
