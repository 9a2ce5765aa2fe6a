// Benchmark of the bot API on the production server: signed REST orders (POST /fapi/v1/order,
// HMAC-SHA256 per request, X-MBX-APIKEY) beside tRPC's trade.placeOrder with session cookies, the
// same market orders, the same traders, in the same run (alternating phases, so that a noisy
// machine weighs on both). Closed loop: each connection is one trader who sends the next order
// when the previous one is answered. Loopback only; every phase is bounded in time and in count.
//
//   npm run bench -w @lab/bot-api -- [--duration 20] [--rounds 2] [--connections 8] [--symbol ETHUSDT]
//
// Prints orders/s, p50/p95/p99, errors per phase and the ratio REST / tRPC, then checks the
// database: one stored order per accepted request, and a ledger that sums to zero.
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createDb } from '@lab/db';
import { CATALOGUE, Decimal } from '@lab/margin-engine';
import {
  newTrader,
  startPlatform,
  waitForLiveMarket,
  type Trader,
} from '../../../scripts/bench/lib/platform.ts';
import type { HttpClient, Response } from '../../../scripts/bench/lib/http.ts';
import { printTable, summarize, type RunStats } from '../../../scripts/bench/lib/stats.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '5' },
    symbol: { type: 'string', default: 'ETHUSDT' },
  },
});
const seconds = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);
const symbol = values.symbol;
const MAX_REQUESTS = 1_000_000;
const log = (m: string) => console.log(`[bench] ${m}`);

interface Bot extends Trader {
  apiKey: string;
  secret: string;
}

function quantityFor(mark: string): string {
  const inst = CATALOGUE[symbol]!;
  const lots = inst.minNotional.times(2).div(new Decimal(mark)).div(inst.lotSize).ceil();
  return lots.times(inst.lotSize).toFixed();
}

function outcome(res: Response): string | null {
  if (res.status === 200) return null;
  const j = res.json as { code?: number; error?: { data?: { reason?: string } } } | undefined;
  return `${res.status} ${j?.code ?? j?.error?.data?.reason ?? ''}`.trim();
}

async function phase(
  label: string,
  bots: Bot[],
  secs: number,
  send: (b: Bot, i: number) => Promise<Response>,
): Promise<RunStats> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + secs * 1000;
  let sent = 0;
  await Promise.all(
    bots.map(async (b) => {
      for (let i = 0; performance.now() < deadline && sent < MAX_REQUESTS; i++) {
        sent++;
        try {
          const res = await send(b, i);
          latencies.push(res.ms);
          const o = outcome(res);
          if (o) errors[o] = (errors[o] ?? 0) + 1;
        } catch (e) {
          const k = `transport ${(e as Error).message}`;
          errors[k] = (errors[k] ?? 0) + 1;
        }
      }
    }),
  );
  return summarize(label, latencies, (performance.now() - started) / 1000, errors);
}

const merge = (label: string, runs: RunStats[]): RunStats => {
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const secs = runs.reduce((s, r) => s + r.requests / r.perSecond, 0);
  const errors: Record<string, number> = {};
  for (const r of runs)
    for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
  // percentiles of the merged run: the worst round's (conservative; rounds are equally long)
  return {
    ...runs[0]!,
    label,
    requests,
    perSecond: requests / secs,
    p50: Math.max(...runs.map((r) => r.p50)),
    p95: Math.max(...runs.map((r) => r.p95)),
    p99: Math.max(...runs.map((r) => r.p99)),
    max: Math.max(...runs.map((r) => r.max)),
    errors,
  };
};

async function makeBot(http: HttpClient): Promise<Bot> {
  const t = await newTrader(http, 'botbench');
  const r = await http.mutation(
    'apiKeys.create',
    { accountId: t.accountId, label: 'bench', permission: 'trade' },
    t,
  );
  if (r.status !== 200) throw new Error(`apiKeys.create failed: ${r.status} ${r.text}`);
  const k = (r.json as { result: { data: { key: string; secret: string } } }).result.data;
  return { ...t, apiKey: k.key, secret: k.secret };
}

const platform = await startPlatform({ name: 'botbench', log });
const { http } = platform;
let failed = false;
try {
  log(`signing up ${connections} traders with an API key each…`);
  const bots: Bot[] = [];
  for (let i = 0; i < connections; i++) bots.push(await makeBot(http));
  const mark = await waitForLiveMarket(http, bots[0]!, symbol);
  const quantity = quantityFor(mark);
  log(`${symbol} is live; market orders of ${quantity}, alternately buy and sell`);

  const trpc = (b: Bot, i: number) =>
    http.mutation(
      'trade.placeOrder',
      { accountId: b.accountId, symbol, side: i % 2 ? 'sell' : 'buy', type: 'market', quantity },
      b,
    );
  const rest = (b: Bot, i: number) => {
    const q = `symbol=${symbol}&side=${i % 2 ? 'SELL' : 'BUY'}&type=MARKET&quantity=${quantity}&newOrderRespType=RESULT&timestamp=${Date.now()}`;
    const body = `${q}&signature=${createHmac('sha256', b.secret).update(q).digest('hex')}`;
    return http.request('POST', '/fapi/v1/order', body, {
      ip: b.ip,
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'x-mbx-apikey': b.apiKey },
    });
  };

  log(`warm-up ${warmupSeconds} s each…`);
  const warm = [
    await phase('warm-up tRPC', bots, warmupSeconds, trpc),
    await phase('warm-up REST', bots, warmupSeconds, rest),
  ];
  const trpcRuns: RunStats[] = [];
  const restRuns: RunStats[] = [];
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}: tRPC ${seconds} s, then signed REST ${seconds} s…`);
    trpcRuns.push(await phase(`tRPC trade.placeOrder #${r + 1}`, bots, seconds, trpc));
    restRuns.push(await phase(`REST POST /fapi/v1/order #${r + 1}`, bots, seconds, rest));
  }
  const t = merge('tRPC trade.placeOrder (all rounds)', trpcRuns);
  const s = merge('signed REST /fapi/v1/order (all rounds)', restRuns);
  console.log('');
  printTable([...trpcRuns, ...restRuns, t, s]);
  console.log('');
  console.log(
    `REST / tRPC: ${(s.perSecond / t.perSecond).toFixed(3)} of tRPC's orders/s; p99 ${(s.p99 / t.p99).toFixed(2)}x tRPC's`,
  );

  const db = createDb(platform.databaseUrl, { max: 2 });
  try {
    const ok = (r: RunStats) => r.requests - Object.values(r.errors).reduce((a, n) => a + n, 0);
    const accepted = [...warm, ...trpcRuns, ...restRuns].reduce((a, r) => a + ok(r), 0);
    const stored = await db.order.count({
      where: { accountId: { in: bots.map((b) => b.accountId) } },
    });
    const unbalanced = await db.$queryRaw<unknown[]>`
      SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
    const total = await db.ledgerEntry.aggregate({ _sum: { amount: true } });
    console.log(
      `database: ${stored} orders stored for ${accepted} accepted requests; ledger total ${(total._sum.amount ?? 0).toString()}; unbalanced transactions ${unbalanced.length}`,
    );
    if (stored !== accepted || unbalanced.length) failed = true;
  } finally {
    await db.$disconnect();
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  http.close();
  await platform.stop();
}
process.exit(failed ? 1 : 0);
