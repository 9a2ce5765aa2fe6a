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
  /** One statement on its own (its own snapshot), outside any transaction. */
  query<T>(sql: Prisma.Sql): Promise<T[]>;
}

type Run = (text: string, values: unknown[]) => Promise<pg.QueryResult<Record<string, unknown>>>;

/** A transaction client with the raw-query methods of Prisma's, over one pg connection. */
function rawClient(c: pg.PoolClient, deadline: number): Prisma.TransactionClient {
  return rawMethods((text, values) => {
    // the whole transaction is bounded, as Prisma's `timeout` bounds its own
    if (Date.now() > deadline) throw new TransactionTimeout();
    return c.query<Record<string, unknown>>({ name: statementName(text), text, values });
  });
}

/** Prisma's raw-query methods ($queryRaw, $executeRaw and their Unsafe forms) over `run`. */
function rawMethods(run: Run): Prisma.TransactionClient {
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

/** The transaction ran past its time limit: it was rolled back. */
export class TransactionTimeout extends Error {
  constructor() {
    super('the transaction ran past its time limit and was rolled back');
  }
}

export interface PgTransactorOptions {
  /** How long a transaction waits for a connection of the pool (ms). Default 10 s, as Prisma's maxWait. */
  maxWaitMs?: number;
}

/** Checks a connection out of the pool, or fails after `ms`: a late connection goes back at once. */
function connectWithin(pool: pg.Pool, ms: number): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`no database connection within ${ms} ms`));
    }, ms);
    pool.connect().then(
      (c) => {
        clearTimeout(timer);
        if (late) c.release();
        else resolve(c);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!late) reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

const ignoreConnectionError = () => {
  // the query in flight rejects with the error; the connection is discarded in `finally`
};

export function pgTransactor(pool: pg.Pool, opts: PgTransactorOptions = {}): Transactor {
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  /** One statement on a connection of its own, outside any transaction. */
  const alone: Run = async (text, values) => {
    const c = await connectWithin(pool, maxWaitMs);
    c.on('error', ignoreConnectionError);
    let failed: Error | undefined;
    try {
      return await c.query<Record<string, unknown>>({ name: statementName(text), text, values });
    } catch (e) {
      // a connection that failed mid-statement is not handed out again
      failed = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      c.removeListener('error', ignoreConnectionError);
      c.release(failed);
    }
  };
  return {
    async transaction(fn, { timeoutMs }) {
      const ms = Math.max(1, Math.floor(timeoutMs));
      const c = await connectWithin(pool, maxWaitMs);
      // pg emits 'error' on a checked-out connection the server drops (a restart, a failover, a
      // terminated backend): without a listener that would be an uncaught exception
      c.on('error', ignoreConnectionError);
      let broken: Error | undefined;
      try {
        // statements and idling inside the transaction are bounded on the server too; and its
        // statements run on generic plans: they are the hot paths' prepared statements, written to
        // be planned once per connection. Left to choose, PostgreSQL planned the account load on
        // every call once the tables had statistics (a custom plan looked a little cheaper than
        // the generic one): 1.5 ms of planning per placement's load, five times its execution
        await c.query(
          `BEGIN; SET LOCAL statement_timeout = ${ms}; SET LOCAL idle_in_transaction_session_timeout = ${ms}; SET LOCAL plan_cache_mode = force_generic_plan`,
        );
        const out = await fn(rawClient(c, Date.now() + ms));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch((rollbackFailed: Error) => {
          broken = rollbackFailed; // never hand back a connection that may be inside a transaction
        });
        throw e;
      } finally {
        c.removeListener('error', ignoreConnectionError);
        c.release(broken);
      }
    },
    async query<T>(sql: Prisma.Sql) {
      return (await alone(sql.text, sql.values)).rows as T[];
    },
  };
}
