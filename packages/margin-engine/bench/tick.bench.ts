// npm run bench: one mark tick of one symbol over 10k / 100k / 1M open positions.
// Indexed (float pre-filter + exact Decimal confirmation) vs naive (Decimal risk figures of every account).
import {
  Decimal,
  LiquidationIndex,
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  isolatedLiquidatable,
  openAccount,
  placeOrder,
  withPrice,
  type Account,
  type Market,
} from '../src/index.ts';
import { baseMarket, buildAccounts } from './build-accounts.ts';

const SYMBOL = 'BTCUSDT';
/** BTC marks of the timed ticks (moves of 0.3-0.6%): units found liquidatable are retired as the engine would liquidate them. */
const TICKS = ['49850', '49700', '49900', '49600', '49400', '49550', '49300', '49150', '49400'];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (x: number, dp = 2): string => x.toFixed(dp);

/** Naive: recompute every account's Decimal risk figures and list the units that must be liquidated. */
function naiveLiquidations(
  accounts: readonly Account[],
  market: Market,
  done: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  for (const a of accounts) {
    const risks = allPositionRisks(a, market);
    for (const r of risks) {
      const key = `${a.id}/${r.symbol}`;
      if (r.marginMode === 'isolated' && !done.has(key) && isolatedLiquidatable(r)) out.push(key);
    }
    if (!done.has(`${a.id}/cross`) && crossLiquidatable(crossFigures(a, risks)))
      out.push(`${a.id}/cross`);
  }
  return out.sort();
}

function run(total: number, naiveSample: number | undefined): void {
  const tb = process.hrtime.bigint();
  const accounts = buildAccounts(total);
  let market = baseMarket();
  const buildMs = ms(tb);
  const preLiquidatable =
    naiveSample === undefined ? naiveLiquidations(accounts, market).length : -1;
  const ti = process.hrtime.bigint();
  const index = LiquidationIndex.build(accounts, market);
  const indexMs = ms(ti);
  const fast: number[] = [];
  const naive: number[] = [];
  let mismatches = 0;
  let totalLiq = 0;
  let totalCand = 0;
  let scanned = 0;
  let naiveChecked = 0;
  const done = new Set<string>();
  for (const price of TICKS) {
    const mark = new Decimal(price);
    const t0 = process.hrtime.bigint();
    const res = index.tick(SYMBOL, mark);
    fast.push(ms(t0));
    scanned = res.scanned;
    totalCand += res.candidates;
    totalLiq += res.liquidations.length;
    market = withPrice(market, SYMBOL, { markPrice: mark });
    const sample = naiveSample === undefined ? accounts : accounts.slice(0, naiveSample);
    const t1 = process.hrtime.bigint();
    const expected = naiveLiquidations(sample, market, done);
    const naiveMs = ms(t1);
    naive.push(naiveSample === undefined ? naiveMs : (naiveMs * accounts.length) / sample.length);
    naiveChecked += sample.length;
    const inSample = new Set(sample.map((a) => a.id));
    const got = res.liquidations
      .filter((h) => inSample.has(h.accountId))
      .map((h) => `${h.accountId}/${h.isolatedSymbol ?? 'cross'}`)
      .sort();
    const exp = new Set(expected);
    const gotSet = new Set(got);
    const missed = expected.filter((x) => !gotSet.has(x)).length;
    const falsePos = got.filter((x) => !exp.has(x)).length;
    mismatches += missed + falsePos;
    for (const h of res.liquidations) {
      index.retire(h.unit);
      done.add(`${h.accountId}/${h.isolatedSymbol ?? 'cross'}`);
    }
  }
  const f = median(fast);
  const n = median(naive);
  const positions = accounts.reduce((s, a) => s + Object.keys(a.positions).length, 0);
  console.log(
    [
      `positions ${positions.toLocaleString('en')} in ${accounts.length.toLocaleString('en')} accounts (${index.unitCount.toLocaleString('en')} margin units), built in ${fmt(buildMs, 0)} ms, index in ${fmt(indexMs, 0)} ms` +
        (preLiquidatable >= 0 ? `, liquidatable before ticks: ${preLiquidatable}` : ''),
      `  indexed tick (${SYMBOL}, ${scanned.toLocaleString('en')} positions re-marked): median ${fmt(f, 3)} ms over ${TICKS.length} ticks; exact checks ${totalCand}, liquidations found ${totalLiq} (retired after each tick)`,
      naiveSample === undefined
        ? `  naive tick (Decimal figures of all accounts): median ${fmt(n, 1)} ms (measured on every account)`
        : `  naive tick: median ${fmt(n, 1)} ms EXTRAPOLATED from ${naiveSample.toLocaleString('en')}-account sample per tick (${naiveChecked.toLocaleString('en')} account checks)`,
      `  speed-up ${fmt(n / f, 0)}x; missed + false liquidations vs naive: ${mismatches}${naiveSample === undefined ? '' : ' (checked on the sample)'}`,
    ].join('\n'),
  );
}

function throughput(): void {
  const market = baseMarket();
  let account = openAccount('warm', new Decimal('1000000'), 0).account;
  for (let i = 0; i < 200; i++)
    account = placeOrder(
      account,
      market,
      { symbol: SYMBOL, side: i % 2 ? 'sell' : 'buy', type: 'market', quantity: '0.01' },
      { now: i },
    ).account;
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (ms(t0) < 2000) {
    for (let i = 0; i < 100; i++, n++) {
      const r = placeOrder(
        account,
        market,
        { symbol: SYMBOL, side: n % 2 ? 'sell' : 'buy', type: 'market', quantity: '0.01' },
        { now: n },
      );
      if (r.rejected) throw r.rejected;
      account = r.account;
    }
  }
  console.log(
    `placeOrder throughput: ${fmt((n / ms(t0)) * 1000, 0)} market orders/s on a warm account (alternating buy/sell 0.01 BTC, no book)`,
  );
}

const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const fullNaiveUpTo = Number(process.env.BENCH_FULL_NAIVE_UP_TO ?? 1_000_000);
console.log(`node ${process.version}, ${SYMBOL} ticks ${TICKS.join(' -> ')} from 50000`);
for (const size of sizes) run(size, size > fullNaiveUpTo ? 50_000 : undefined);
throughput();
