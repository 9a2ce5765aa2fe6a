// What checking the risk rules costs per student, beside what reading the student's history costs
// anyway. 500 accounts are traded with the margin engine (orders at 10x, some with attached
// stops, prices moving between them), their events serialized as the account stream stores them;
// then, timed over several rounds: (1) the baseline, reviving the stored events (what any reader
// of the history pays), (2) folding them into the steps the rules read (the engine's applyEvent),
// (3) the six rules evaluated on the folded history. Prints medians and the ratios to the
// baseline. Pure: no database (the compliance pass reads the same rows, one statement per batch).
//
//   node --import tsx packages/services/bench/rules.bench.ts [--accounts 500] [--orders 60] [--rounds 5]
import { parseArgs } from 'node:util';
import {
  CATALOGUE,
  Decimal,
  engineEvents,
  eventToJson,
  onPrices,
  openAccount,
  placeOrder,
  roundToTick,
  setLeverage,
  type Account,
  type EngineEvent,
  type Market,
} from '@lab/margin-engine';
import { historySteps, ruleHistory } from '../src/teaching/rules/history.ts';
import { parseParams, RULE_KINDS } from '../src/teaching/rules/registry.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '500' },
    orders: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '5' },
  },
});
const ACCOUNTS = Math.min(5000, Number(values.accounts));
const ORDERS = Math.min(1000, Number(values.orders));
const ROUNDS = Math.min(20, Number(values.rounds));
const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** A small deterministic generator (mulberry32): every run trades the same histories. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function history(seed: number) {
  const r = rng(seed);
  const events: EngineEvent[] = [];
  let marks: Record<string, Decimal> = { BTCUSDT: new Decimal(50000), ETHUSDT: new Decimal(3000) };
  let market: Market = { instruments: CATALOGUE, marks, lastPrices: marks };
  let time = T0;
  const open = openAccount(`acc-${seed}`, new Decimal(100000), time);
  let a: Account = open.account;
  events.push(...open.events);
  for (const s of ['BTCUSDT', 'ETHUSDT']) {
    const l = setLeverage(a, market, s, 10, time);
    a = l.account;
    events.push(...l.events);
  }
  for (let i = 0; i < ORDERS; i++) {
    time += 5000;
    const s = r() < 0.5 ? 'BTCUSDT' : 'ETHUSDT';
    const inst = CATALOGUE[s]!;
    // two price moves, then an order (a third with an attached stop 3% away)
    for (let k = 0; k < 2; k++) {
      const p = roundToTick(inst, marks[s]!.times(1 + (r() - 0.5) * 0.004));
      const moved = onPrices(a, market, { [s]: { markPrice: p, lastPrice: p } }, (time += 1000));
      a = moved.account;
      market = moved.market;
      marks = { ...market.marks };
      events.push(...moved.events);
    }
    const side = r() < 0.5 ? 'buy' : 'sell';
    const mark = market.marks[s]!;
    const qty = s === 'BTCUSDT' ? '0.05' : '0.5';
    const stop =
      r() < 0.33
        ? {
            stopLoss: {
              stopPrice: roundToTick(inst, mark.times(side === 'buy' ? 0.97 : 1.03)).toFixed(),
            },
          }
        : {};
    const placed = placeOrder(
      a,
      market,
      { symbol: s, side, type: 'market', quantity: qty, ...stop },
      { now: time },
    );
    if (placed.rejected) continue;
    a = placed.account;
    events.push(...placed.events);
  }
  return events.map((ev, i) => ({ seq: i + 1, type: ev.type, payload: eventToJson(ev) }));
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const t0 = performance.now();
const stored = Array.from({ length: ACCOUNTS }, (_, i) => history(i + 1));
const events = stored.reduce((n, s) => n + s.length, 0);
console.log(
  `${ACCOUNTS} accounts, ${events} stored events (${Math.round(events / ACCOUNTS)} per account), traded in ${Math.round(performance.now() - t0)} ms`,
);
const rules = RULE_KINDS.map((k) => ({ kind: k, params: parseParams(k, {}) }));

const revive: number[] = [];
const fold: number[] = [];
const evaluate: number[] = [];
let violations = 0;
for (let round = 0; round < ROUNDS; round++) {
  let a = performance.now();
  const revived = stored.map((s) => engineEvents(s));
  revive.push(performance.now() - a);
  a = performance.now();
  for (const [i, evs] of revived.entries()) historySteps(`acc-${i + 1}`, evs);
  fold.push(performance.now() - a);
  a = performance.now();
  let found = 0;
  for (const [i, evs] of revived.entries()) {
    const h = ruleHistory(`acc-${i + 1}`, evs, {
      instruments: CATALOGUE,
      startsAt: T0,
      endsAt: T0 + 86_400_000,
      now: T0 + 86_400_000,
    });
    for (const r of rules) found += r.kind.evaluate(h, r.params).violations.length;
  }
  evaluate.push(performance.now() - a);
  violations = found;
}
// each rule alone, on the same folded histories (one round)
const folded = stored.map((s, i) =>
  ruleHistory(`acc-${i + 1}`, engineEvents(s), {
    instruments: CATALOGUE,
    startsAt: T0,
    endsAt: T0 + 86_400_000,
    now: T0 + 86_400_000,
  }),
);
const perRule = rules.map((r) => {
  const a = performance.now();
  for (const h of folded) r.kind.evaluate(h, r.params);
  return [r.kind.kind, performance.now() - a] as const;
});
const base = median(revive);
const f = median(fold);
// the evaluation round folds the history too (ruleHistory): the rules alone are the difference
const e = median(evaluate);
const rulesOnly = Math.max(0, e - f);
const row = (name: string, ms: number) =>
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${((ms / ACCOUNTS) * 1000).toFixed(0).padStart(6)} µs/account  ratio ${(ms / base).toFixed(2)}`,
  );
console.log(`medians of ${ROUNDS} rounds (${violations} violations found):`);
row('revive stored events (baseline)', base);
row('fold into history steps', f);
row('six rules on the history', rulesOnly);
row('a whole check (revive+fold+rules)', base + e);
for (const [kind, ms] of perRule) row(`  ${kind}`, ms);
