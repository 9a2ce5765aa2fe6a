// Resolves the database and secrets for the launcher and the e2e harness: the embedded PostgreSQL
// by default, or the server named by DATABASE_URL.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './processes.ts';
import {
  checkDatabase,
  withDatabase,
  dataDir,
  DatabaseConfigError,
  migrate,
  startEmbeddedPostgres,
  type RunningPostgres,
} from '@lab/db/server';

export const log = (msg: string) => console.log(`[launcher] ${msg}`);

export interface Database {
  url: string;
  embedded?: RunningPostgres;
}

/** Starts (or connects to) PostgreSQL and applies pending migrations. */
export async function provideDatabase(opts: {
  databaseUrl?: string;
  dataPath?: string;
  port?: number;
  database?: string;
}): Promise<Database> {
  if (opts.databaseUrl) {
    await checkDatabase(opts.databaseUrl);
    const { applied } = await migrate(opts.databaseUrl);
    if (applied.length) log(`applied ${applied.length} migration(s)`);
    return { url: opts.databaseUrl };
  }
  // The cluster does not care which port it listens on between runs (children get the URL), so a
  // second checkout, or a test run beside `npm start`, simply takes another free port.
  const port = opts.port ?? (await freePort(Number(process.env.LAB_PG_PORT ?? 54329)));
  const embedded = await startEmbeddedPostgres({
    dataDir: opts.dataPath ?? path.join(dataDir, 'pg'),
    port,
    onLog: (line) => {
      if (line.startsWith('made ')) log(line.replace(/^made no new server: /, ''));
      else if (
        /FATAL|PANIC|ERROR/.test(line) &&
        !/the database system is (starting up|shutting down)/.test(line)
      ) {
        console.error(`[postgres] ${line}`);
      }
    },
  });
  try {
    const database = opts.database ?? 'leverage_lab';
    const admin = new pg.Client({ connectionString: embedded.adminUrl() });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = withDatabase(embedded.adminUrl(), database);
    const { applied } = await migrate(url);
    if (applied.length) log(`applied ${applied.length} migration(s)`);
    return { url, embedded };
  } catch (e) {
    await embedded.stop();
    throw e;
  }
}

/**
 * NEXTAUTH_SECRET from the environment; for the embedded default, generated once and kept in the
 * ignored .data folder so that sessions survive restarts and `npm start` needs no set-up.
 */
export function provideAuthSecret(embedded: boolean): string {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32)
      throw new DatabaseConfigError('NEXTAUTH_SECRET must be at least 32 characters');
    return fromEnv;
  }
  if (!embedded) {
    throw new DatabaseConfigError(
      'NEXTAUTH_SECRET is required when DATABASE_URL points at your own server: set it to a random string of 32+ characters (openssl rand -base64 32)',
    );
  }
  const file = path.join(dataDir, 'nextauth-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
