// Load benchmark of a classroom competition (issue 17): one competition with 500 students on its
// own market (10 ticks/s, funding every 5 min, snapshots every 10 s), most of them leveraged long,
// and a crash triggered by the host. Measured on the production platform on loopback (its own
// embedded PostgreSQL, the production web server and the real worker, as e2e/serve.ts starts it):
//
// - the worker keeps up: the competition venue's ticks produced vs processed by its trading loop,
//   and the loop's lag (arrival of a batch -> the loop idle with it processed), from the lines the
//   worker's competition manager logs every 10 s, through the crash;
// - the leaderboard (students) and the dashboard (hosts) over HTTP with real session cookies, p99
//   before and during the crash, beside user.ping (an authenticated no-op through the same stack)
//   sent the same way at the same time: the baseline the ratios are taken against.
//
// The students' polling is open loop: each signed-in client sends on a fixed schedule whatever the
// answers (a slow server queues requests, as real pages would). 50 signed-in clients, the
// leaderboard every 500 ms and the announcements every 1000 ms, are the 500 students' pages
// (leaderboard every 5 s, announcements every 10 s); 3 hosts ask for the dashboard every second.
// Loopback only; every loop is bounded in time and in count.
//
//   node --import tsx apps/worker/bench/competition-load.ts [--students 500] [--clients 50]
//        [--warmup 10] [--calm 30] [--crash 60] [--crash-percent 25] [--crash-over 30] [--every 500]
//        [--announcements-every 1000] [--dashboard-every 1000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, type Db } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import { repoRoot } from '@lab/db/server';
import {
  joinCompetition,
  placeOrder,
  setLeverage,
  setMarginMode,
  signUp,
  storedPrices,
  userActor,
} from '@lab/services';
import { provideDatabase } from '../../../scripts/lib/platform-env.ts';
import { startPlatformProcesses } from '../../../scripts/lib/platform-processes.ts';
import { freePort, stopChild, waitForHttp, type Child } from '../../../scripts/lib/processes.ts';
import { ensureWebBuild } from '../../../scripts/lib/web-build.ts';
import { HttpClient, type Response } from '../../../scripts/bench/lib/http.ts';
import { newTrader, type Trader } from '../../../scripts/bench/lib/platform.ts';
import { printTable, summarize, type RunStats } from '../../../scripts/bench/lib/stats.ts';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '500' },
    clients: { type: 'string', default: '50' },
    hosts: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '10' },
    calm: { type: 'string', default: '30' },
    crash: { type: 'string', default: '60' },
    'crash-percent': { type: 'string', default: '25' },
    'crash-over': { type: 'string', default: '30' },
    every: { type: 'string', default: '500' },
    'announcements-every': { type: 'string', default: '1000' },
    'dashboard-every': { type: 'string', default: '1000' },
  },
});
const STUDENTS = Number(values.students);
const CLIENTS = Math.min(Number(values.clients), STUDENTS);
const HOSTS = Number(values.hosts);
const WARMUP_S = Number(values.warmup);
const CALM_S = Number(values.calm);
const CRASH_S = Number(values.crash);
const EVERY_MS = Number(values.every);
const NEWS_EVERY_MS = Number(values['announcements-every']);
const DASH_EVERY_MS = Number(values['dashboard-every']);
/** Hard cap on the requests of one phase, whatever the speed. */
const MAX_REQUESTS = 200_000;

const log = (m: string) => console.log(`[bench] ${m}`);

// --- the platform, with the worker's output kept -------------------------------------------------

interface VenueLine {
  at: number;
  produced: number;
  processed: number;
  p50: number;
  p99: number;
  max: number;
  batches: number;
  liquidations: number;
}

async function startPlatform() {
  const port = await freePort(3340);
  const pgPort = await freePort(45562);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-competition-bench-'));
  const database = await provideDatabase({
    dataPath: path.join(dir, 'pg'),
    port: pgPort,
    database: 'lab_competition_bench',
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: 'competition-bench-only-secret-not-for-production-0123456789',
    NEXTAUTH_URL: `http://localhost:${port}`,
    LAB_NEXT_DIST_DIR: '.next-bench-competition',
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
    PORT: String(port),
    LAB_TRUST_PROXY: '1',
    LAB_MARKET_BACKFILL_HOURS: '1',
    LAB_SIGNUPS_PER_ADDRESS_PER_HOUR: '100000',
  };
  const children: Child[] = [];
  const stop = async () => {
    for (const c of children) await stopChild(c);
    await database.embedded?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (!ensureWebBuild(repoRoot, env, '.next-bench-competition', log))
    throw new Error('the web app did not build');
  children.push(...startPlatformProcesses(repoRoot, env, { dev: false, port }));
  const venueLines: Array<VenueLine & { venue: string }> = [];
  const worker = children.find((c) => c.name === 'worker')!;
  let carry = '';
  worker.proc.stdout?.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString();
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const m =
        /competition venue (\S+): ticks produced (\d+), processed (\d+); trading lag p50 ([\d.]+) ms p99 ([\d.]+) ms max ([\d.]+) ms over (\d+) batches; liquidations (\d+)/.exec(
          line,
        );
      if (m)
        venueLines.push({
          at: Date.now(),
          venue: m[1]!,
          produced: Number(m[2]),
          processed: Number(m[3]),
          p50: Number(m[4]),
          p99: Number(m[5]),
          max: Number(m[6]),
          batches: Number(m[7]),
          liquidations: Number(m[8]),
        });
    }
  });
  const base = `http://127.0.0.1:${port}`;
  const alive = () => children.every((c) => c.proc.exitCode === null);
  if (!(await waitForHttp(`${base}/api/health`, 240_000, alive))) {
    await stop();
    throw new Error('the web server did not answer /api/health');
  }
  log(`platform up on ${base}`);
  return { base, databaseUrl: database.url, stop, venueLines };
}

// --- load ----------------------------------------------------------------------------------------

interface Sender {
  label: string;
  who: Trader[];
  everyMs: number;
  send: (t: Trader) => Promise<Response>;
}

function outcome(res: Response): string | null {
  if (res.status === 200) return null;
  const data = (res.json as { error?: { data?: { code?: string } } })?.error?.data;
  return `${res.status} ${data?.code ?? ''}`.trim();
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Open-loop senders for `seconds`: each caller on its own fixed schedule (staggered starts). */
async function phase(name: string, senders: Sender[], seconds: number): Promise<RunStats[]> {
  const end = Date.now() + seconds * 1000;
  const results = senders.map(() => ({
    latencies: [] as number[],
    errors: {},
  }));
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  const timers: Array<ReturnType<typeof setInterval>> = [];
  senders.forEach((s, si) => {
    s.who.forEach((who, wi) => {
      const start = setTimeout(
        () => {
          const fire = () => {
            if (Date.now() >= end || sent >= MAX_REQUESTS) return;
            sent++;
            const p: Promise<void> = s
              .send(who)
              .then((res) => {
                const e = outcome(res);
                if (e) bump(results[si]!.errors, e);
                else results[si]!.latencies.push(res.ms);
              })
              .catch((err: Error) => {
                bump(results[si]!.errors, err.message);
              })
              .finally(() => inflight.delete(p));
            inflight.add(p);
          };
          fire();
          timers.push(setInterval(fire, s.everyMs));
        },
        (wi * s.everyMs) / s.who.length,
      );
      timers.push(start);
    });
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const t of timers) clearInterval(t);
  await Promise.all([...inflight]);
  return senders.map((s, i) =>
    summarize(`${s.label} (${name})`, results[i]!.latencies, seconds, results[i]!.errors),
  );
}

// --- setup ---------------------------------------------------------------------------------------

async function pool<T>(items: readonly T[], n: number, fn: (x: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** What each student holds when the crash comes: mostly leveraged longs, some careful, some short. */
function planFor(i: number) {
  const r = i % 10;
  if (r < 6)
    return {
      side: 'buy' as const,
      leverage: [10, 20, 25, 50][i % 4]!,
      mode: i % 3 ? ('cross' as const) : ('isolated' as const),
      quantity: '0.05',
    };
  if (r < 9)
    return {
      side: 'buy' as const,
      leverage: [2, 3, 5][i % 3]!,
      mode: 'cross' as const,
      quantity: '0.02',
    };
  return { side: 'sell' as const, leverage: 5, mode: 'cross' as const, quantity: '0.02' };
}

async function main() {
  const platform = await startPlatform();
  // an interrupted run still stops its web server, worker and PostgreSQL
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => void platform.stop().finally(() => process.exit(130)));
  const http = new HttpClient(platform.base, 512);
  const db: Db = createDb(platform.databaseUrl, { max: 8 });
  try {
    // the host and co-hosts, the competition on its own market
    const hosts = [] as Trader[];
    for (let i = 0; i < HOSTS; i++) hosts.push(await newTrader(http, `host${i}`));
    const now = Date.now();
    const created = await http.mutation(
      'competition.create',
      {
        name: 'Load test: a crash with 500 students',
        description: '',
        startsAt: now,
        endsAt: now + 2 * 3_600_000,
        startingBalance: '10000',
        symbols: ['BTCUSDT', 'ETHUSDT'],
        maxLeverage: 50,
        marginModes: 'BOTH',
        makerFeeRate: '0.0002',
        takerFeeRate: '0.0005',
        allowLateJoin: true,
        allowResets: false,
        afterLiquidation: 'RESET_WITH_PENALTY',
        resetPenalty: '0.1',
        leaderboard: 'LIVE',
        ranking: 'RISK_ADJUSTED',
        snapshotSeconds: 10,
        market: { kind: 'own', ticksPerSecond: 10, fundingIntervalMinutes: 5 },
        publish: true,
      },
      hosts[0]!,
    );
    if (created.status !== 200) throw new Error(`create failed: ${created.status} ${created.text}`);
    const competition = (
      created.json as {
        result: { data: { id: string; code: string; market: { venueId: string } } };
      }
    ).result.data;
    for (const h of hosts.slice(1))
      await http.mutation(
        'competition.addCohost',
        { competitionId: competition.id, email: h.email },
        hosts[0]!,
      );
    log(`competition ${competition.code} on venue ${competition.market.venueId}`);

    // students: the polling clients signed in over HTTP, the others straight into the database
    const t0 = performance.now();
    const clients: Trader[] = [];
    await pool(Array.from({ length: CLIENTS }), 4, async () => {
      clients.push(await newTrader(http, 'student'));
    });
    const others: string[] = [];
    for (let i = 0; i < STUDENTS - CLIENTS; i++) {
      const { user } = await signUp(db, {
        email: `quiet-${i}-${Math.random().toString(36).slice(2, 8)}@example.test`,
        displayName: `Student ${i + 1}`,
        password: null,
      });
      others.push(user.id);
    }
    const userIds = [...clients.map((c) => c.userId), ...others];
    const accounts: string[] = [];
    await pool(userIds, 8, async (userId) => {
      const j = await joinCompetition(db, { userId, role: 'TRADER' }, competition.code);
      accounts.push(j.accountId);
    });
    const owner = new Map<string, string>();
    for (const a of await db.paperAccount.findMany({
      where: { id: { in: accounts } },
      select: { id: true, userId: true },
    }))
      owner.set(a.id, a.userId);
    log(`${STUDENTS} students joined in ${Math.round(performance.now() - t0)} ms`);

    // the market is live: everyone trades
    const prices = storedPrices(db);
    for (let i = 0; ; i++) {
      const q = (await prices.quotes(competition.market.venueId)).get('BTCUSDT');
      if (q && Date.now() - q.time < 5000) break;
      if (i > 240) throw new Error('the competition market did not go live');
      await new Promise((r) => setTimeout(r, 500));
    }
    const t1 = performance.now();
    let failed = 0;
    await pool(accounts, 4, async (accountId, i) => {
      const me = userActor(owner.get(accountId)!);
      const plan = planFor(i);
      try {
        if (plan.mode === 'isolated')
          await setMarginMode(db, prices, me, accountId, {
            symbol: 'BTCUSDT',
            marginMode: 'isolated',
          });
        await setLeverage(db, prices, me, accountId, {
          symbol: 'BTCUSDT',
          leverage: plan.leverage,
        });
        await placeOrder(db, prices, me, accountId, {
          symbol: 'BTCUSDT',
          side: plan.side,
          type: 'market',
          quantity: plan.quantity,
        });
        if (i % 5 === 0 && plan.side === 'buy') {
          // a stop-loss 3% below, resting in the worker's order index until the crash triggers it
          const mark = (await prices.quotes(competition.market.venueId)).get('BTCUSDT')!.markPrice;
          await placeOrder(db, prices, me, accountId, {
            symbol: 'BTCUSDT',
            side: 'sell',
            type: 'stopMarket',
            stopPrice: new Decimal(mark)
              .times('0.97')
              .toDecimalPlaces(1, Decimal.ROUND_DOWN)
              .toFixed(),
            closePosition: true,
          });
        }
      } catch (e) {
        failed++;
        if (failed < 5) log(`order failed: ${(e as Error).message}`);
      }
    });
    log(`positions opened in ${Math.round(performance.now() - t1)} ms (${failed} refused)`);
    await new Promise((r) => setTimeout(r, 12_000)); // a snapshot of everyone, a worker report

    const leaderboard: Sender = {
      label: 'leaderboard',
      who: clients,
      everyMs: EVERY_MS,
      send: (t) => http.query('competition.leaderboard', { competitionId: competition.id }, t),
    };
    const dashboard: Sender = {
      label: 'dashboard',
      who: hosts,
      everyMs: DASH_EVERY_MS,
      send: (t) => http.query('competition.dashboard', { competitionId: competition.id }, t),
    };
    const news: Sender = {
      label: 'announcements',
      who: clients,
      everyMs: NEWS_EVERY_MS,
      send: (t) =>
        http.query('competition.announcements', { competitionId: competition.id, limit: 50 }, t),
    };
    const ping: Sender = {
      label: 'user.ping (baseline)',
      who: clients.slice(0, Math.max(1, Math.floor(clients.length / 5))),
      everyMs: 1000,
      send: (t) => http.query('user.ping', undefined, t),
    };
    const senders = [leaderboard, dashboard, news, ping];

    log(`warm-up: ${WARMUP_S} s of polling (not counted)`);
    await phase('warm-up', senders, WARMUP_S);
    log(`calm market: ${CALM_S} s of polling`);
    const linesBefore = platform.venueLines.length;
    const calm = await phase('calm', senders, CALM_S);
    const liqBefore = await db.liquidation.count();
    log(
      `crash: ${values['crash-percent']}% over ${values['crash-over']} s, ${CRASH_S} s of polling`,
    );
    const crashStartedAt = Date.now();
    const [crash] = await Promise.all([
      phase('crash', senders, CRASH_S),
      http
        .mutation(
          'competition.marketEvent',
          {
            competitionId: competition.id,
            event: {
              type: 'crash',
              percent: Number(values['crash-percent']),
              durationMs: Number(values['crash-over']) * 1000,
            },
            note: 'Load test crash',
          },
          hosts[0]!,
        )
        .then((r) => {
          if (r.status !== 200) throw new Error(`market event refused: ${r.status} ${r.text}`);
        }),
    ]);
    await new Promise((r) => setTimeout(r, 11_000)); // the worker's report after the crash window

    // --- figures
    console.log(
      '\nHTTP, open loop (leaderboard: every signed-in student client; dashboard: every host)',
    );
    printTable([...calm, ...crash]);
    const byLabel = (runs: RunStats[], l: string) => runs.find((r) => r.label.startsWith(l))!;
    for (const l of ['leaderboard', 'dashboard']) {
      const c = byLabel(crash, l);
      const p = byLabel(crash, 'user.ping');
      console.log(
        `${l}: crash p99 ${c.p99.toFixed(1)} ms (target < 500 ms: ${c.p99 < 500 ? 'met' : 'NOT met'}); p99 / user.ping p99 during the crash = ${(c.p99 / p.p99).toFixed(2)}; crash / calm p99 = ${(c.p99 / byLabel(calm, l).p99).toFixed(2)}`,
      );
    }
    const lines = platform.venueLines.filter((v) => v.venue === competition.market.venueId);
    console.log(
      '\nworker, competition venue (lines the worker logs every 10 s; lag = batch arrival -> loop idle with it)',
    );
    console.log(
      'window end   produced  processed  behind   lag p50   lag p99   lag max  batches  liquidations',
    );
    for (const v of lines.slice(Math.max(0, linesBefore - 1))) {
      const tag =
        v.at >= crashStartedAt && v.at <= crashStartedAt + CRASH_S * 1000 + 10_000 ? ' crash' : '';
      console.log(
        `${new Date(v.at).toISOString().slice(11, 19)}  ${String(v.produced).padStart(9)}  ${String(v.processed).padStart(9)}  ${String(v.produced - v.processed).padStart(6)}  ${v.p50.toFixed(1).padStart(8)}  ${v.p99.toFixed(1).padStart(8)}  ${v.max.toFixed(1).padStart(8)}  ${String(v.batches).padStart(7)}  ${String(v.liquidations).padStart(12)}${tag}`,
      );
    }
    const last = lines.at(-1);
    const liqAfter = await db.liquidation.count();
    const resets = await db.competitionParticipant.aggregate({
      where: { competitionId: competition.id },
      _sum: { resets: true },
    });
    const snapshots = await db.equitySnapshot.count({ where: { competitionId: competition.id } });
    const unbalanced = await db.$queryRaw<Array<{ tx_id: string }>>`
      SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
    console.log(
      `\nticks produced ${last?.produced ?? '?'}, processed ${last?.processed ?? '?'} (${last && last.produced === last.processed ? 'kept up with every tick' : 'BEHIND'}); liquidations during the crash ${liqAfter - liqBefore}; resets after liquidations ${resets._sum.resets ?? 0}; equity snapshots ${snapshots}; unbalanced ledger transactions ${unbalanced.length}`,
    );
  } finally {
    http.close();
    await db.$disconnect();
    await platform.stop();
  }
}

await main();
