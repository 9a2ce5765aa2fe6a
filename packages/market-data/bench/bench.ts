// Market-data benchmark: `npm run bench -w @lab/market-data` (options: --clients 1000 --seconds 20).
//
// (a) Throughput: simulator -> CandleAggregator -> publisher -> one subscriber, as fast as the
//     pipeline goes, over PostgreSQL LISTEN/NOTIFY and over the in-process MemoryTickBus (the
//     baseline: same source and candles, no transport). Batches of 100 ms and 1 s of market.
// (b) Fan-out latency: the real tRPC router of @lab/api on a real HTTP server (127.0.0.1), its
//     `market.live` SSE subscription fed by a MarketFeed on a PgNotifySubscriber; N raw HTTP
//     streaming clients in a child process; the simulator publishes 6 instruments at 10 steps/s
//     through PgNotifyPublisher every 100 ms (as the worker does). Latency of each delivered tick =
//     receipt at the client - publishedAt of its batch. Target: p99 < 100 ms.
//
// Everything is bounded (counts, a 150 s watchdog) and loopback only. A throw-away embedded
// PostgreSQL is started in a temp dir and removed at the end, whatever happens.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRouter, type Context } from '@lab/api';
import { createDb } from '@lab/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@lab/db/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
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
/** trpc: the real market.live; raw: the baseline, one serialisation per batch written to every client. */
const TRANSPORT = (() => {
  const i = process.argv.indexOf('--transport');
  const t = i > 0 ? process.argv[i + 1] : 'trpc';
  if (t !== 'trpc' && t !== 'raw') throw new Error('--transport trpc|raw');
  return t;
})();
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

async function partB(pgUrl: string, cleanups: Array<() => Promise<void>>) {
  console.log(
    TRANSPORT === 'trpc'
      ? `\n(b) Fan-out latency: ${CLIENTS} SSE clients of market.live (the @lab/api router on tRPC's standalone HTTP server, 127.0.0.1),`
      : `\n(b) Fan-out latency, BASELINE transport: ${CLIENTS} SSE clients of a raw node:http SSE endpoint (serialised once per batch), 127.0.0.1,`,
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
  const ctx: Context = { db, user: null, ip: '127.0.0.1', feed };
  const server =
    TRANSPORT === 'trpc'
      ? createHTTPServer({ router: appRouter, createContext: () => ctx })
      : rawSseServer(feed);
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
    [`http://127.0.0.1:${port}/market.live`, String(CLIENTS)],
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
    ['transport', TRANSPORT === 'trpc' ? 'tRPC market.live (SSE)' : 'raw SSE baseline'],
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
  return r;
}

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const cleanups: Array<() => Promise<void>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-bench-pg-'));
  let pgServer: RunningPostgres | undefined;
  const watchdog = setTimeout(
    () => {
      console.error('benchmark watchdog: over 150 s + the run, aborting');
      void cleanup().finally(() => process.exit(2));
    },
    150_000 + SECONDS * 1000,
  );
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
    if (PART?.includes('b')) await partB(url, cleanups);
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
