// The trading loop honours a competition's window: after the end (by the clock, before anything
// froze the standings) a competition account's resting order does not fill and nothing
// liquidates it; while the competition runs, the same tick fills it.
import { createCompetitionAccount } from '@lab/services/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { useWorkerDb } from './helpers.ts';
import {
  createVenue,
  marketAt,
  placeAndSync,
  startHarness,
  type TradingHarness,
  type Trader,
} from './trading-helpers.ts';

const t = useWorkerDb();
const HOUR = 3_600_000;
let h: TradingHarness | undefined;
afterAll(async () => h?.stop());

describe('a competition account in the trading loop', () => {
  it('does not move after the end, and moves while the competition runs', async () => {
    const venue = await createVenue(t.db);
    const now = Date.now();
    const { student, competition, accountId } = await createCompetitionAccount(t.db, {
      name: 'Loop class',
      startingBalance: '10000',
      maxLeverage: 20,
      takerFeeRate: '0',
      venueId: venue,
    });
    const trader: Trader = { userId: student.user.id, accountId };
    h = await startHarness(t, venue, now);
    await h.tick([{ symbol: 'BTCUSDT', mark: '50000', last: '50000' }]);
    await placeAndSync(h, t.db, trader, marketAt({ BTCUSDT: '50000' }), {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.01',
      price: '49000',
      timeInForce: 'GTC',
    });

    // the end comes (by the clock): a trade through the limit fills nothing
    await t.db.competition.update({
      where: { id: competition.id },
      data: { endsAt: new Date(h.clock.now - 1) },
    });
    await h.tick([{ symbol: 'BTCUSDT', mark: '48900', last: '48800' }]);
    expect(await t.db.fill.count({ where: { accountId } })).toBe(0);
    expect((await t.db.order.findFirstOrThrow({ where: { accountId } })).status).toBe('new');

    // the same move while it runs fills the order
    await t.db.competition.update({
      where: { id: competition.id },
      data: { endsAt: new Date(h.clock.now + HOUR) },
    });
    await h.tick([{ symbol: 'BTCUSDT', mark: '48900', last: '48700' }]);
    expect(await t.db.fill.count({ where: { accountId } })).toBe(1);
  });
});
