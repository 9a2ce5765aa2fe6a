import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { statementName } from './statement-names.ts';

export type Db = PrismaClient;

export function createDb(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: opts.max ?? 10 },
    // typed as string, but pg sends a query whose name is undefined unnamed
    { statementNameGenerator: (q) => statementName(q.sql) as string },
  );
  return new PrismaClient({ adapter });
}
