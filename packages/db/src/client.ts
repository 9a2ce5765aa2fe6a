import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';
import { pgTransactor, type Transactor } from './pg-transactor.ts';
import { statementName } from './statement-names.ts';

export type Db = PrismaClient;

/**
 * Where a client keeps its transactor: a property under a global symbol, not a module-level map,
 * because Next bundles this module once per server bundle (pages, route handlers,
 * instrumentation) while they share one client.
 */
const TRANSACTOR = Symbol.for('lab.db.transactor');

/**
 * A Prisma client on a pg pool of its own, which raw-query transactions of the hot paths share
 * (transactorOf). $disconnect ends the pool, for both.
 */
export function createDb(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  // an idle connection the server drops is removed by the pool; without a listener it would throw
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, {
    // typed as string, but pg sends a query whose name is undefined unnamed
    statementNameGenerator: (q) => statementName(q.sql) as string,
    disposeExternalPool: true,
  });
  const db = new PrismaClient({ adapter });
  Object.defineProperty(db, TRANSACTOR, { value: pgTransactor(pool) });
  return db;
}

/** Raw-query transactions on the pool of a client made by createDb (none for any other client). */
export const transactorOf = (db: Db): Transactor | undefined =>
  (db as unknown as Record<symbol, Transactor | undefined>)[TRANSACTOR];

/**
 * One raw statement: over the pool of a client made by createDb without Prisma's runtime (which
 * costs a signed-in request more CPU than the statement does), through $queryRaw for any other.
 */
export const queryRows = <T>(db: Db, sql: Prisma.Sql): Promise<T[]> =>
  transactorOf(db)?.query<T>(sql) ?? db.$queryRaw<T[]>(sql);
