export { migrate, readMigrations } from '../migrate.ts';
export { checkDatabase, describeUrl, DatabaseConfigError } from '../connection.ts';
export { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.ts';
export { repoRoot, dataDir } from '../paths.ts';
