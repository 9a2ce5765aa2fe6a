// The worker's crash test: N accounts whose positions one market crash makes liquidatable, the
// real worker process (simulator, market commands, trading loop) SIGKILLed in the middle of the
// cascade and started again; then every position must have been liquidated exactly once, no fill
// or funding applied twice, and every account and the ledger consistent. Run by
// scripts/crash/worker-crash.ts (10,000 accounts) and, small, by the worker's tests.
import { CHANNELS, MAIN_VENUE } from '@lab/contracts';
import { createDb, type Db } from '@lab/db';
import pg from 'pg';
import { seedCascade, verifyCascade, type CascadeReport } from './cascade.ts';
import { spawnWorker, type WorkerProcess } from './worker-process.ts';

export interface CrashRunOptions {
  databaseUrl: string;
  count: number;
  /** The worker's batch size and concurrency (small batches make a small cascade last). */
  batchSize?: number;
  concurrency?: number;
  /** SIGKILL once this many liquidations are committed (default: a tenth of the accounts). */
  killAfter?: number;
  log?: (msg: string) => void;
  /** Give up after this long (ms). */
  timeoutMs?: number;
}

export interface CrashRunReport extends CascadeReport {
  /** Liquidations committed when the worker was killed, and in the end. */
  liquidationsAtKill: number;
  liquidationsAtEnd: number;
  /** Times (ms): seeding, the cascade before the kill, and the restart until the last liquidation. */
  seedMs: number;
  beforeKillMs: number;
  afterRestartMs: number;
}

function startWorker(
  databaseUrl: string,
  opts: CrashRunOptions,
  name: string,
  log: (m: string) => void,
): WorkerProcess {
  return spawnWorker(
    databaseUrl,
    {
      LAB_WORKER_LOCK_POLL_MS: '200',
      LAB_TRADING_BATCH_SIZE: String(opts.batchSize ?? 250),
      LAB_TRADING_CONCURRENCY: String(opts.concurrency ?? 2),
    },
    name,
    log,
  );
}

async function until<T>(
  what: string,
  deadline: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  everyMs = 50,
): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`crash test: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const count = async (db: Db, sql: string) =>
  (await db.$queryRawUnsafe<Array<{ n: number }>>(sql))[0]!.n;

async function crash(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query('SELECT pg_notify($1, $2)', [
    CHANNELS.marketCommands,
    JSON.stringify({
      type: 'scenario',
      venue: MAIN_VENUE,
      event: { type: 'crash', percent: 25, durationMs: 1500 },
    }),
  ]);
  await c.end();
}

export async function runCrashTest(opts: CrashRunOptions): Promise<CrashRunReport> {
  const log = opts.log ?? (() => {});
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  const db = createDb(opts.databaseUrl, { max: 2 });
  const workers: WorkerProcess[] = [];
  const stopAll = async () => {
    for (const w of workers)
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  };
  try {
    // 1. a first worker starts the market; its marks are where the positions open
    const w1 = startWorker(opts.databaseUrl, opts, 'worker-1', log);
    workers.push(w1);
    const marks = await until('the first marks', deadline, async () => {
      const rows = await db.$queryRaw<Array<{ symbol: string; mark: string }>>`
        SELECT symbol, mark_price::text AS mark FROM market_tickers
        WHERE venue_id = ${MAIN_VENUE} AND symbol IN ('BTCUSDT', 'ETHUSDT')`;
      const m = Object.fromEntries(rows.map((r) => [r.symbol, r.mark]));
      return m.BTCUSDT && m.ETHUSDT ? { BTCUSDT: m.BTCUSDT, ETHUSDT: m.ETHUSDT } : undefined;
    });
    w1.proc.kill('SIGTERM');
    await w1.exited;

    // 2. the accounts, through the engine and the batch path
    const t0 = Date.now();
    const ids = await seedCascade(db, {
      count: opts.count,
      venue: MAIN_VENUE,
      marks,
      label: 'crash',
    });
    const seedMs = Date.now() - t0;
    log(
      `seeded ${ids.length} accounts at BTC ${marks.BTCUSDT}, ETH ${marks.ETHUSDT} in ${seedMs} ms`,
    );

    // 3. a worker rebuilds them from the database; the market crashes; SIGKILL mid-cascade
    const w2 = startWorker(opts.databaseUrl, opts, 'worker-2', log);
    workers.push(w2);
    await w2.line('market data running', deadline - Date.now());
    const killAfter = opts.killAfter ?? Math.max(1, Math.floor(opts.count / 10));
    const t1 = Date.now();
    await crash(opts.databaseUrl);
    const liquidationsAtKill = await until(
      `${killAfter} liquidations`,
      deadline,
      async () => {
        const n = await count(db, 'SELECT count(*)::int AS n FROM liquidations');
        if (n < killAfter) return undefined;
        w2.proc.kill('SIGKILL');
        return n;
      },
      10,
    );
    const beforeKillMs = Date.now() - t1;
    await w2.exited;
    const committedAtKill = await count(db, 'SELECT count(*)::int AS n FROM liquidations');
    log(`SIGKILL after ${liquidationsAtKill} liquidations (${committedAtKill} committed by then)`);

    // 4. a restart finishes the cascade (the market resumes from its last saved state, so the
    // crash may have to come again)
    const w3 = startWorker(opts.databaseUrl, opts, 'worker-3', log);
    workers.push(w3);
    await w3.line('market data running', deadline - Date.now());
    const t2 = Date.now();
    const openPositions = () => count(db, 'SELECT count(*)::int AS n FROM positions');
    let crashes = 0;
    await until(
      'every position liquidated',
      deadline,
      async () => {
        if ((await openPositions()) === 0) return true;
        if (Date.now() - t2 > 4000 * (crashes + 1) && crashes < 5) {
          crashes++;
          await crash(opts.databaseUrl);
        }
        return undefined;
      },
      100,
    );
    const afterRestartMs = Date.now() - t2;
    w3.proc.kill('SIGTERM');
    await w3.exited;
    const report = await verifyCascade(db, ids);
    return {
      ...report,
      liquidationsAtKill: committedAtKill,
      liquidationsAtEnd: await count(db, 'SELECT count(*)::int AS n FROM liquidations'),
      seedMs,
      beforeKillMs,
      afterRestartMs,
    };
  } finally {
    await stopAll();
    await db.$disconnect();
  }
}
