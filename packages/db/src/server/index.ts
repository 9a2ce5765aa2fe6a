export { migrate, readMigrations } from '../migrate.ts';
export { checkDatabase, describeUrl, withDatabase, DatabaseConfigError } from '../connection.ts';
export { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.ts';
export { repoRoot, dataDir } from '../paths.ts';
