// The server the end-to-end suite runs against: a throw-away embedded PostgreSQL (its own port and
// folder), migrations, a production build in apps/web/.next-e2e, and `next start` on E2E_PORT. It
// shares nothing with a running `npm start`. Started by playwright.config.ts (webServer); SIGTERM
// stops the web server, then PostgreSQL, then removes the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@lab/db/server';
import { provideDatabase } from '../scripts/lib/platform-env.ts';
import { stopChild, type Child } from '../scripts/lib/processes.ts';
import { startPlatformProcesses } from '../scripts/lib/platform-processes.ts';
import { ensureWebBuild } from '../scripts/lib/web-build.ts';

const log = (m: string) => console.log(`[e2e-server] ${m}`);
const port = Number(process.env.E2E_PORT ?? 3100);
const pgPort = Number(process.env.LAB_E2E_PG_PORT ?? 45432);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-e2e-'));
const stateFile = process.env.LAB_E2E_STATE_FILE ?? path.join(dir, 'state.json');

const database = await provideDatabase({
  databaseUrl: process.env.E2E_DATABASE_URL,
  dataPath: path.join(dir, 'pg'),
  port: pgPort,
  database: 'lab_e2e',
});
fs.writeFileSync(stateFile, JSON.stringify({ databaseUrl: database.url }));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: database.url,
  NEXTAUTH_SECRET: 'e2e-only-secret-not-for-production-0123456789',
  NEXTAUTH_URL: `http://localhost:${port}`,
  LAB_NEXT_DIST_DIR: '.next-e2e',
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production',
  PORT: String(port),
  // The specs play several clients from one machine by setting X-Forwarded-For, as a proxy would.
  LAB_TRUST_PROXY: '1',
  // Two hours of simulated history is plenty for the specs and keeps the worker's start light.
  LAB_MARKET_BACKFILL_HOURS: process.env.LAB_MARKET_BACKFILL_HOURS ?? '2',
};

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const c of children) await stopChild(c);
  await database.embedded?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stateFile, { force: true });
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

const children: Child[] = [];
if (!ensureWebBuild(repoRoot, env, '.next-e2e', log)) await stop(1);
children.push(...startPlatformProcesses(repoRoot, env, { dev: false, port }));
for (const c of children) {
  void c.exited.then((code) => {
    if (!stopping) {
      log(`${c.name} exited unexpectedly (code ${code})`);
      void stop(1);
    }
  });
}
log(`serving http://localhost:${port} on database ${database.url.replace(/:[^:@/]*@/, ':***@')}`);
