// Funding through the worker's trading loop on a real PostgreSQL: charged at the funding time for
// the positions open at that moment, with the rate the marks announced for it, on the quantity
// held then (a position increased and partly closed between two funding times pays on what it
// held at each); a restart never pays a funding time twice; a worker down across a funding time
// charges it when it comes back; a venue's own interval (a competition's speed-up) is honoured.
import type { Db } from '@lab/db';
import { afterEach, describe, expect, it } from 'vitest';
import { useWorkerDb } from './helpers.ts';
import {
  createTrader,
  createVenue,
  expectConsistent,
  marketAt,
  place,
  startHarness,
  type TradingHarness,
} from './trading-helpers.ts';

const t = useWorkerDb();
const BTC = 'BTCUSDT';
const ETH = 'ETHUSDT';
const H8 = 8 * 3600_000;
// a funding time of the 8-hour UTC grid after the wall clock: the accounts' own events (opened
// at sign-up, on the wall clock) come before it, as they would
const T1 = Math.ceil((Date.now() + 86_400_000) / H8) * H8;
const T2 = T1 + H8;

const harnesses: TradingHarness[] = [];
afterEach(async () => {
  for (const x of harnesses.splice(0)) await x.stop();
});
async function harness(venue: string, at: number) {
  const x = await startHarness(t, venue, at);
  harnesses.push(x);
  return x;
}

const payments = (db: Db, accountId: string) =>
  db.fundingPayment.findMany({ where: { accountId }, orderBy: { fundingTime: 'asc' } });
const row = (p: Awaited<ReturnType<typeof payments>>[number]) => [
  p.fundingTime.getTime(),
  p.symbol,
  p.rate.toFixed(),
  p.markPrice.toFixed(),
  p.positionQuantity.toFixed(),
  p.amount.toFixed(),
];

describe('funding through the loop', () => {
  it('charges each funding time on the position held then, added to and partly closed in between', async () => {
    const venue = await createVenue(t.db);
    const h = await harness(venue, T1 - 60_000);
    const long = await createTrader(t.db, venue);
    const short = await createTrader(t.db, venue);
    await h.tick([{ symbol: BTC, mark: '50000', last: '50000', fundingRate: '0.0001' }]);
    const m = marketAt({ [BTC]: '50000' });
    await place(
      t.db,
      long,
      m,
      { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' },
      h.clock.now,
    );
    const s = await place(
      t.db,
      short,
      m,
      { symbol: BTC, side: 'sell', type: 'market', quantity: '0.2' },
      h.clock.now,
    );
    await h.synced(short.accountId, s.persisted!.version);
    // the last mark before T1 announces 0.0001 at 50,100; the first after it announces the next
    await h.tick([{ symbol: BTC, mark: '50100', last: '50100', fundingRate: '0.0001' }], {
      advanceMs: 50_000,
    });
    expect(await payments(t.db, long.accountId)).toEqual([]);
    h.clock.now = T1 + 500;
    await h.tick([{ symbol: BTC, mark: '50200', last: '50200', fundingRate: '0.00025' }], {
      advanceMs: 0,
    });
    // long pays 0.1 x 50,100 x 0.0001 = 0.501; the short receives 0.2 x 50,100 x 0.0001 = 1.002
    expect((await payments(t.db, long.accountId)).map(row)).toEqual([
      [T1, BTC, '0.0001', '50100', '0.1', '-0.501'],
    ]);
    expect((await payments(t.db, short.accountId)).map(row)).toEqual([
      [T1, BTC, '0.0001', '50100', '-0.2', '1.002'],
    ]);

    // between the funding times: add 0.2 (0.3), then close 0.05 (0.25)
    const m2 = marketAt({ [BTC]: '50200' });
    await place(
      t.db,
      long,
      m2,
      { symbol: BTC, side: 'buy', type: 'market', quantity: '0.2' },
      h.clock.now,
    );
    const c = await place(
      t.db,
      long,
      m2,
      { symbol: BTC, side: 'sell', type: 'market', quantity: '0.05', reduceOnly: true },
      h.clock.now,
    );
    await h.synced(long.accountId, c.persisted!.version);
    h.clock.now = T2 - 1000;
    await h.tick([{ symbol: BTC, mark: '50000', last: '50000', fundingRate: '-0.0002' }], {
      advanceMs: 0,
    });
    h.clock.now = T2 + 200;
    await h.tick([{ symbol: BTC, mark: '49900', last: '49900', fundingRate: '0.0001' }], {
      advanceMs: 0,
    });
    // a negative rate: the long receives 0.25 x 50,000 x 0.0002 = 2.5
    expect((await payments(t.db, long.accountId)).map(row)).toEqual([
      [T1, BTC, '0.0001', '50100', '0.1', '-0.501'],
      [T2, BTC, '-0.0002', '50000', '0.25', '2.5'],
    ]);
    await expectConsistent(t.db, long.accountId, short.accountId);
    expect(h.runner.stats.failedBatches).toBe(0);
  });

  it('a position changed after the funding time, before the loop reached it, pays on what it held then', async () => {
    const venue = await createVenue(t.db);
    const h = await harness(venue, T1 - 60_000);
    const adder = await createTrader(t.db, venue);
    const closer = await createTrader(t.db, venue);
    const opener = await createTrader(t.db, venue);
    await h.tick([{ symbol: BTC, mark: '50000', last: '50000', fundingRate: '0.0001' }]);
    const m = marketAt({ [BTC]: '50000' });
    const buy = (q: string) => ({
      symbol: BTC,
      side: 'buy' as const,
      type: 'market' as const,
      quantity: q,
    });
    await place(t.db, adder, m, buy('0.1'), h.clock.now);
    await place(t.db, closer, m, { ...buy('0.2'), side: 'sell' }, h.clock.now);
    // 50 ms after the funding time, before any tick past it reached the loop: the API adds
    // 0.2, closes the short, opens a new long
    h.clock.now = T1 + 60;
    const a = await place(t.db, adder, m, buy('0.2'), T1 + 50);
    const c = await place(t.db, closer, m, { ...buy('0.2'), reduceOnly: true }, T1 + 50);
    const o = await place(t.db, opener, m, buy('0.3'), T1 + 50);
    await h.synced(adder.accountId, a.persisted!.version);
    await h.synced(closer.accountId, c.persisted!.version);
    await h.synced(opener.accountId, o.persisted!.version);
    h.clock.now = T1 + 500;
    await h.tick([{ symbol: BTC, mark: '50100', last: '50100', fundingRate: '0.0002' }], {
      advanceMs: 0,
    });
    // at the funding time: the adder held 0.1, the closer -0.2, the opener nothing
    expect((await payments(t.db, adder.accountId)).map(row)).toEqual([
      [T1, BTC, '0.0001', '50000', '0.1', '-0.5'],
    ]);
    expect((await payments(t.db, closer.accountId)).map(row)).toEqual([
      [T1, BTC, '0.0001', '50000', '-0.2', '1'],
    ]);
    expect(await payments(t.db, opener.accountId)).toEqual([]);
    await expectConsistent(t.db, adder.accountId, closer.accountId, opener.accountId);
  });

  it('a restart during or after a funding run never pays twice; a worker down across a funding time charges it on return', async () => {
    const venue = await createVenue(t.db);
    const trader = await createTrader(t.db, venue);
    const h1 = await harness(venue, T1 - 2000);
    await h1.tick([{ symbol: ETH, mark: '3000', last: '3000', fundingRate: '0.0001' }]);
    const o = await place(
      t.db,
      trader,
      marketAt({ [ETH]: '3000' }),
      { symbol: ETH, side: 'buy', type: 'market', quantity: '2' },
      h1.clock.now,
    );
    await h1.synced(trader.accountId, o.persisted!.version);
    h1.clock.now = T1 + 100;
    await h1.tick([{ symbol: ETH, mark: '3010', last: '3010', fundingRate: '0.0003' }], {
      advanceMs: 0,
    });
    expect(await payments(t.db, trader.accountId)).toHaveLength(1);
    await h1.stop();
    harnesses.splice(harnesses.indexOf(h1), 1);

    // as if the worker died after paying but before recording the run as done
    await t.db
      .$executeRaw`UPDATE market_source_states SET state = jsonb_set(state, '{ETHUSDT}', ${String(T1 - H8)}::jsonb)
      WHERE name = ${`trading:${venue}:funding`}`;
    const h2 = await harness(venue, T1 + 5000);
    await h2.tick([{ symbol: ETH, mark: '3020', last: '3020', fundingRate: '0.0003' }]);
    await h2.tick([{ symbol: ETH, mark: '3030', last: '3030', fundingRate: '0.0003' }]);
    expect(h2.lines.some((l) => l.includes('funding') && l.includes('0 payments'))).toBe(true);
    expect(await payments(t.db, trader.accountId)).toHaveLength(1);
    expect(h2.runner.stats.failedBatches).toBe(0);
    await h2.stop();
    harnesses.splice(harnesses.indexOf(h2), 1);

    // down across T2: the stored ticker has the rate announced for it (what the last run saw)
    await t.db.$executeRaw`INSERT INTO market_tickers (venue_id, symbol, last_price, mark_price,
        index_price, funding_rate, next_funding_time, status, updated_at)
      VALUES (${venue}, ${ETH}, 3050, 3050, 3050, 0.0004, ${new Date(T2)}, 'LIVE', ${new Date(T2 - 60_000)})`;
    const h3 = await harness(venue, T2 + 30_000);
    await h3.tick([{ symbol: ETH, mark: '2990', last: '2990', fundingRate: '0.0001' }]);
    // 2 x 3,050 x 0.0004 = 2.44, at the stored mark and rate
    expect((await payments(t.db, trader.accountId)).map(row)).toEqual([
      [T1, ETH, '0.0001', '3000', '2', '-0.6'],
      [T2, ETH, '0.0004', '3050', '2', '-2.44'],
    ]);
    await expectConsistent(t.db, trader.accountId);
  });

  it("a venue's own funding interval (a competition's speed-up): every minute", async () => {
    const venue = await createVenue(t.db, { fundingIntervalMinutes: 1 });
    const start = T1 + 2 * H8 + 10_000;
    const h = await harness(venue, start);
    const trader = await createTrader(t.db, venue);
    await h.tick([{ symbol: BTC, mark: '50000', last: '50000', fundingRate: '0.0001' }]);
    const o = await place(
      t.db,
      trader,
      marketAt({ [BTC]: '50000' }),
      { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' },
      h.clock.now,
    );
    await h.synced(trader.accountId, o.persisted!.version);
    for (let i = 0; i < 3; i++)
      await h.tick([{ symbol: BTC, mark: '50000', last: '50000', fundingRate: '0.0001' }], {
        advanceMs: 60_000,
      });
    const paid = await payments(t.db, trader.accountId);
    expect(paid.map((p) => p.fundingTime.getTime() - (T1 + 2 * H8))).toEqual([
      60_000, 120_000, 180_000,
    ]);
    expect(paid.every((p) => p.amount.toFixed() === '-0.5')).toBe(true);
    await expectConsistent(t.db, trader.accountId);
  });
});
