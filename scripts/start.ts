// `npm start`: the whole platform under one command. Starts (or connects to) PostgreSQL, applies
// migrations, seeds demo data once, builds the web app when its sources changed, then runs the web
// server and the worker. Ctrl-C / SIGTERM stops the children first and PostgreSQL last; a child
// that dies takes the launcher down with a clear message rather than leaving half a platform.
// `npm run dev` does the same with `next dev` and a worker that restarts on change.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseConfigError, repoRoot } from '@lab/db/server';
import { ensureWebBuild } from './lib/web-build.ts';
import { startPlatformProcesses } from './lib/platform-processes.ts';
import { log, provideAuthSecret, provideDatabase, type Database } from './lib/platform-env.ts';
import { portFree, stopChild, waitForHttp, type Child } from './lib/processes.ts';
import { seedDemoData } from './lib/seed.ts';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);

function loadDotEnv() {
  const file = path.join(repoRoot, '.env');
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

let database: Database | undefined;
const children: Child[] = [];
let stopping: Promise<never> | undefined;

/**
 * Stops children first and PostgreSQL last, then exits. Idempotent: a second signal (the terminal
 * and npm both deliver one) waits for the same shutdown instead of exiting half-way through it.
 */
function shutdown(code: number, why?: string): Promise<never> {
  stopping ??= (async () => {
    if (why) log(why);
    for (const c of [...children].reverse()) await stopChild(c);
    if (database?.embedded) {
      await database.embedded.stop();
      log('PostgreSQL stopped');
    }
    process.exit(code);
  })();
  return stopping;
}

async function main() {
  loadDotEnv();
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new DatabaseConfigError(`PORT must be a port number, got "${process.env.PORT}"`);
  if (!(await portFree(port))) {
    throw new DatabaseConfigError(
      `port ${port} is already in use: stop what runs there, or set PORT to another port`,
    );
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void shutdown(0, `${sig} received: stopping`));
  }

  const external = process.env.DATABASE_URL;
  log(
    external
      ? 'using the PostgreSQL in DATABASE_URL'
      : 'starting the embedded PostgreSQL (data in .data/pg)',
  );
  database = await provideDatabase({ databaseUrl: external });
  const secret = provideAuthSecret(!external);
  await seedDemoData(database.url, log);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
  };
  if (!dev && !ensureWebBuild(repoRoot, env, '.next', log))
    return shutdown(1, 'the web build failed (see above)');

  children.push(...startPlatformProcesses(repoRoot, env, { dev, port }));
  for (const c of children) {
    void c.exited.then((code) => {
      if (!stopping)
        void shutdown(
          1,
          `the ${c.name} process exited unexpectedly (code ${code}); stopping everything`,
        );
    });
  }

  const url = `http://localhost:${port}`;
  const healthy = await waitForHttp(`${url}/api/health`, 180_000, () => !stopping);
  if (stopping) return;
  if (!healthy)
    return shutdown(1, `the web app did not become healthy at ${url}/api/health within 3 minutes`);
  log(`Leverage Lab is running at ${url}  (health: ${url}/api/health; Ctrl-C stops everything)`);
}

main().catch((e: unknown) => {
  const msg =
    e instanceof DatabaseConfigError
      ? e.message
      : e instanceof Error
        ? (e.stack ?? e.message)
        : String(e);
  console.error(`[launcher] cannot start: ${msg}`);
  void shutdown(1);
});
