// Each order type from placement to fill, cancel or expiry through the worker's trading loop, on a
// real PostgreSQL: orders are placed through the services (row lock, engine, persist, NOTIFY), the
// loop's memory follows on the LISTEN channel, ticks go to a real VenueRunner, and what it
// commits is read back. Prices that are not live never fill or trigger anything.
import { MAIN_VENUE } from '@lab/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { useWorkerDb } from './helpers.ts';
import {
  cancel,
  configure,
  createTrader,
  createVenue,
  expectConsistent,
  marketAt,
  place,
  placeAndSync,
  startHarness,
  type TradingHarness,
} from './trading-helpers.ts';

const t = useWorkerDb();
const T0 = Date.UTC(2026, 0, 5, 1, 0, 0);
const BTC = 'BTCUSDT';
const ETH = 'ETHUSDT';
const m50k = marketAt({ [BTC]: '50000', [ETH]: '3000' });

let h: TradingHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function setup() {
  const venue = await createVenue(t.db);
  h = await startHarness(t, venue, T0);
  const trader = await createTrader(t.db, venue);
  await h.tick([
    { symbol: BTC, mark: '50000', last: '50000' },
    { symbol: ETH, mark: '3000', last: '3000' },
  ]);
  return { h, trader };
}

const orderOf = (id: string) => t.db.order.findUniqueOrThrow({ where: { id } });
const fillsOf = (orderId: string) =>
  t.db.fill.findMany({ where: { orderId }, orderBy: { id: 'asc' } });
const positionOf = (accountId: string, symbol = BTC) =>
  t.db.position.findUnique({ where: { accountId_symbol: { accountId, symbol } } });
const idOf = (o: Awaited<ReturnType<typeof place>>) => {
  const ev = o.persisted!.events.find((e) => e.type === 'orderAccepted');
  if (ev?.type !== 'orderAccepted') throw new Error('no order accepted');
  return ev.order.id;
};

describe('resting limit orders', () => {
  it('a buy limit rests until the trade price reaches it, then fills in full as maker at its price', async () => {
    const { h, trader } = await setup();
    const o = await placeAndSync(h, t.db, trader, m50k, {
      symbol: BTC,
      side: 'buy',
      type: 'limit',
      price: '49500',
      quantity: '0.1',
    });
    const id = idOf(o);
    await h.tick([{ symbol: BTC, mark: '49600', last: '49600' }]);
    expect((await orderOf(id)).status).toBe('new');
    // a trade at the price while the mark is above it: limits fill on the trade price
    await h.tick([{ symbol: BTC, mark: '49550', last: '49500' }]);
    const order = await orderOf(id);
    expect(order.status).toBe('filled');
    expect(order.averagePrice?.toFixed()).toBe('49500');
    const fills = await fillsOf(id);
    expect(fills.map((f) => [f.liquidity, f.price.toFixed(), f.markPrice.toFixed()])).toEqual([
      ['maker', '49500', '49600'], // the mark at the trade (the next mark came after it)
    ]);
    // maker fee 0.02% of 4,950 = 0.99
    expect(fills[0]!.fee.toFixed()).toBe('0.99');
    expect((await positionOf(trader.accountId))?.quantity.toFixed()).toBe('0.1');
    await expectConsistent(t.db, trader.accountId);
  });

  it('a dip through the price and back inside one published batch still fills it', async () => {
    const { h, trader } = await setup();
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'buy',
        type: 'limit',
        price: '49500',
        quantity: '0.1',
      }),
    );
    await h.path([
      [{ symbol: BTC, mark: '49700', last: '49700' }],
      [{ symbol: BTC, mark: '49480', last: '49450' }],
      [{ symbol: BTC, mark: '49900', last: '49900' }],
    ]);
    expect((await orderOf(id)).status).toBe('filled');
    const fills = await fillsOf(id);
    // the mark recorded is the one at the trade that filled it, not the batch's last
    expect(fills.map((f) => [f.price.toFixed(), f.markPrice.toFixed()])).toEqual([
      ['49500', '49700'],
    ]);
    await expectConsistent(t.db, trader.accountId);
  });

  it('a canceled limit never fills; the loop forgets it', async () => {
    const { h, trader } = await setup();
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: ETH,
        side: 'sell',
        type: 'limit',
        price: '3100',
        quantity: '1',
      }),
    );
    expect(h.runner.accountInMemory(trader.accountId)?.account.orders[id]).toBeDefined();
    const c = await cancel(t.db, trader, id);
    await h.synced(trader.accountId, c.persisted!.version);
    expect(h.runner.accountInMemory(trader.accountId)).toBeUndefined();
    await h.tick([{ symbol: ETH, mark: '3150', last: '3150' }]);
    expect((await orderOf(id)).status).toBe('canceled');
    expect(await fillsOf(id)).toEqual([]);
    await expectConsistent(t.db, trader.accountId);
  });

  it('a resting order the account can no longer carry expires when the market reaches it', async () => {
    const { h, trader } = await setup();
    // ETH long at 20x: 150,000 notional, 7,500 initial margin, 75 fee; then a BTC buy 0.9 @ 49,000
    // (2,205 margin) takes most of what is left
    await place(t.db, trader, m50k, { symbol: ETH, side: 'buy', type: 'market', quantity: '50' });
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'buy',
        type: 'limit',
        price: '49000',
        quantity: '0.9',
      }),
    );
    // ETH -2,000 unrealized: nothing left for the BTC buy when it is reached
    await h.tick([{ symbol: ETH, mark: '2960', last: '2960' }]);
    await h.tick([{ symbol: BTC, mark: '49000', last: '49000' }]);
    const order = await orderOf(id);
    expect([order.status, order.statusCode]).toEqual(['expired', 'INSUFFICIENT_MARGIN']);
    expect(await fillsOf(id)).toEqual([]);
    await expectConsistent(t.db, trader.accountId);
  });

  it('an order placed just before a tick, at a price the loop has already passed, fills at once', async () => {
    const { h, trader } = await setup();
    // the loop is at 49,990 while the API still valued at 50,000
    await h.tick([{ symbol: BTC, mark: '49990', last: '49990' }]);
    const o = await place(
      t.db,
      trader,
      m50k,
      { symbol: BTC, side: 'buy', type: 'limit', price: '49995', quantity: '0.1' },
      h.clock.now,
    );
    const id = idOf(o);
    expect(o.persisted!.events.some((e) => e.type === 'fill')).toBe(false);
    await h.synced(trader.accountId, o.persisted!.version + 1);
    expect((await orderOf(id)).status).toBe('filled');
    await expectConsistent(t.db, trader.accountId);
  });
});

describe('stops and take-profits', () => {
  it('a stop-loss triggers on the mark and closes the position at market', async () => {
    const { h, trader } = await setup();
    await place(t.db, trader, m50k, { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'sell',
        type: 'stopMarket',
        stopPrice: '49000',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    await h.tick([{ symbol: BTC, mark: '49100', last: '48900' }]);
    expect((await orderOf(id)).status).toBe('untriggered'); // the mark, not the last, triggers it
    await h.tick([{ symbol: BTC, mark: '48950', last: '48950' }]);
    const order = await orderOf(id);
    expect(order.status).toBe('filled');
    const history = await t.db.orderStatusChange.findMany({
      where: { orderId: id },
      orderBy: { id: 'asc' },
    });
    expect(history.map((x) => x.event)).toEqual(['accepted', 'triggered', 'fill']);
    expect(await positionOf(trader.accountId)).toBeNull();
    await expectConsistent(t.db, trader.accountId);
  });

  it('a take-profit on the last price triggers on a trade while the mark stays below', async () => {
    const { h, trader } = await setup();
    await place(t.db, trader, m50k, { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'sell',
        type: 'takeProfitMarket',
        stopPrice: '51000',
        closePosition: true,
        workingType: 'last',
      }),
    );
    await h.tick([{ symbol: BTC, mark: '50900', last: '51000' }]);
    expect((await orderOf(id)).status).toBe('filled');
    expect(await positionOf(trader.accountId)).toBeNull();
    await expectConsistent(t.db, trader.accountId);
  });

  it('a stop-limit triggers, rests at its limit, and fills when the market comes back to it', async () => {
    const { h, trader } = await setup();
    // buy stop at 50,500 with a limit of 50,400: after the trigger the market is above the limit
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'buy',
        type: 'stopLimit',
        stopPrice: '50500',
        price: '50400',
        quantity: '0.05',
      }),
    );
    await h.tick([{ symbol: BTC, mark: '50600', last: '50600' }]);
    const rested = await orderOf(id);
    expect([rested.status, rested.currentType]).toEqual(['new', 'limit']);
    await h.tick([{ symbol: BTC, mark: '50450', last: '50400' }]);
    const order = await orderOf(id);
    expect(order.status).toBe('filled');
    expect((await fillsOf(id)).map((f) => [f.liquidity, f.price.toFixed()])).toEqual([
      ['maker', '50400'],
    ]);
    await expectConsistent(t.db, trader.accountId);
  });

  it('a take-profit-limit triggers and fills as a limit', async () => {
    const { h, trader } = await setup();
    await place(t.db, trader, m50k, { symbol: ETH, side: 'sell', type: 'market', quantity: '2' });
    // a short's take-profit: buy when the mark falls to 2,900, limit 2,910
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: ETH,
        side: 'buy',
        type: 'takeProfitLimit',
        stopPrice: '2900',
        price: '2910',
        quantity: '2',
        reduceOnly: true,
      }),
    );
    await h.tick([{ symbol: ETH, mark: '2950', last: '2950' }]);
    expect((await orderOf(id)).status).toBe('untriggered');
    await h.tick([{ symbol: ETH, mark: '2900', last: '2900' }]);
    expect((await orderOf(id)).status).toBe('filled');
    expect(await positionOf(trader.accountId, ETH)).toBeNull();
    await expectConsistent(t.db, trader.accountId);
  });

  it('an entry with a stop-loss attached: the stop waits for the entry, then protects it', async () => {
    const { h, trader } = await setup();
    const o = await placeAndSync(h, t.db, trader, m50k, {
      symbol: BTC,
      side: 'buy',
      type: 'limit',
      price: '49500',
      quantity: '0.1',
      stopLoss: { stopPrice: '48500' },
      takeProfit: { stopPrice: '52000' },
    });
    const entry = idOf(o);
    const attached = await t.db.order.findMany({
      where: { parentId: entry },
      orderBy: { id: 'asc' },
    });
    expect(attached.map((a) => a.type).sort()).toEqual(['stopMarket', 'takeProfitMarket']);
    await h.tick([{ symbol: BTC, mark: '49500', last: '49500' }]);
    expect((await orderOf(entry)).status).toBe('filled');
    await h.tick([{ symbol: BTC, mark: '48400', last: '48400' }]);
    const sl = attached.find((a) => a.type === 'stopMarket')!;
    expect((await orderOf(sl.id)).status).toBe('filled');
    expect(await positionOf(trader.accountId)).toBeNull();
    await expectConsistent(t.db, trader.accountId);
  });

  it('a close-position take-profit with nothing left to close expires when it triggers', async () => {
    const { h, trader } = await setup();
    await place(t.db, trader, m50k, { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    const id = idOf(
      await place(t.db, trader, m50k, {
        symbol: BTC,
        side: 'sell',
        type: 'takeProfitMarket',
        stopPrice: '51000',
        closePosition: true,
      }),
    );
    const closed = await placeAndSync(h, t.db, trader, m50k, {
      symbol: BTC,
      side: 'sell',
      type: 'market',
      quantity: '0.1',
      reduceOnly: true,
    });
    expect(closed.persisted!.events.some((e) => e.type === 'fill')).toBe(true);
    await h.tick([{ symbol: BTC, mark: '51000', last: '51000' }]);
    const order = await orderOf(id);
    expect([order.status, order.statusCode]).toEqual(['expired', 'NO_POSITION_TO_CLOSE']);
    await expectConsistent(t.db, trader.accountId);
  });
});

describe('prices that are not live', () => {
  it('a halted market neither fills nor triggers; once live again it does', async () => {
    const { h, trader } = await setup();
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: BTC,
        side: 'buy',
        type: 'limit',
        price: '49500',
        quantity: '0.1',
      }),
    );
    h.clock.now += 1000;
    h.runner.onTicks([{ kind: 'status', symbol: BTC, time: h.clock.now, status: 'halted' }]);
    await h.tick([{ symbol: BTC, mark: '49400', last: '49400' }]);
    expect((await orderOf(id)).status).toBe('new');
    h.runner.onTicks([{ kind: 'status', symbol: BTC, time: h.clock.now, status: 'live' }]);
    await h.tick([{ symbol: BTC, mark: '49450', last: '49450' }]);
    expect((await orderOf(id)).status).toBe('filled');
    await expectConsistent(t.db, trader.accountId);
  });

  it('trades on a mark older than 15 s fill nothing', async () => {
    const { h, trader } = await setup();
    const id = idOf(
      await placeAndSync(h, t.db, trader, m50k, {
        symbol: ETH,
        side: 'sell',
        type: 'limit',
        price: '3100',
        quantity: '1',
      }),
    );
    h.clock.now += 16_000;
    h.runner.onTicks([
      { kind: 'trade', symbol: ETH, time: h.clock.now, price: '3120', quantity: '1', side: 'buy' },
    ]);
    await h.runner.whenIdle();
    expect((await orderOf(id)).status).toBe('new');
    await h.tick([{ symbol: ETH, mark: '3110', last: '3110' }]);
    expect((await orderOf(id)).status).toBe('filled');
    await expectConsistent(t.db, trader.accountId);
  });

  it('the main venue runs beside the test venues without seeing their accounts', async () => {
    const { h, trader } = await setup();
    const main = await startHarness(t, MAIN_VENUE, T0);
    try {
      const id = idOf(
        await placeAndSync(h, t.db, trader, m50k, {
          symbol: BTC,
          side: 'buy',
          type: 'limit',
          price: '49000',
          quantity: '0.1',
        }),
      );
      expect(main.runner.accountInMemory(trader.accountId)).toBeUndefined();
      await main.tick([{ symbol: BTC, mark: '48000', last: '48000' }]);
      expect((await orderOf(id)).status).toBe('new');
      await expectConsistent(t.db, trader.accountId);
    } finally {
      await main.stop();
    }
  });
});

describe('configuration', () => {
  it('leverage and margin mode set through the services are what the loop liquidates with', async () => {
    const { h, trader } = await setup();
    const c = await configure(t.db, trader, m50k, BTC, { mode: 'isolated', leverage: 50 });
    await place(t.db, trader, m50k, { symbol: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    await h.synced(trader.accountId, c.persisted!.version + 1);
    const mem = h.runner.accountInMemory(trader.accountId)!;
    expect(mem.account.settings[BTC]).toEqual({ leverage: 50, marginMode: 'isolated' });
    await expectConsistent(t.db, trader.accountId);
  });
});
