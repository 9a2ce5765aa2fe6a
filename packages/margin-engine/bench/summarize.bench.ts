// npm run bench:summarize: what re-marking accounts costs (the account stream does it for every
// watched account on every mark tick): summarize of N accounts (default 1,000, one position each
// plus every tenth with a second cross position) at a series of new marks. "memo": the same
// account objects tick after tick, so liquidation prices come from the memo unless another cross
// position's mark moved; "fresh": a copy of every account every tick, so every liquidation price
// is computed again, as before the memo (the baseline). Prints the median per tick and the ratio.
import {
  CATALOGUE,
  Decimal,
  openAccount,
  placeOrder,
  setMarginMode,
  summarize,
  type Account,
  type Market,
} from '../src/index.ts';

const N = Number(process.env.BENCH_ACCOUNTS ?? 1000);
const TICKS = 15;
const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] as const;
const base: Record<string, string> = { BTCUSDT: '50000', ETHUSDT: '3000', SOLUSDT: '150' };
const at = (marks: Record<string, string>): Market => ({
  instruments: CATALOGUE,
  marks: Object.fromEntries(Object.entries(marks).map(([s, m]) => [s, new Decimal(m)])),
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function build(): Account[] {
  const m = at(base);
  const out: Account[] = [];
  for (let i = 0; i < N; i++) {
    let a = openAccount(`a${i}`, new Decimal(10_000), 0).account;
    const symbol = symbols[i % 3]!;
    if (i % 2) a = setMarginMode(a, m, symbol, 'isolated', 0).account;
    const qty = { BTCUSDT: '0.05', ETHUSDT: '1', SOLUSDT: '20' }[symbol];
    a = placeOrder(
      a,
      m,
      { symbol, side: i % 4 < 2 ? 'buy' : 'sell', type: 'market', quantity: qty },
      { now: 0 },
    ).account;
    if (i % 10 === 0 && symbol !== 'SOLUSDT')
      a = placeOrder(
        a,
        m,
        { symbol: 'SOLUSDT', side: 'sell', type: 'market', quantity: '10' },
        { now: 0 },
      ).account;
    out.push(a);
  }
  return out;
}

function marksOf(tick: number): Market {
  // BTC and ETH move every tick, SOL every third (the accounts with a second cross position
  // then need their BTC/ETH liquidation price again)
  const f = (s: string, bp: number) =>
    new Decimal(base[s]!)
      .times(1 + bp / 10_000)
      .toDecimalPlaces(2)
      .toFixed();
  return at({
    BTCUSDT: f('BTCUSDT', (tick % 7) - 3),
    ETHUSDT: f('ETHUSDT', (tick % 5) - 2),
    SOLUSDT: f('SOLUSDT', Math.floor(tick / 3) % 3),
  });
}

function time(run: (m: Market) => void): number[] {
  const out: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    const m = marksOf(t);
    const t0 = performance.now();
    run(m);
    out.push(performance.now() - t0);
  }
  return out;
}

const accounts = build();
console.log(`summarize of ${N} accounts per mark tick, ${TICKS} ticks (Node ${process.version})`);
const memo = time((m) => {
  for (const a of accounts) summarize(a, m);
});
const fresh = time((m) => {
  // a copy of each account: a new object, so nothing is memoized, as before the memo
  for (const a of accounts) summarize({ ...a }, m);
});
const mm = median(memo.slice(1));
const fm = median(fresh.slice(1));
console.log(
  `memo   median ${mm.toFixed(1)} ms per tick (${((mm / N) * 1000).toFixed(1)} µs per account)`,
);
console.log(
  `fresh  median ${fm.toFixed(1)} ms per tick (${((fm / N) * 1000).toFixed(1)} µs per account)  [baseline]`,
);
console.log(`ratio fresh / memo: ${(fm / mm).toFixed(1)}x`);
