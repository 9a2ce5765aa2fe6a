// The production platform on loopback for the HTTP benchmark and the fuzz run, started the way
// e2e/serve.ts starts it: its own embedded PostgreSQL (own port and folder), a production build in
// apps/web/.next-bench, the production web server (server.ts) and the worker. Traders sign up
// and sign in over HTTP through next-auth's credentials callback, so every request carries a
// real session cookie. stop() ends the children, then PostgreSQL, then removes the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@lab/db/server';
import { provideDatabase } from '../../lib/platform-env.ts';
import { freePort, stopChild, waitForHttp, type Child } from '../../lib/processes.ts';
import { startPlatformProcesses } from '../../lib/platform-processes.ts';
import { ensureWebBuild } from '../../lib/web-build.ts';
import { cpuAccountingAvailable, type CpuSources } from './cpu.ts';
import { HttpClient } from './http.ts';

export interface Platform {
  base: string;
  databaseUrl: string;
  http: HttpClient;
  /** The pids whose CPU the benchmarks account for (undefined where /proc is not there). */
  cpuSources(): CpuSources | undefined;
  stop(): Promise<void>;
}

export interface Trader {
  email: string;
  accountId: string;
  userId: string;
  /** The Cookie header of the signed-in session. */
  cookie: string;
  /** The client address the trader's requests come from (X-Forwarded-For). */
  ip: string;
}

export async function startPlatform(opts: {
  name: string;
  log: (m: string) => void;
  /** Keep the server's output (default: only errors). */
  verbose?: boolean;
}): Promise<Platform> {
  const { log } = opts;
  const port = await freePort(3300);
  const pgPort = await freePort(45532);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lab-${opts.name}-`));
  const database = await provideDatabase({
    dataPath: path.join(dir, 'pg'),
    port: pgPort,
    database: `lab_${opts.name}`,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: `${opts.name}-only-secret-not-for-production-0123456789`,
    NEXTAUTH_URL: `http://localhost:${port}`,
    LAB_NEXT_DIST_DIR: '.next-bench',
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
    PORT: String(port),
    // many traders from one machine: each has its own client address, as behind a proxy
    LAB_TRUST_PROXY: '1',
    LAB_MARKET_BACKFILL_HOURS: '1',
  };
  const children: Child[] = [];
  const stop = async () => {
    for (const c of children) await stopChild(c);
    await database.embedded?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!ensureWebBuild(repoRoot, env, '.next-bench', log))
      throw new Error('the web app did not build');
    children.push(...startPlatformProcesses(repoRoot, env, { dev: false, port }));
    const base = `http://127.0.0.1:${port}`;
    const alive = () => children.every((c) => c.proc.exitCode === null);
    if (!(await waitForHttp(`${base}/api/health`, 180_000, alive)))
      throw new Error('the web server did not answer /api/health');
    log(`platform up on ${base}`);
    const cpuSources = (): CpuSources | undefined => {
      const [web, worker] = children.map((c) => c.proc.pid);
      const pidFile = path.join(dir, 'pg', 'postmaster.pid');
      if (!cpuAccountingAvailable() || !web || !worker || !fs.existsSync(pidFile)) return undefined;
      const postgres = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      return postgres > 0 ? { web, worker, postgres } : undefined;
    };
    return { base, databaseUrl: database.url, http: new HttpClient(base), cpuSources, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

let nextIp = 1;
/** A distinct client address per trader, in the loopback range (only ever a header value). */
const traderIp = () => `127.77.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

/** Signs a new trader up (auth.signUp) and in (next-auth credentials callback). */
export async function newTrader(http: HttpClient, prefix: string): Promise<Trader> {
  const ip = traderIp();
  const id = Math.random().toString(36).slice(2, 10);
  const email = `${prefix}-${id}@example.test`;
  const password = `Bench-password-${id}`;
  const up = await http.post(
    '/api/trpc/auth.signUp',
    { email, displayName: `Bench ${id}`, password },
    { ip },
  );
  if (up.status !== 200) throw new Error(`sign-up failed: ${up.status} ${up.text}`);
  const { userId, accountId } = (
    up.json as { result: { data: { userId: string; accountId: string } } }
  ).result.data;
  const csrf = await http.get('/api/auth/csrf', { ip });
  const csrfCookie = cookiesOf(csrf.headers['set-cookie']);
  const form = new URLSearchParams({
    csrfToken: (csrf.json as { csrfToken: string }).csrfToken,
    email,
    password,
    json: 'true',
    callbackUrl: '/accounts',
  }).toString();
  const signIn = await http.request('POST', '/api/auth/callback/credentials', form, {
    ip,
    cookie: csrfCookie,
    contentType: 'application/x-www-form-urlencoded',
  });
  const session = cookiesOf(signIn.headers['set-cookie'])
    .split('; ')
    .find((c) => /session-token=/.test(c));
  if (!session) throw new Error(`sign-in gave no session cookie: ${signIn.status} ${signIn.text}`);
  return { email, userId, accountId, cookie: session, ip };
}

function cookiesOf(setCookie: string[] | string | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

/**
 * Waits until the web server trades on `symbol` (its live feed has a fresh mark) and the worker
 * has stored its ticker; returns the mark.
 */
export async function waitForLiveMarket(
  http: HttpClient,
  trader: Trader,
  symbol: string,
  timeoutMs = 120_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const preview = await http.query(
      'trade.previewOrder',
      { accountId: trader.accountId, symbol, side: 'buy', type: 'market', quantity: '1000000' },
      trader,
    );
    const reason = (preview.json as { error?: { data?: { reason?: string } } }).error?.data?.reason;
    const live = preview.status === 200 || (reason !== undefined && !reason.startsWith('MARKET_'));
    const ticker = await http.query('market.ticker', { symbol }, trader);
    const mark = (ticker.json as { result?: { data?: { markPrice?: string } } }).result?.data
      ?.markPrice;
    if (live && mark) return mark;
    if (Date.now() > deadline)
      throw new Error(`${symbol} is not live: ${preview.status} ${preview.text} ${ticker.text}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
