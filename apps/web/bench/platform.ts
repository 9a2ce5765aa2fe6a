// What the stream benchmark runs against: a throw-away embedded PostgreSQL (migrated), the
// production build of the web app in its own dist dir (apps/web/bench/.next: ignored by git and by
// the build fingerprint, so it never disturbs `npm start`'s or the e2e suite's builds), and the
// production server (server.ts) on a free loopback port, without the worker: the benchmark
// publishes the market itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@lab/db/server';
import { provideDatabase, type Database } from '../../../scripts/lib/platform-env.ts';
import {
  freePort,
  startChild,
  stopChild,
  waitForHttp,
  type Child,
} from '../../../scripts/lib/processes.ts';
import { ensureWebBuild } from '../../../scripts/lib/web-build.ts';

export const BENCH_DIST_DIR = 'bench/.next';

export interface Platform {
  databaseUrl: string;
  port: number;
  base: string;
  web: Child;
  /** Directory the web server writes its CPU profile to (with --cpu-prof). */
  profileDir?: string;
  /** Stops the web server (it writes its CPU profile as it exits). */
  stopWeb(): Promise<void>;
  /** Stops everything and removes the temporary directory. */
  stop(): Promise<void>;
}

export async function startPlatform(opts: {
  log: (m: string) => void;
  cpuProfile: boolean;
}): Promise<Platform> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-bench-streams-'));
  let database: Database | undefined;
  let web: Child | undefined;
  const stopWeb = async () => {
    if (web) await stopChild(web);
  };
  const stop = async () => {
    await stopWeb();
    await database?.embedded?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    database = await provideDatabase({
      dataPath: path.join(dir, 'pg'),
      port: await freePort(46000 + Math.floor(Math.random() * 4000)),
      database: 'lab_bench',
    });
    const port = await freePort(4700 + Math.floor(Math.random() * 200));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      NEXTAUTH_SECRET: 'bench-only-secret-not-for-production-0123456789',
      NEXTAUTH_URL: `http://localhost:${port}`,
      LAB_NEXT_DIST_DIR: BENCH_DIST_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      PORT: String(port),
      // the clients play many addresses (X-Forwarded-For), as behind a proxy: 200 streams per address
      LAB_TRUST_PROXY: '1',
    };
    if (!ensureWebBuild(repoRoot, env, BENCH_DIST_DIR, opts.log))
      throw new Error('the web build failed');
    const profileDir = opts.cpuProfile ? path.join(dir, 'cpu-profile') : undefined;
    web = startChild(
      'web',
      process.execPath,
      [
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        '--import',
        'tsx',
        'server.ts',
      ],
      { cwd: path.join(repoRoot, 'apps/web'), env },
    );
    const w = web;
    const base = `http://127.0.0.1:${port}`;
    if (!(await waitForHttp(`${base}/api/health`, 60_000, () => w.proc.exitCode === null)))
      throw new Error('the web server did not answer /api/health');
    return {
      databaseUrl: database.url,
      port,
      base,
      web: w,
      ...(profileDir ? { profileDir } : {}),
      stopWeb,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** CPU time (user + system) of a process so far, ms (Linux /proc). */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which is in parentheses and may hold spaces)
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
}
