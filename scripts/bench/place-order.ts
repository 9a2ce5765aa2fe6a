// HTTP benchmark of trade.placeOrder on the production server, with real session cookies, beside
// its ceiling: an authenticated no-op procedure (user.ping) through the same stack (HTTP server,
// Next route handler, session check, tRPC), run the same way in the same process. Closed loop:
// each connection is one trader, who sends the next order when the previous one is answered.
// Loopback only; every loop is bounded in time and in count.
//
//   node --import tsx scripts/bench/place-order.ts [--duration 60] [--connections 8]
//        [--ceiling-duration 20] [--warmup 5] [--symbol ETHUSDT]
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
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const ceilingSeconds = Number(values['ceiling-duration']);
const warmupSeconds = Number(values.warmup);
const symbol = values.symbol;
const burstSize = Number(values.burst);
/** Hard cap on requests of one phase, whatever the speed. */
const MAX_REQUESTS = 2_000_000;

const log = (m: string) => console.log(`[bench] ${m}`);

function outcome(res: Response): string | null {
  if (res.status === 200) return null;
  const data = (res.json as { error?: { data?: { reason?: string; code?: string } } })?.error?.data;
  return `${res.status} ${data?.reason ?? data?.code ?? ''}`.trim();
}

/** Runs `send` on every connection until `seconds` pass (or the request cap), and measures. */
async function phase(
  label: string,
  traders: Trader[],
  seconds: number,
  send: (trader: Trader, i: number) => Promise<Response>,
): Promise<RunStats> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let sent = 0;
  await Promise.all(
    traders.map(async (trader) => {
      for (let i = 0; performance.now() < deadline && sent < MAX_REQUESTS; i++) {
        sent++;
        let res: Response;
        try {
          res = await send(trader, i);
        } catch (e) {
          errors[`transport ${(e as Error).message}`] =
            (errors[`transport ${(e as Error).message}`] ?? 0) + 1;
          continue;
        }
        latencies.push(res.ms);
        const o = outcome(res);
        if (o) errors[o] = (errors[o] ?? 0) + 1;
      }
    }),
  );
  return summarize(label, latencies, (performance.now() - started) / 1000, errors);
}

/** Twice the instrument's minimum notional at `mark`, on the lot. */
function quantityFor(mark: string): string {
  const inst = CATALOGUE[symbol];
  if (!inst) throw new Error(`unknown symbol ${symbol}`);
  const lots = inst.minNotional.times(2).div(new Decimal(mark)).div(inst.lotSize).ceil();
  return lots.times(inst.lotSize).toFixed();
}

/** The engine's available balance of the stored account, unclamped, at the stored marks. */
async function rawAvailable(db: Db, accountId: string): Promise<Decimal> {
  const loaded = (await db.$transaction((tx) => loadAccountState(tx, accountId)))!;
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
  const warm = await phase('warm-up place-order', traders, warmupSeconds, order);
  await phase('warm-up ping', traders, Math.min(warmupSeconds, 3), ping);

  log(`ceiling: user.ping for ${ceilingSeconds} s on ${connections} connections…`);
  const ceiling = await phase('ceiling: user.ping', traders, ceilingSeconds, ping);
  log(`trade.placeOrder for ${seconds} s on ${connections} connections…`);
  const place = await phase('trade.placeOrder', traders, seconds, order);

  console.log('');
  printTable([ceiling, place]);
  console.log('');
  console.log(
    `place-order / ceiling: ${(place.perSecond / ceiling.perSecond).toFixed(3)} of the no-op's requests/s; p99 ${(place.p99 / ceiling.p99).toFixed(2)}x the no-op's`,
  );

  // the database accounts for every accepted order
  const db = createDb(platform.databaseUrl, { max: 2 });
  try {
    const accepted =
      warm.requests -
      Object.values(warm.errors).reduce((s, n) => s + n, 0) +
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
