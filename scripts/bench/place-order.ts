// HTTP benchmark of trade.placeOrder on the production server, with real session cookies, beside
// its ceiling: an authenticated no-op procedure (user.ping) through the same stack (HTTP server,
// Next route handler, session check, tRPC), run the same way in the same process. Closed loop:
// each connection is one trader, who sends the next order when the previous one is answered.
// Loopback only; every loop is bounded in time and in count.
//
//   node --import tsx scripts/bench/place-order.ts [--duration 60] [--connections 8]
//        [--ceiling-duration 20] [--warmup 5] [--rounds 6] [--burst 200] [--symbol ETHUSDT]
//
// The no-op and the orders alternate in --rounds rounds (the machine is shared: its load drifts
// over both alike); the figures are over all rounds, with the median of the rounds' ratios.
//
// Prints requests/s, p50/p95/p99/max, errors, and the ratio place-order / ceiling; then checks the
// database: one stored order per accepted request, and a ledger that sums to zero.
import { parseArgs } from 'node:util';
import { createDb, type Db } from '@lab/db';
import {
  allPositionRisks,
  availableBalanceRaw,
  CATALOGUE,
  crossFigures,
  Decimal,
  openOrderMargin,
} from '@lab/margin-engine';
import { loadAccountState, marketOf, storedPrices } from '@lab/services';
import { newTrader, startPlatform, waitForLiveMarket, type Trader } from './lib/platform.ts';
import { addCpu, cpuBetween, describeCpu, NO_CPU, sampleCpu, type CpuSample } from './lib/cpu.ts';
import type { HttpClient, Response } from './lib/http.ts';
import { printTable, summarize, type RunStats } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '8' },
    'ceiling-duration': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    symbol: { type: 'string', default: 'ETHUSDT' },
    burst: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '6' },
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const ceilingSeconds = Number(values['ceiling-duration']);
const warmupSeconds = Number(values.warmup);
const symbol = values.symbol;
const burstSize = Number(values.burst);
const rounds = Math.max(1, Number(values.rounds));
/** Hard cap on requests of one phase, whatever the speed. */
const MAX_REQUESTS = 2_000_000;

const log = (m: string) => console.log(`[bench] ${m}`);

function outcome(res: Response): string | null {
  if (res.status === 200) return null;
  const data = (res.json as { error?: { data?: { reason?: string; code?: string } } })?.error?.data;
  return `${res.status} ${data?.reason ?? data?.code ?? ''}`.trim();
}

/** Runs `send` on every connection until `seconds` pass (or the request cap), and measures. */
interface Tally {
  latencies: number[];
  errors: Record<string, number>;
  seconds: number;
  /** CPU of each process over the phases of this tally. */
  cpu: CpuSample;
}
const tally = (): Tally => ({ latencies: [], errors: {}, seconds: 0, cpu: NO_CPU });

/** Runs `send` on every connection until `seconds` pass (or the request cap), into `into`. */
async function phase(
  into: Tally,
  traders: Trader[],
  seconds: number,
  send: (trader: Trader, i: number) => Promise<Response>,
): Promise<number> {
  const sources = platform.cpuSources();
  const cpu0 = sources && sampleCpu(sources);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const before = into.latencies.length;
  let sent = 0;
  await Promise.all(
    traders.map(async (trader) => {
      for (let i = 0; performance.now() < deadline && sent < MAX_REQUESTS; i++) {
        sent++;
        let res: Response;
        try {
          res = await send(trader, i);
        } catch (e) {
          const k = `transport ${(e as Error).message}`;
          into.errors[k] = (into.errors[k] ?? 0) + 1;
          continue;
        }
        into.latencies.push(res.ms);
        const o = outcome(res);
        if (o) into.errors[o] = (into.errors[o] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  into.seconds += elapsed;
  if (sources && cpu0) into.cpu = addCpu(into.cpu, cpuBetween(cpu0, sampleCpu(sources)));
  return (into.latencies.length - before) / elapsed;
}

const stats = (label: string, t: Tally): RunStats =>
  summarize(label, t.latencies, t.seconds, t.errors);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Twice the instrument's minimum notional at `mark`, on the lot. */
function quantityFor(mark: string): string {
  const inst = CATALOGUE[symbol];
  if (!inst) throw new Error(`unknown symbol ${symbol}`);
  const lots = inst.minNotional.times(2).div(new Decimal(mark)).div(inst.lotSize).ceil();
  return lots.times(inst.lotSize).toFixed();
}

/** The engine's available balance of the stored account, unclamped, at the stored marks. */
async function rawAvailable(db: Db, accountId: string): Promise<Decimal> {
  // the burst runs 200 of these at once on the bench's small pool: they wait their turn
  const loaded = (await db.$transaction((tx) => loadAccountState(tx, accountId), {
    maxWait: 120_000,
    timeout: 60_000,
  }))!;
  const market = marketOf(await storedPrices(db).quotes(loaded.venueId));
  const a = loaded.engine;
  return availableBalanceRaw(
    crossFigures(a, allPositionRisks(a, market)),
    openOrderMargin(a, market),
  );
}

/**
 * `n` simultaneous orders on one account over HTTP: resting buys at half the mark (their margin
 * does not move with the price), each about 1/40 of what the account can pay for. After every
 * answer the stored account's available balance is checked; at the end every accepted order
 * must be stored once.
 */
async function burst(http: HttpClient, db: Db, mark: string, n: number) {
  const t = await newTrader(http, 'burst');
  const inst = CATALOGUE[symbol]!;
  const price = new Decimal(mark).div(2).toNearest(inst.tickSize, Decimal.ROUND_DOWN);
  // 10,000 x 20 leverage / 40 orders = 5,000 of notional each
  const quantity = new Decimal(5000).div(price).toNearest(inst.lotSize, Decimal.ROUND_UP).toFixed();
  const checks: Array<Promise<Decimal>> = [];
  const answers = await Promise.all(
    Array.from({ length: n }, () =>
      http
        .mutation(
          'trade.placeOrder',
          {
            accountId: t.accountId,
            symbol,
            side: 'buy',
            type: 'limit',
            quantity,
            price: price.toFixed(),
          },
          t,
        )
        .then((res) => {
          checks.push(rawAvailable(db, t.accountId));
          return outcome(res) ?? 'accepted';
        }),
    ),
  );
  const seen = await Promise.all(checks);
  const lowest = seen.reduce((m, x) => (x.lt(m) ? x : m), seen[0]!);
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  const stored = await db.order.count({ where: { accountId: t.accountId } });
  const end = await rawAvailable(db, t.accountId);
  const ok =
    answers.every((a) => !a.startsWith('5')) &&
    lowest.gte(0) &&
    end.gte(0) &&
    stored === (counts.accepted ?? 0);
  console.log(
    `burst: ${n} simultaneous orders on one account over HTTP: ${JSON.stringify(counts)}; ` +
      `${stored} stored; lowest available balance seen after an answer ${lowest.toFixed()}, at the end ${end.toFixed()}: ${ok ? 'ok' : 'FAILED'}`,
  );
  return ok;
}

const platform = await startPlatform({ name: 'bench', log });
const { http } = platform;
let failed = false;
try {
  log(`signing up ${connections} traders over HTTP…`);
  const traders: Trader[] = [];
  for (let i = 0; i < connections; i++) traders.push(await newTrader(http, 'bench'));
  const mark = await waitForLiveMarket(http, traders[0]!, symbol);
  const quantity = quantityFor(mark);
  log(`${symbol} is live; market orders of ${quantity}, alternately buy and sell`);

  const order = (t: Trader, i: number) =>
    http.mutation(
      'trade.placeOrder',
      {
        accountId: t.accountId,
        symbol,
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        quantity,
      },
      t,
    );
  const ping = (t: Trader) => http.query('user.ping', undefined, t);

  log(`warm-up ${warmupSeconds} s…`);
  const warm = tally();
  await phase(warm, traders, warmupSeconds, order);
  await phase(tally(), traders, Math.min(warmupSeconds, 3), ping);

  // the ceiling and the orders alternate in rounds, so that the machine's load drifts over both
  log(
    `${rounds} rounds of user.ping (${(ceilingSeconds / rounds).toFixed(1)} s) then trade.placeOrder (${(seconds / rounds).toFixed(1)} s) on ${connections} connections…`,
  );
  const ceilingTally = tally();
  const placeTally = tally();
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c = await phase(ceilingTally, traders, ceilingSeconds / rounds, ping);
    const p = await phase(placeTally, traders, seconds / rounds, order);
    ratios.push(p / c);
    log(
      `round ${r + 1}: ping ${c.toFixed(1)}/s, orders ${p.toFixed(1)}/s, ratio ${(p / c).toFixed(3)}`,
    );
  }
  const ceiling = stats('ceiling: user.ping', ceilingTally);
  const place = stats('trade.placeOrder', placeTally);
  const warmStats = stats('warm-up', warm);

  console.log('');
  printTable([ceiling, place]);
  console.log('');
  console.log(
    `place-order / ceiling: ${(place.perSecond / ceiling.perSecond).toFixed(3)} of the no-op's requests/s (median of the rounds ${median(ratios).toFixed(3)}); p99 ${(place.p99 / ceiling.p99).toFixed(2)}x the no-op's`,
  );
  if (platform.cpuSources()) {
    // where each request's time goes: CPU ms per request of each process, and the cores used
    console.log(
      `CPU, user.ping:        ${describeCpu(ceilingTally.cpu, ceiling.requests, ceiling.seconds)}`,
    );
    console.log(
      `CPU, trade.placeOrder: ${describeCpu(placeTally.cpu, place.requests, place.seconds)}`,
    );
  }

  // the database accounts for every accepted order
  const db = createDb(platform.databaseUrl, { max: 2 });
  try {
    const accepted =
      warmStats.requests -
      Object.values(warmStats.errors).reduce((s, n) => s + n, 0) +
      place.requests -
      Object.values(place.errors).reduce((s, n) => s + n, 0);
    const stored = await db.order.count({
      where: { accountId: { in: traders.map((t) => t.accountId) } },
    });
    const ledger = await db.ledgerEntry.aggregate({ _sum: { amount: true } });
    const unbalanced = await db.$queryRaw<unknown[]>`
      SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
    console.log(
      `database: ${stored} orders stored for ${accepted} accepted requests; ledger total ${(ledger._sum.amount ?? 0).toString()}; unbalanced transactions ${unbalanced.length}`,
    );
    const targetMet =
      place.perSecond >= 300 && place.p99 < 50 && Object.keys(place.errors).length === 0;
    console.log(
      `target (>= 300 orders/s, p99 < 50 ms, no errors): ${targetMet ? 'met' : 'NOT met'}`,
    );
    if (
      stored !== accepted ||
      unbalanced.length ||
      !(ledger._sum.amount ?? { isZero: () => true }).isZero()
    )
      failed = true;
    if (burstSize > 0 && !(await burst(http, db, mark, burstSize))) failed = true;
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
