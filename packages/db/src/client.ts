import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { pgTransactor, type Transactor } from './pg-transactor.ts';
import { statementName } from './statement-names.ts';

export type Db = PrismaClient;

const transactors = new WeakMap<Db, Transactor>();

export function createDb(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  // one pool for Prisma and for the raw transactions of the hot paths (transactorOf)
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  const adapter = new PrismaPg(pool, {
    // typed as string, but pg sends a query whose name is undefined unnamed
    statementNameGenerator: (q) => statementName(q.sql) as string,
    disposeExternalPool: true,
  });
  const db = new PrismaClient({ adapter });
  transactors.set(db, pgTransactor(pool));
  return db;
}

/** Raw-query transactions on the pool of a client made by createDb (none for any other client). */
export const transactorOf = (db: Db): Transactor | undefined => transactors.get(db);
