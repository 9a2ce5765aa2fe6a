// Market-data benchmark: `npm run bench -w @lab/market-data` (options: --clients 1000 --seconds 20
// --transport fast,raw,trpc --runs 1 --part ab).
//
// (a) Throughput: simulator -> CandleAggregator -> publisher -> one subscriber, as fast as the
//     pipeline goes, over PostgreSQL LISTEN/NOTIFY and over the in-process MemoryTickBus (the
//     baseline: same source and candles, no transport). Batches of 100 ms and 1 s of market.
// (b) Fan-out latency: N raw HTTP streaming clients in a child process read `market.live` from a
//     real HTTP server (127.0.0.1) whose MarketFeed sits on a PgNotifySubscriber; the simulator
//     publishes 6 instruments at 10 steps/s through PgNotifyPublisher every 100 ms (as the worker
//     does). Latency of each delivered tick = receipt at the client - publishedAt of its batch.
//     Transports, one after the other: the fast path of the production web server (apps/web),
//     the tRPC procedure through tRPC's own SSE pipeline, and a raw SSE baseline. Target: p99 < 100 ms.
//
// Everything is bounded (counts, a watchdog) and loopback only. A throw-away embedded
// PostgreSQL is started in a temp dir and removed at the end, whatever happens.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRouter, type Context } from '@lab/api';
import { feedPrices } from '@lab/services';
import { createDb } from '@lab/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@lab/db/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
// The fast path exactly as the production web server (apps/web/server.ts) runs it.
import { createLiveFastPath } from '../../../apps/web/src/server/live-fanout.ts';
import {
  CandleAggregator,
  MarketFeed,
  MemoryTickBus,
  PgNotifyPublisher,
  PgNotifySubscriber,
  SimulatorSource,
  type MarketTick,
  type TickPublisher,
  type TickSubscriber,
} from '../src/index.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CLIENTS = arg('clients', 1000);
const SECONDS = arg('seconds', 20);
const THROUGHPUT_SIM_SECONDS = arg('sim-seconds', 300);
const REPEATS = 3;
/**
 * Transports of (b), run one after the other: fast = the production fast path of apps/web/server.ts
 * (tRPC's wire format, one encoding per batch for every client); trpc = the market.live procedure
 * through tRPC's own SSE pipeline; raw = the minimal baseline endpoint below.
 */
const TRANSPORTS = (() => {
  const i = process.argv.indexOf('--transport');
  const list = (i > 0 ? process.argv[i + 1]! : 'fast,raw,trpc').split(',');
  for (const t of list)
    if (t !== 'trpc' && t !== 'raw' && t !== 'fast')
      throw new Error('--transport fast|raw|trpc[,…]');
  return list as Transport[];
})();
type Transport = 'fast' | 'raw' | 'trpc';
const TRANSPORT_NAMES: Record<Transport, string> = {
  fast: 'fast path (apps/web/server.ts)',
  trpc: 'tRPC market.live',
  raw: 'raw SSE (baseline)',
};
/** Runs of each transport in (b); the summary gives the median of each figure. */
const RUNS = arg('runs', 1);
const PART = (() => {
  const i = process.argv.indexOf('--part');
  return i > 0 ? process.argv[i + 1] : 'ab';
})();
const T0 = Date.UTC(2026, 0, 5);
const here = path.dirname(fileURLToPath(import.meta.url));

const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
function table(rows: Array<Array<string>>) {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    '| ' +
    r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ') +
    ' |';
  console.log(line(rows[0]!));
  console.log(
    '|' +
      widths
        .map((w, c) => (c === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':'))
        .join('|') +
      '|',
  );
  for (const r of rows.slice(1)) console.log(line(r));
}

// ---- (a) throughput -----------------------------------------------------------------------------

async function throughput(publisher: TickPublisher, subscriber: TickSubscriber, batchMs: number) {
  const sim = new SimulatorSource({
    seed: 'bench',
    startTime: T0,
    ticksPerSecond: 10,
    now: () => T0,
  });
  const candles = new CandleAggregator();
  let batch: MarketTick[] = [];
  sim.onTick((t) => {
    if (t.kind === 'trade') candles.addTrade(t);
    batch.push(t);
  });
  let received = 0;
  const off = subscriber.onBatch((b) => void (received += b.ticks.length));
  let produced = 0;
  const t0 = performance.now();
  for (let ms = 0; ms < THROUGHPUT_SIM_SECONDS * 1000; ms += batchMs) {
    sim.advance(batchMs);
    const b = batch;
    batch = [];
    produced += b.length;
    await publisher.publish(b); // one publisher, in order: the next batch waits for this one
  }
  await until(() => received >= produced, 60_000, 'the subscriber to receive every tick');
  const seconds = (performance.now() - t0) / 1000;
  off();
  if (received !== produced) throw new Error(`received ${received} of ${produced} ticks`);
  return { ticks: produced, perSecond: produced / seconds };
}

async function partA(pgUrl: string) {
  console.log(
    `\n(a) Throughput: simulator (6 instruments, 10 steps/s) -> CandleAggregator -> publish -> 1 subscriber`,
  );
  console.log(
    `    ${THROUGHPUT_SIM_SECONDS} s of simulated market per run, median of ${REPEATS} runs\n`,
  );
  const rows = [['bus', 'batch', 'ticks/run', 'ticks/s (median)', 'runs']];
  const results: Record<string, number> = {};
  for (const batchMs of [100, 1000]) {
    for (const bus of ['memory', 'postgres'] as const) {
      const runs: number[] = [];
      let ticks = 0;
      for (let r = 0; r < REPEATS; r++) {
        let pub: TickPublisher;
        let sub: TickSubscriber;
        if (bus === 'memory') {
          const m = new MemoryTickBus();
          pub = m;
          sub = m;
        } else {
          pub = new PgNotifyPublisher(pgUrl, 'bench_ticks');
          sub = new PgNotifySubscriber(pgUrl, 'bench_ticks');
        }
        await sub.start();
        const res = await throughput(pub, sub, batchMs);
        await sub.close();
        if (bus === 'postgres') await pub.close();
        runs.push(res.perSecond);
        ticks = res.ticks;
      }
      results[`${bus}/${batchMs}`] = median(runs);
      rows.push([
        bus === 'memory' ? 'MemoryTickBus (baseline)' : 'PgNotify (LISTEN/NOTIFY)',
        `${batchMs} ms`,
        fmt(ticks),
        fmt(median(runs)),
        runs.map((x) => fmt(x / 1000, 0) + 'k').join(' '),
      ]);
    }
  }
  table(rows);
  for (const batchMs of [100, 1000]) {
    const ratio = results[`postgres/${batchMs}`]! / results[`memory/${batchMs}`]!;
    console.log(`    ratio PgNotify / MemoryTickBus, ${batchMs} ms batches: ${ratio.toFixed(2)}`);
  }
  return results;
}

// ---- (b) fan-out latency ------------------------------------------------------------------------

/**
 * Baseline transport for (b): the same MarketFeed and the same event format (snapshot first, then
 * `id: seq` + `data: {snapshot, publishedAt, ticks}`), but each batch is serialised once and the
 * same bytes are written to every client. What tRPC's per-client stream pipeline costs on top.
 */
function rawSseServer(feed: MarketFeed): http.Server {
  const clients = new Set<http.ServerResponse>();
  feed.subscribe((u) => {
    const bytes = Buffer.from(
      `id: ${u.seq}\ndata: ${JSON.stringify({ snapshot: false, publishedAt: u.publishedAt, ticks: u.ticks })}\n\n`,
    );
    for (const res of clients) res.write(bytes);
  });
  return http.createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(
      `id: s${Date.now()}\ndata: ${JSON.stringify({ snapshot: true, publishedAt: Date.now(), ticks: feed.snapshot() })}\n\n`,
    );
    clients.add(res);
    req.on('close', () => clients.delete(res));
  });
}

const DESCRIPTIONS: Record<Transport, string> = {
  fast: `the market.live fast path of apps/web/server.ts (tRPC's SSE wire format, each batch encoded once) on node:http, other requests to tRPC`,
  trpc: `market.live (the @lab/api router on tRPC's standalone HTTP server)`,
  raw: `a raw node:http SSE endpoint (BASELINE: serialised once per batch)`,
};

/** One run of (b) for one transport; everything it starts is stopped before it returns. */
async function partB(
  pgUrl: string,
  transport: Transport,
  globalCleanups: Array<() => Promise<void>>,
) {
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  globalCleanups.push(stopAll); // on an error or Ctrl-C in the middle of the run
  try {
    return await runPartB(pgUrl, transport, cleanups);
  } finally {
    await stopAll();
  }
}

async function runPartB(
  pgUrl: string,
  transport: Transport,
  cleanups: Array<() => Promise<void>>,
): Promise<PartBResult> {
  console.log(
    `\n(b) Fan-out latency: ${CLIENTS} SSE clients of ${DESCRIPTIONS[transport]}, 127.0.0.1,`,
  );
  console.log(
    `    MarketFeed <- PgNotifySubscriber <- PgNotifyPublisher <- simulator (6 instruments, 10 steps/s, published every 100 ms, own process), ${SECONDS} s\n`,
  );
  const subscriber = new PgNotifySubscriber(pgUrl);
  const feed = new MarketFeed(subscriber);
  await feed.start();
  cleanups.push(() => feed.close());
  const db = createDb(pgUrl, { max: 1 }); // the live procedure never queries; the context needs one
  cleanups.push(() => db.$disconnect());
  const ctx: Context = { db, user: null, ip: '127.0.0.1', feed, prices: feedPrices(feed) };
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    createContext: () => ctx,
    basePath: '/api/trpc/',
  });
  let server: http.Server;
  if (transport === 'raw') server = rawSseServer(feed);
  else if (transport === 'trpc')
    server = http.createServer((req, res) => void trpcHandler(req, res));
  else {
    const fast = createLiveFastPath({ feed: () => Promise.resolve(feed) });
    cleanups.push(() => Promise.resolve(fast.close()));
    server = http.createServer((req, res) => {
      void fast.handle(req, res).then((answered) => answered || trpcHandler(req, res));
    });
  }
  server.maxConnections = CLIENTS + 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;

  const child: ChildProcess = fork(
    path.join(here, 'sse-clients.ts'),
    [`http://127.0.0.1:${port}/api/trpc/market.live`, String(CLIENTS)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    return Promise.resolve();
  });
  const messages: Array<Record<string, number | string>> = [];
  child.on('message', (m: Record<string, number | string>) => messages.push(m));
  await until(
    () => messages.some((m) => m.type === 'ready'),
    60_000,
    `${CLIENTS} clients to connect`,
  );
  const ready = messages.find((m) => m.type === 'ready')!;
  console.log(
    `    ${CLIENTS} clients connected and had their snapshot in ${fmt(Number(ready.connectMs))} ms`,
  );

  // The producer runs in its own process, as the worker does; it starts once every client is
  // connected (connecting 1,000 clients while the server is fanning out is a different benchmark).
  const producer: ChildProcess = fork(path.join(here, 'producer.ts'), [pgUrl], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push(() => {
    if (producer.exitCode === null) producer.kill('SIGKILL');
    return Promise.resolve();
  });
  const fromProducer: Array<Record<string, number | string>> = [];
  producer.on('message', (m: Record<string, number | string>) => fromProducer.push(m));
  await until(() => feed.lastSeq > 0, 15_000, 'the first batch from the producer');

  let batchesInWindow = 0;
  let windowFrom = Infinity;
  let windowTo = Infinity;
  const feedLag: number[] = []; // publish -> this process's MarketFeed (the PostgreSQL hop)
  feed.subscribe((u) => {
    if (u.publishedAt >= windowFrom && u.publishedAt <= windowTo) {
      batchesInWindow++;
      feedLag.push(Date.now() - u.publishedAt);
    }
  });

  await sleep(2000); // warm-up, not measured
  windowFrom = Date.now();
  windowTo = windowFrom + SECONDS * 1000;
  child.send({ type: 'window', from: windowFrom, to: windowTo });
  producer.send({ type: 'window', from: windowFrom, to: windowTo });
  const cpu0 = process.cpuUsage();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  producer.send({ type: 'stop' });
  await until(() => fromProducer.some((m) => m.type === 'stopped'), 10_000, 'the producer to stop');
  const { batches: published, ticks: publishedTicks } = fromProducer.find(
    (m) => m.type === 'stopped',
  ) as Record<string, number>;
  await sleep(1000); // let the last batches arrive
  child.send({ type: 'report' });
  await until(() => messages.some((m) => m.type === 'report'), 20_000, 'the clients report');
  const r = messages.find((m) => m.type === 'report') as Record<string, number>;

  const rows = [
    ['measure', 'value'],
    ['transport', TRANSPORT_NAMES[transport]],
    ['clients', fmt(CLIENTS)],
    ['window', `${SECONDS} s`],
    ['batches published (NOTIFY)', fmt(published!)],
    ['ticks published', `${fmt(publishedTicks!)} (${fmt(publishedTicks! / SECONDS)}/s)`],
    ['batches fanned out by the feed', fmt(batchesInWindow)],
    [
      'SSE events per client (min / max)',
      `${fmt(r.minClientEvents!)} / ${fmt(r.maxClientEvents!)}`,
    ],
    ['SSE events delivered', `${fmt(r.events!)} (${fmt(r.events! / SECONDS)}/s)`],
    ['ticks delivered', `${fmt(r.ticks!)} (${fmt(r.ticks! / SECONDS)}/s)`],
    [
      'publish -> feed (NOTIFY hop) p50 / p99',
      `${fmt(pct(feedLag, 0.5))} / ${fmt(pct(feedLag, 0.99))} ms`,
    ],
    ['latency p50', `${fmt(r.p50!)} ms`],
    ['latency p95', `${fmt(r.p95!)} ms`],
    ['latency p99', `${fmt(r.p99!)} ms`],
    ['latency max', `${fmt(r.max!)} ms`],
    [
      'CPU: server / clients process (of one core)',
      `${fmt((cpu.user + cpu.system) / 1e4 / SECONDS)} % / ${fmt(r.cpuPct!)} %`,
    ],
    ['machine load average (1 min, at end)', os.loadavg()[0]!.toFixed(2)],
    ['client errors / early closes', `${r.errors} / ${r.closedEarly}`],
    ['target p99 < 100 ms', r.p99! < 100 ? 'MET' : 'NOT MET'],
  ];
  table(rows);
  return {
    p50: r.p50!,
    p95: r.p95!,
    p99: r.p99!,
    max: r.max!,
    hopP50: pct(feedLag, 0.5),
    hopP99: pct(feedLag, 0.99),
    serverCpuPct: (cpu.user + cpu.system) / 1e4 / SECONDS,
    eventsPerSecond: r.events! / SECONDS,
  };
}

interface PartBResult {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  hopP50: number;
  hopP99: number;
  serverCpuPct: number;
  eventsPerSecond: number;
}

/** The transports side by side: median of the runs for each figure, and every run's p99. */
function summary(results: Map<Transport, PartBResult[]>) {
  console.log(
    `\n(b) Summary: ${CLIENTS} clients, ${SECONDS} s windows, median of ${RUNS} run(s) per transport\n`,
  );
  const rows = [
    [
      'transport',
      'events/s delivered',
      'NOTIFY hop p50 / p99',
      'p50',
      'p95',
      'p99',
      'max',
      'server CPU',
      'p99 of each run',
      'p99 < 100 ms',
    ],
  ];
  for (const [t, runs] of results) {
    const m = (k: keyof PartBResult) => median(runs.map((x) => x[k]));
    rows.push([
      TRANSPORT_NAMES[t],
      fmt(m('eventsPerSecond')),
      `${fmt(m('hopP50'))} / ${fmt(m('hopP99'))} ms`,
      `${fmt(m('p50'))} ms`,
      `${fmt(m('p95'))} ms`,
      `${fmt(m('p99'))} ms`,
      `${fmt(m('max'))} ms`,
      `${fmt(m('serverCpuPct'))} %`,
      runs.map((x) => fmt(x.p99)).join(' / ') + ' ms',
      m('p99') < 100 ? 'met' : 'not met',
    ]);
  }
  table(rows);
}

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const cleanups: Array<() => Promise<void>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-bench-pg-'));
  let pgServer: RunningPostgres | undefined;
  const runsOfB = PART?.includes('b') ? TRANSPORTS.length * RUNS : 0;
  const watchdogMs = 150_000 + runsOfB * (SECONDS * 1000 + 90_000);
  const watchdog = setTimeout(() => {
    console.error(`benchmark watchdog: over ${watchdogMs / 1000} s, aborting`);
    void cleanup().finally(() => process.exit(2));
  }, watchdogMs);
  let cleaned = false;
  async function cleanup() {
    if (cleaned) return;
    cleaned = true;
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await pgServer?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    console.log(
      `market-data benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const t = performance.now();
    pgServer = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port: 40000 + Math.floor(Math.random() * 20000),
    });
    console.log(`embedded PostgreSQL started in ${fmt(performance.now() - t)} ms (${dir})`);
    const url = pgServer.adminUrl();
    if (PART?.includes('a')) await partA(url);
    if (PART?.includes('b')) {
      const results = new Map<Transport, PartBResult[]>();
      for (let run = 0; run < RUNS; run++) {
        for (const t of TRANSPORTS) {
          const r = await partB(url, t, cleanups);
          results.set(t, [...(results.get(t) ?? []), r]);
        }
      }
      summary(results);
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
