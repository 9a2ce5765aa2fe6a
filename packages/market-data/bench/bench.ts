// Market-data benchmark: `npm run bench -w @lab/market-data` (option: --sim-seconds 300).
//
// Throughput: simulator -> CandleAggregator -> publisher -> one subscriber, as fast as the
// pipeline goes, over PostgreSQL LISTEN/NOTIFY and over the in-process MemoryTickBus (the
// baseline: same source and candles, no transport). Batches of 100 ms and 1 s of market.
// (The fan-out of live streams to browsers is measured by apps/web's stream benchmark.)
//
// Everything is bounded (counts, a watchdog) and loopback only. A throw-away embedded
// PostgreSQL is started in a temp dir and removed at the end, whatever happens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '@lab/db/server';
import {
  CandleAggregator,
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
const THROUGHPUT_SIM_SECONDS = arg('sim-seconds', 300);
const REPEATS = 3;
const T0 = Date.UTC(2026, 0, 5);

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

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const cleanups: Array<() => Promise<void>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-bench-pg-'));
  let pgServer: RunningPostgres | undefined;
  const watchdogMs = 300_000;
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
    await partA(url);
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
