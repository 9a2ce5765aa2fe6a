// The place-order service alone (no HTTP, no Next, no session), beside two baselines run the
// same way in the same process: runOnAccount with an operation that computes nothing (queue,
// transaction, row lock, load of the whole account) and a bare transaction that only locks the
// account row. With the HTTP benchmark (place-order.ts) this shows where an order's time goes.
// Its own embedded PostgreSQL on loopback; every loop bounded in time and count.
//
//   node --import tsx scripts/bench/place-order-service.ts [--seconds 10] [--accounts 8] [--rounds 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '@lab/db';
import { placeOrder, runOnAccount, StaticPrices, userActor, type Actor } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { provideDatabase } from '../lib/platform-env.ts';
import { freePort } from '../lib/processes.ts';
import { printTable, summarize, type RunStats } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    accounts: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const accounts = Number(values.accounts);
const rounds = Number(values.rounds);
const MAX_PER_RUN = 500_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-bench-service-'));
const database = await provideDatabase({
  dataPath: path.join(dir, 'pg'),
  port: await freePort(45632),
  database: 'lab_bench_service',
});
const db = createDb(database.url, { max: accounts + 2 });
try {
  const prices = new StaticPrices().set('ETHUSDT', { markPrice: '3000', lastPrice: '3000' });
  const traders: Array<{ actor: Actor; accountId: string }> = [];
  for (let i = 0; i < accounts; i++) {
    const u = await createUser(db);
    traders.push({ actor: userActor(u.user.id), accountId: u.accountId });
  }
  type Op = (t: (typeof traders)[number], i: number) => Promise<unknown>;
  const ops: Record<string, Op> = {
    'lock only (bare transaction)': (t) =>
      db.$transaction(
        (tx) =>
          tx.$queryRaw`SELECT id FROM paper_accounts WHERE id = ${t.accountId}::uuid FOR UPDATE`,
      ),
    'runOnAccount, no engine result': (t) =>
      runOnAccount(db, t.actor, t.accountId, () => ({ value: null })),
    'placeOrder (market, buy/sell)': (t, i) =>
      placeOrder(db, prices, t.actor, t.accountId, {
        symbol: 'ETHUSDT',
        side: i % 2 ? 'sell' : 'buy',
        type: 'market',
        quantity: '0.014',
      }),
  };
  const tallies = new Map(Object.keys(ops).map((k) => [k, { ms: [] as number[], s: 0, cpu: 0 }]));
  // warm-up, then every operation in turn per round, each account one at a time in parallel
  for (const op of Object.values(ops)) for (let i = 0; i < 20; i++) await op(traders[0]!, i);
  for (let r = 0; r < rounds; r++) {
    for (const [name, op] of Object.entries(ops)) {
      const tally = tallies.get(name)!;
      const c0 = process.cpuUsage();
      const started = performance.now();
      const deadline = started + (seconds * 1000) / rounds;
      let n = 0;
      await Promise.all(
        traders.map(async (t) => {
          for (let i = 0; performance.now() < deadline && n < MAX_PER_RUN; i++, n++) {
            const t0 = performance.now();
            await op(t, i);
            tally.ms.push(performance.now() - t0);
          }
        }),
      );
      tally.s += (performance.now() - started) / 1000;
      const c = process.cpuUsage(c0);
      tally.cpu += (c.user + c.system) / 1000;
    }
  }
  const rows: RunStats[] = [...tallies].map(([name, t]) => summarize(name, t.ms, t.s, {}));
  printTable(rows);
  console.log('');
  for (const [name, t] of tallies)
    console.log(
      `${name.padEnd(32)} ${(t.cpu / t.ms.length).toFixed(2)} ms of this process's CPU per call`,
    );
  const [lock, run, place] = rows;
  console.log(
    `placeOrder / runOnAccount without a result: ${(place!.perSecond / run!.perSecond).toFixed(3)}; / a bare locking transaction: ${(place!.perSecond / lock!.perSecond).toFixed(3)}`,
  );
} finally {
  await db.$disconnect();
  await database.embedded?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
