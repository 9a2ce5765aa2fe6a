// Live-stream benchmark of the production web server: `npm run bench -w @lab/web`
// (options: --part a,b  --clients 1000  --users 100  --seconds 15  --batch-ms 100  --cpu-prof).
//
// It starts its own embedded PostgreSQL and the production server (server.ts on a build in
// apps/web/bench/.next, no worker) and publishes the market itself from a child process
// (simulator -> PgNotifyPublisher every --batch-ms, as the worker does). Then:
//
// (a) market fan-out: --clients SSE clients of GET /api/stream/market, half on every symbol and
//     half on ?symbols=BTCUSDT,ETHUSDT; a sample is one event at one client: receipt minus the
//     publishedAt of its batch. Beside it, the BASELINE: a minimal node:http SSE server on the
//     same feed (raw-sse.ts) serving the same clients; the ratio of the two.
// (b) account stream: --users users x 10 accounts, one open position each (the trading service at
//     the live marks), users signed in over HTTP; one GET /api/stream/account?accountId= per
//     account; a sample is one `figures` event at one client: receipt minus the publishedAt of
//     the mark batch behind it. Target: p99 < 100 ms. Beside it, the BASELINE: the same figure
//     computations (figuresOf + JSON of every account at one set of marks) timed in this process
//     without HTTP, and the market stream's latency of (a).
//
// Loopback only; every phase bounded in time, and a watchdog ends the run. --cpu-prof runs the web
// server under `node --cpu-prof` and prints where its CPU went.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '@lab/db';
import { MarketFeed, PgNotifySubscriber } from '@lab/market-data';
import { SYMBOLS } from '@lab/margin-engine';
import { feedPrices, figuresOf, loadAccountStates, marketOf } from '@lab/services';
import { createBenchAccounts, type BenchAccount } from './accounts.ts';
import { cpuMsOf, startPlatform, type Platform } from './platform.ts';
import { rawSseServer } from './raw-sse.ts';
import { fmt, percentile, summarizeProfile, table, type ProfileWindow } from './report.ts';

const here = import.meta.dirname;
const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const PARTS = (argv.includes('--part') ? argv[argv.indexOf('--part') + 1]! : 'a,b').split(',');
const CLIENTS = arg('clients', 1000);
const USERS = arg('users', 100);
const SECONDS = arg('seconds', 15);
const BATCH_MS = arg('batch-ms', 100);
const CPU_PROFILE = argv.includes('--cpu-prof');
const TARGET_P99_MS = 100;

const log = (m: string) => console.log(`    ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface GroupStats {
  clients: number;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  minClientEvents: number;
  maxClientEvents: number;
}
interface ClientsReport {
  groups: Record<string, GroupStats>;
  errors: number;
  refused: number;
  closedEarly: number;
  statuses: Record<string, number>;
  cpuPct: number;
}
interface Target {
  path: string;
  headers: Record<string, string>;
  group: string;
}
interface Run {
  label: string;
  window: ProfileWindow;
  connectMs: number;
  report: ClientsReport;
  serverCpuPct: number;
  batches: number;
}

const children = new Set<ChildProcess>();
/** Measurement windows on the web server, for its CPU profile. */
const webWindows: ProfileWindow[] = [];
const killChildren = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
};

/**
 * Connects the clients (a child process), waits for their snapshots, measures a window of
 * SECONDS, and returns what the clients saw and the server's CPU over the window.
 */
async function measure(
  label: string,
  port: number,
  targets: Target[],
  serverCpuMs: () => number,
  feed: MarketFeed,
): Promise<Run> {
  const file = path.join(os.tmpdir(), `lab-bench-targets-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(targets));
  const child = fork(path.join(here, 'sse-clients.ts'), [String(port), file], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const messages: Array<Record<string, unknown>> = [];
  child.on('message', (m: Record<string, unknown>) => messages.push(m));
  try {
    await until(() => messages.some((m) => m.type === 'ready'), 180_000, `${label}: clients`);
    const ready = messages.find((m) => m.type === 'ready')!;
    log(
      `${label}: ${targets.length} clients had their snapshot in ${fmt(Number(ready.connectMs))} ms (${String(ready.refused)} refused)`,
    );
    const seen = new Set<number>();
    let from = Infinity;
    let to = Infinity;
    const off = feed.subscribe((u) => {
      if (u.publishedAt >= from && u.publishedAt <= to) seen.add(u.publishedAt);
    });
    await sleep(2000); // warm-up, not measured
    from = Date.now();
    to = from + SECONDS * 1000;
    child.send({ type: 'window', from, to });
    const cpu0 = serverCpuMs();
    await sleep(SECONDS * 1000);
    const serverCpuPct = ((serverCpuMs() - cpu0) / (SECONDS * 1000)) * 100;
    await sleep(1500); // the last batches of the window arrive
    off();
    child.send({ type: 'report' });
    await until(() => messages.some((m) => m.type === 'report'), 30_000, `${label}: report`);
    const report = messages.find((m) => m.type === 'report') as unknown as ClientsReport;
    return {
      label,
      window: { label, from, to },
      connectMs: Number(ready.connectMs),
      report,
      serverCpuPct,
      batches: seen.size,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    children.delete(child);
    fs.rmSync(file, { force: true });
  }
}

function printRuns(title: string, runs: Run[]) {
  console.log(`\n${title}\n`);
  const rows = [
    [
      'server',
      'group',
      'clients',
      'events/client (min-max)',
      'samples',
      'p50',
      'p95',
      'p99',
      'max',
      'server CPU',
      'clients CPU',
      'refused/errors/closed',
    ],
  ];
  for (const r of runs)
    for (const [group, g] of Object.entries(r.report.groups))
      rows.push([
        r.label,
        group,
        fmt(g.clients),
        `${fmt(g.minClientEvents)}-${fmt(g.maxClientEvents)}`,
        fmt(g.samples),
        `${fmt(g.p50)} ms`,
        `${fmt(g.p95)} ms`,
        `${fmt(g.p99)} ms`,
        `${fmt(g.max)} ms`,
        `${fmt(r.serverCpuPct)} %`,
        `${fmt(r.report.cpuPct)} %`,
        `${r.report.refused}/${r.report.errors}/${r.report.closedEarly}`,
      ]);
  table(rows);
  for (const r of runs)
    log(`${r.label}: ${r.batches} tick batches published in the ${SECONDS} s window`);
}

const marketTargets = (n: number): Target[] =>
  Array.from({ length: n }, (_, i) => ({
    path: i % 2 ? '/api/stream/market?symbols=BTCUSDT,ETHUSDT' : '/api/stream/market',
    // 25 client addresses: under the 200 streams-per-address cap
    headers: { 'x-forwarded-for': `2001:db8:bc::${(i % 25).toString(16)}` },
    group: i % 2 ? 'BTC+ETH' : 'all symbols',
  }));

async function partA(platform: Platform, feed: MarketFeed) {
  console.log(`\n(a) Market fan-out: ${CLIENTS} clients, ${SECONDS} s window`);
  const web = await measure(
    'web /api/stream/market',
    platform.port,
    marketTargets(CLIENTS),
    () => cpuMsOf(platform.web.proc.pid!),
    feed,
  );
  webWindows.push(web.window);
  const raw = rawSseServer(feed);
  raw.maxConnections = CLIENTS + 100;
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  let baseline: Run;
  try {
    baseline = await measure(
      'raw node:http (baseline)',
      (raw.address() as AddressInfo).port,
      marketTargets(CLIENTS),
      () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      },
      feed,
    );
  } finally {
    raw.closeAllConnections();
    await new Promise<void>((r) => raw.close(() => r()));
  }
  printRuns('(a) Market fan-out: latency of each event at each client (receipt - publishedAt)', [
    web,
    baseline,
  ]);
  for (const group of Object.keys(web.report.groups)) {
    const w = web.report.groups[group]!;
    const b = baseline.report.groups[group]!;
    log(
      `ratio web / raw, ${group}: p50 ${(w.p50 / b.p50).toFixed(2)}, p99 ${(w.p99 / b.p99).toFixed(2)}; server CPU ${(web.serverCpuPct / baseline.serverCpuPct).toFixed(2)}`,
    );
  }
  return web;
}

/** The baseline of (b): every account's figures at one set of marks, in this process. */
async function inProcessFigures(databaseUrl: string, accounts: BenchAccount[], feed: MarketFeed) {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    const loaded = await loadAccountStates(
      db,
      accounts.map((a) => a.accountId),
    );
    const prices = feedPrices(feed);
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const market = marketOf(await prices.quotes('main'));
      const t = performance.now();
      let bytes = 0;
      for (const a of loaded.values()) bytes += JSON.stringify(figuresOf(a.engine, market)).length;
      rounds.push(performance.now() - t);
      if (!bytes) throw new Error('no figures');
      await sleep(100);
    }
    return { accounts: loaded.size, medianMs: percentile(rounds, 0.5), maxMs: Math.max(...rounds) };
  } finally {
    await db.$disconnect();
  }
}

async function partB(platform: Platform, feed: MarketFeed, market: Run | undefined) {
  console.log(
    `\n(b) Account stream: ${USERS} users x 10 accounts with a position each, ${SECONDS} s window`,
  );
  const db = createDb(platform.databaseUrl, { max: 8 });
  let accounts: BenchAccount[];
  try {
    accounts = await createBenchAccounts({
      db,
      prices: feedPrices(feed),
      base: platform.base,
      users: USERS,
      symbols: SYMBOLS,
      log,
    });
  } finally {
    await db.$disconnect();
  }
  const floor = await inProcessFigures(platform.databaseUrl, accounts, feed);
  log(
    `baseline: figures of all ${floor.accounts} accounts at one set of marks, in-process: median ${fmt(floor.medianMs, 1)} ms, max ${fmt(floor.maxMs, 1)} ms (7 rounds)`,
  );
  const run = await measure(
    'web /api/stream/account',
    platform.port,
    accounts.map((a) => ({
      path: `/api/stream/account?accountId=${a.accountId}`,
      headers: { cookie: a.cookie, 'x-forwarded-for': a.address },
      group: 'figures',
    })),
    () => cpuMsOf(platform.web.proc.pid!),
    feed,
  );
  webWindows.push(run.window);
  printRuns(
    '(b) Account stream: latency of each `figures` event at each client (receipt - publishedAt of the marks)',
    [run],
  );
  const g = run.report.groups.figures;
  if (!g) throw new Error('no figures events were received');
  log(
    `ratio p99 / in-process figures of all accounts (median): ${(g.p99 / floor.medianMs).toFixed(2)}`,
  );
  const m = market?.report.groups['all symbols'];
  if (m) log(`ratio p99 account stream / market stream (same run): ${(g.p99 / m.p99).toFixed(2)}`);
  log(`target p99 < ${TARGET_P99_MS} ms: ${g.p99 < TARGET_P99_MS ? 'MET' : 'NOT MET'}`);
  return { run, floor };
}

async function main() {
  let platform: Platform | undefined;
  let feed: MarketFeed | undefined;
  const watchdogMs = 240_000 + PARTS.length * (SECONDS * 1000 * 2 + 240_000);
  const watchdog = setTimeout(() => {
    console.error(`benchmark watchdog: over ${watchdogMs / 1000} s, aborting`);
    killChildren();
    void platform?.stop().finally(() => process.exit(2));
  }, watchdogMs);
  process.once('SIGINT', () => {
    killChildren();
    void platform?.stop().finally(() => process.exit(130));
  });
  console.log(
    `stream benchmark: Node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  try {
    platform = await startPlatform({ log, cpuProfile: CPU_PROFILE });
    log(`web server (production build) on ${platform.base}, pid ${platform.web.proc.pid}`);
    const producer = fork(
      path.join(here, 'producer.ts'),
      [platform.databaseUrl, String(BATCH_MS)],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    children.add(producer);
    feed = new MarketFeed(new PgNotifySubscriber(platform.databaseUrl));
    await feed.start();
    const f = feed;
    await until(
      () => SYMBOLS.every((s) => f.snapshot([s]).some((t) => t.kind === 'mark')),
      20_000,
      'marks of every symbol',
    );
    log(
      `producer: simulator, 6 symbols, 10 steps/s, marks every 1 s, published every ${BATCH_MS} ms`,
    );
    const market = PARTS.includes('a') ? await partA(platform, feed) : undefined;
    if (PARTS.includes('b')) await partB(platform, feed, market);
    producer.send({ type: 'stop' });
    await sleep(300);
    if (CPU_PROFILE && platform.profileDir) {
      await platform.stopWeb();
      const exitedAt = Date.now();
      for (const w of webWindows) {
        console.log('');
        summarizeProfile(platform.profileDir, w, exitedAt);
      }
    }
  } finally {
    clearTimeout(watchdog);
    killChildren();
    await feed?.close();
    await platform?.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    killChildren();
    process.exit(1);
  },
);
