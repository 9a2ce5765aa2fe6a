// Benchmark: one mark move makes N positions liquidatable (default 10,000); how long until the
// trading loop has liquidated and committed all of them, from the tick. Beside it, the floor: a
// plain bulk insert of the same rows (account events, order status changes, liquidations, fills,
// ledger lines) into empty copies of their tables, with the same batches and connections, and no
// engine, locks or loads. Prints the figures and the ratio, and where the CPU went in each (all
// PostgreSQL processes, this process and its GC pauses, and the WAL written).
//
//   npm run bench -w @lab/worker                    # 10,000 accounts, median of 3 runs
//   npm run bench -w @lab/worker -- --accounts 2000 --runs 3 --batch 250 --concurrency 2
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { MAIN_VENUE, type MarketTick } from '@lab/contracts';
import { createDb, pgTransactor } from '@lab/db';
import pg from 'pg';
import { CASCADE_DROP, seedCascade, verifyCascade } from '../src/testing/cascade.ts';
import { startScratchDatabase } from '../src/testing/scratch-database.ts';
import { VenueRunner } from '../src/trading/venue-runner.ts';
import { cpuWindow, formatCpu } from './cpu-use.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
    /** Write a V8 CPU profile of the cascade (tick -> committed) to this file. */
    profile: { type: 'string' },
  },
});
const N = Math.min(50_000, Math.max(1, Number(values.accounts)));
const RUNS = Math.min(5, Math.max(1, Number(values.runs)));
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const DEADLINE = setTimeout(() => {
  console.error('benchmark: gave up after 15 minutes');
  process.exit(1);
}, 15 * 60_000);

const MARKS = { BTCUSDT: '50000', ETHUSDT: '3000' };
const fell = (p: string) => (Number(p) * (1 - CASCADE_DROP - 0.01)).toFixed(1);

const markTicks = (time: number, marks: Record<string, string>): MarketTick[] =>
  Object.entries(marks).map(([symbol, m]) => ({
    kind: 'mark',
    symbol,
    time,
    markPrice: m,
    indexPrice: m,
    fundingRate: '0.0001',
    nextFundingTime: Math.ceil(time / 28_800_000) * 28_800_000 + 28_800_000,
  }));

const TABLES = [
  'account_events',
  'order_status_changes',
  'liquidations',
  'fills',
  'ledger_entries',
] as const;

interface Run {
  ms: number;
  liquidations: number;
  floorMs: number;
  rows: number;
}

/**
 * Where each table stood before the tick: its last id, and for account events (keyed by account
 * and seq) each account's last event seq, as a JSON object.
 */
async function maxIds(pool: pg.Pool): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES)
    out[t] = (
      await pool.query<{ m: string }>(
        t === 'account_events'
          ? `SELECT coalesce(json_object_agg(id, last_event_seq), '{}')::text AS m FROM paper_accounts`
          : `SELECT coalesce(max(id), 0)::text AS m FROM ${t}`,
      )
    ).rows[0]!.m;
  return out;
}

/**
 * The floor: the rows the cascade inserted, bulk-inserted again into empty copies of their
 * tables (same columns, defaults and indexes), batch by batch of accounts, `concurrency` at once.
 */
async function floor(pool: pg.Pool, since: Record<string, string>, ids: string[]) {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));
  const batchOf = new Map<string, number>();
  batches.forEach((b, i) => b.forEach((id) => batchOf.set(id, i)));
  const plans: Array<Array<{ sql: string; params: unknown[] }>> = batches.map(() => []);
  let rows = 0;
  for (const t of TABLES) {
    await pool.query(`DROP TABLE IF EXISTS floor_${t}`);
    await pool.query(`CREATE TABLE floor_${t} (LIKE ${t} INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const cols = (
      await pool.query<{ column_name: string; data_type: string; udt_name: string }>(
        `SELECT column_name, data_type, udt_name FROM information_schema.columns
         WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position`,
        [t],
      )
    ).rows;
    const accountCol = t === 'order_status_changes' ? null : 'account_id';
    const data = await pool.query(
      `SELECT ${cols.map((c) => `x.${c.column_name}::text`).join(', ')}${
        accountCol ? '' : ', o.account_id::text AS account_id'
      } FROM ${t} x ${accountCol ? '' : 'JOIN orders o ON o.id = x.order_id'}
       WHERE ${t === 'account_events' ? `x.seq > coalesce(($1::jsonb ->> x.account_id::text)::int, 0)` : 'x.id > $1'}`,
      [since[t]],
    );
    rows += data.rowCount ?? 0;
    const perBatch = batches.map(() => [] as string[][]);
    for (const r of data.rows as Array<Record<string, string>>) {
      const b = batchOf.get(r.account_id!);
      if (b !== undefined) perBatch[b]!.push(cols.map((c) => r[c.column_name]!));
    }
    const types = cols.map((c) =>
      c.data_type === 'USER-DEFINED' ? `"${c.udt_name}"` : c.udt_name.replace(/^_/, ''),
    );
    perBatch.forEach((rs, i) => {
      if (!rs.length) return;
      const params = cols.map((_, k) => rs.map((r) => r[k] ?? null));
      const args = types.map((ty, k) => `$${k + 1}::${ty}[]`).join(', ');
      const names = cols.map((c) => c.column_name).join(', ');
      plans[i]!.push({
        sql: `INSERT INTO floor_${t} (${names}) SELECT * FROM unnest(${args})`,
        params,
      });
    });
  }
  const cpu = cpuWindow();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const c = await pool.connect();
      try {
        while (next < plans.length) {
          const plan = plans[next++]!;
          await c.query('BEGIN');
          for (const q of plan) await c.query(q.sql, q.params);
          await c.query('COMMIT');
        }
      } finally {
        c.release();
      }
    }),
  );
  return { ms: performance.now() - t0, rows, cpu: cpu() };
}

async function walPosition(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
}

async function walSince(pool: pg.Pool, from: string): Promise<number> {
  const r = await pool.query<{ d: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::text AS d',
    [from],
  );
  return Number(r.rows[0]!.d);
}

async function main() {
  console.log(
    `liquidation cascade: ${N} accounts, ${RUNS} run(s), batches of ${BATCH}, ${CONCURRENCY} at once (node ${process.version})`,
  );
  const scratch = await startScratchDatabase('lab_bench');
  const db = createDb(scratch.url, { max: CONCURRENCY + 2 });
  const pool = new pg.Pool({ connectionString: scratch.url, max: CONCURRENCY + 1 });
  const tradingPool = new pg.Pool({ connectionString: scratch.url, max: CONCURRENCY });
  const runs: Run[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const t0 = performance.now();
      const ids = await seedCascade(db, {
        count: N,
        venue: MAIN_VENUE,
        marks: MARKS,
        label: `bench${run}`,
      });
      console.log(
        `run ${run}: seeded ${ids.length} accounts in ${Math.round(performance.now() - t0)} ms`,
      );
      const runner = new VenueRunner({
        db,
        transactor: pgTransactor(tradingPool),
        venue: MAIN_VENUE,
        log: (m) => console.log(`  ${m}`),
        batchSize: BATCH,
        concurrency: CONCURRENCY,
        resyncEveryMs: 0,
      });
      await runner.start();
      runner.onTicks(markTicks(Date.now(), MARKS));
      await runner.whenIdle();
      const since = await maxIds(pool);
      const before = runner.stats.liquidations;
      const session = values.profile ? new Session() : undefined;
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const wal = await walPosition(pool);
      const cpu = cpuWindow();
      const tick = performance.now();
      runner.onTicks(
        markTicks(Date.now(), { BTCUSDT: fell(MARKS.BTCUSDT), ETHUSDT: fell(MARKS.ETHUSDT) }),
      );
      await runner.whenIdle();
      const ms = performance.now() - tick;
      const used = cpu();
      const walMb = (await walSince(pool, wal)) / 1e6;
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        fs.writeFileSync(values.profile!, JSON.stringify(profile));
        session.disconnect();
      }
      const liquidations = runner.stats.liquidations - before;
      await runner.stop();
      const report = await verifyCascade(db, ids, { consistency: 500 });
      if (report.problems.length) {
        console.error(report.problems.slice(0, 10).join('\n'));
        throw new Error(`run ${run}: the cascade is not exactly-once or not consistent`);
      }
      const f = await floor(pool, since, ids);
      runs.push({ ms, liquidations, floorMs: f.ms, rows: f.rows });
      console.log(
        `run ${run}: ${report.liquidatedOnce}/${report.positions} positions liquidated once (${liquidations} liquidation closes) in ${Math.round(ms)} ms from the tick; floor (bulk insert of the same ${f.rows} rows): ${Math.round(f.ms)} ms; ratio ${(ms / f.ms).toFixed(2)}`,
      );
      console.log(
        `  cpu: the cascade ${formatCpu(used)}, WAL ${walMb.toFixed(1)} MB; the floor ${formatCpu(f.cpu)}`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = median(runs.map((r) => r.ms));
    const fl = median(runs.map((r) => r.floorMs));
    console.log(
      `\nmedian: tick -> all ${N} accounts liquidated and committed: ${Math.round(ms)} ms (target <= 2000, aim 1000); floor: ${Math.round(fl)} ms; ratio ${(ms / fl).toFixed(2)}`,
    );
  } finally {
    await pool.end();
    await tradingPool.end();
    await db.$disconnect();
    await scratch.stop();
    clearTimeout(DEADLINE);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
