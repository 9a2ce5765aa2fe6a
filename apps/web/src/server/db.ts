import 'server-only';
import { createDb, type Db } from '@lab/db';
import { env } from '@/env';

// One Prisma client per server process (kept across hot reloads in development).
const globalForDb = globalThis as unknown as { labDb?: Db };

export function db(): Db {
  return (globalForDb.labDb ??= createDb(env().DATABASE_URL));
}
