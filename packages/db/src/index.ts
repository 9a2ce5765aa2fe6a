export { createDb, type Db } from './client.ts';
export * from './generated/prisma/client.ts';
export { migrate, readMigrations } from './migrate.ts';
export { checkDatabase, describeUrl, DatabaseConfigError } from './connection.ts';
export { startEmbeddedPostgres, type RunningPostgres } from './server/embedded-postgres.ts';
export { repoRoot, dataDir } from './paths.ts';
