// Each order type from placement to its end (fill, cancel or expiry), through the trading
// services against a real PostgreSQL; the worker's part (price ticks) is applied as the worker
// applies it (trading-helpers.ts). After each scenario the stored account equals the replay of
// its events, its ledger book equals its wallet, and the ledger balances.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  amendOrder,
  cancelAllOrders,
  cancelOrder,
  closePosition,
  placeOrder,
  type PlaceOrderRequest,
} from '../src/trading/orders.ts';
import { userActor, type Actor } from '../src/trading/run.ts';
import type { StaticPrices } from '../src/trading/prices.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { ledgerBalancesAfterEach, testPrices, tick } from './trading-helpers.ts';

const t = useTestDb();
ledgerBalancesAfterEach(t);

let prices: StaticPrices;
let me: Actor;
let accountId: string;

beforeEach(async () => {
  prices = testPrices();
  const u = await createUser(t.db);
  me = userActor(u.user.id);
  accountId = u.accountId;
});

const place = (req: PlaceOrderRequest) => placeOrder(t.db, prices, me, accountId, req);
const statusOf = async (id: string) =>
  (await t.db.order.findUniqueOrThrow({ where: { id } })).status;
const position = (symbol: string) =>
  t.db.position.findUnique({ where: { accountId_symbol: { accountId, symbol } } });

describe('market orders', () => {
  it('fill at once at the mark as taker: position, fee and wallet', async () => {
    const placed = await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    expect(placed.order).toMatchObject({ status: 'filled', filledQuantity: '0.1', type: 'market' });
    expect(placed.order.averagePrice).toBe('50000');
    // fee: 0.1 x 50,000 x 0.05% = 2.5
    expect(placed.fills.map((f) => [f.price, f.quantity, f.fee, f.liquidity])).toEqual([
      ['50000', '0.1', '2.5', 'taker'],
    ]);
    expect(placed.duplicate).toBe(false);
    expect((await position('BTCUSDT'))?.quantity.toFixed()).toBe('0.1');
    const acc = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(acc.walletBalance.toFixed()).toBe('9997.5');
    await expectConsistent(t.db, accountId);
  });
});

describe('the answer to a placement', () => {
  it('is what was stored: the write returns it, the same as reading the order back', async () => {
    // a marketable limit with attached orders: every stored column of the three orders, and the
    // fill (the first answer comes from the write's RETURNING, the retry's from a read-back)
    const req: PlaceOrderRequest = {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      price: '50010.7',
      quantity: '0.123',
      clientOrderId: 'answer-1',
      takeProfit: { stopPrice: '52000' },
      stopLoss: { stopPrice: '48000' },
    };
    const placed = await place(req);
    expect(placed.duplicate).toBe(false);
    expect(placed.fills).toHaveLength(1);
    expect(placed.attached).toHaveLength(2);
    // a retry of the same clientOrderId reads the stored rows back
    const again = await place(req);
    expect(again.duplicate).toBe(true);
    expect({ ...again, duplicate: false }).toEqual(placed);
  });
});

describe('limit orders', () => {
  it('GTC rests, then fills as maker when the market trades through it', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
      timeInForce: 'GTC',
    });
    expect(placed.order.status).toBe('new');
    expect(placed.fills).toEqual([]);
    await tick(t.db, prices, accountId, 'BTCUSDT', '49500');
    expect(await statusOf(placed.order.id)).toBe('new');
    await tick(t.db, prices, accountId, 'BTCUSDT', '48990');
    expect(await statusOf(placed.order.id)).toBe('filled');
    const fills = await t.db.fill.findMany({ where: { orderId: placed.order.id } });
    // maker fee: 0.1 x 49,000 x 0.02% = 0.98
    expect(fills.map((f) => [f.price.toFixed(), f.liquidity, f.fee.toFixed()])).toEqual([
      ['49000', 'maker', '0.98'],
    ]);
    await expectConsistent(t.db, accountId);
  });

  it('a marketable limit fills at once as taker', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '51000',
    });
    expect(placed.order.status).toBe('filled');
    expect(placed.fills[0]).toMatchObject({ price: '50000', liquidity: 'taker' });
    await expectConsistent(t.db, accountId);
  });

  it('IOC that cannot fill expires at once (IOC_NOT_FILLED); nothing rests', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
      timeInForce: 'IOC',
    });
    expect(placed.order).toMatchObject({ status: 'expired', statusCode: 'IOC_NOT_FILLED' });
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('FOK fills completely when it can', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'limit',
      quantity: '0.2',
      price: '49900',
      timeInForce: 'FOK',
    });
    expect(placed.order).toMatchObject({ status: 'filled', filledQuantity: '0.2' });
    await expectConsistent(t.db, accountId);
  });

  it('FOK that cannot fill completely is refused (as Binance since 2023) and stores nothing', async () => {
    await expect(
      place({
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.1',
        price: '49000',
        timeInForce: 'FOK',
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'FOK_NOT_FILLED' });
    expect(await t.db.order.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('post-only (GTX) rests when it would not take, and is refused when it would', async () => {
    const rests = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'limit',
      quantity: '0.1',
      price: '50100',
      timeInForce: 'GTX',
    });
    expect(rests.order).toMatchObject({ status: 'new', timeInForce: 'GTX' });
    await expect(
      place({
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'limit',
        quantity: '0.1',
        price: '49000',
        timeInForce: 'GTX',
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'POST_ONLY_WOULD_TAKE' });
    expect(await t.db.order.count({ where: { accountId } })).toBe(1);
    await expectConsistent(t.db, accountId);
  });

  it('cancel ends a resting order; a second cancel is ORDER_NOT_FOUND', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
      clientOrderId: 'to-cancel',
    });
    const { canceled } = await cancelOrder(t.db, prices, me, accountId, {
      clientOrderId: 'to-cancel',
    });
    expect(canceled.map((o) => [o.id, o.status])).toEqual([[placed.order.id, 'canceled']]);
    await expect(
      cancelOrder(t.db, prices, me, accountId, { orderNo: placed.order.orderNo }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'ORDER_NOT_FOUND', field: 'orderNo' });
    await expectConsistent(t.db, accountId);
  });

  it('cancel all: one symbol, then every symbol', async () => {
    const limit = (symbol: string, price: string, quantity: string) =>
      place({ symbol, side: 'buy', type: 'limit', quantity, price });
    await limit('BTCUSDT', '49000', '0.01');
    await limit('BTCUSDT', '48000', '0.01');
    await limit('ETHUSDT', '2900', '0.1');
    const btc = await cancelAllOrders(t.db, prices, me, accountId, { symbol: 'BTCUSDT' });
    expect(btc.canceled.map((o) => o.symbol)).toEqual(['BTCUSDT', 'BTCUSDT']);
    expect(await t.db.order.count({ where: { accountId, status: 'new' } })).toBe(1);
    const all = await cancelAllOrders(t.db, prices, me, accountId);
    expect(all.canceled.map((o) => o.symbol)).toEqual(['ETHUSDT']);
    expect((await cancelAllOrders(t.db, prices, me, accountId)).canceled).toEqual([]);
    await expectConsistent(t.db, accountId);
  });

  it('amend changes the price and the quantity of a resting limit in place', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
    });
    const a = await amendOrder(t.db, prices, me, accountId, {
      orderId: placed.order.id,
      price: '49500',
      quantity: '0.2',
    });
    expect(a.order).toMatchObject({
      id: placed.order.id,
      price: '49500',
      quantity: '0.2',
      status: 'new',
    });
    expect(a.fills).toEqual([]);
    // amended across the market: a GTC limit takes at once
    const crossed = await amendOrder(t.db, prices, me, accountId, {
      orderNo: placed.order.orderNo,
      price: '50500',
    });
    expect(crossed.order.status).toBe('filled');
    expect(crossed.fills.map((f) => [f.quantity, f.liquidity])).toEqual([['0.2', 'taker']]);
    await expect(
      amendOrder(t.db, prices, me, accountId, { orderId: placed.order.id, price: '49000' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'ORDER_NOT_FOUND' });
    const history = await t.db.orderStatusChange.findMany({
      where: { orderId: placed.order.id },
      orderBy: { id: 'asc' },
    });
    expect(history.map((h) => h.event)).toEqual(['accepted', 'amended', 'amended', 'fill']);
    await expectConsistent(t.db, accountId);
  });
});

describe('stop and take-profit orders', () => {
  it('stop-market by mark: waits untriggered, triggers and fills when the mark reaches it', async () => {
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const stop = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stopMarket',
      quantity: '0.1',
      stopPrice: '49000',
      reduceOnly: true,
    });
    expect(stop.order.status).toBe('untriggered');
    await tick(t.db, prices, accountId, 'BTCUSDT', '49100');
    expect(await statusOf(stop.order.id)).toBe('untriggered');
    await tick(t.db, prices, accountId, 'BTCUSDT', '48950');
    const row = await t.db.order.findUniqueOrThrow({ where: { id: stop.order.id } });
    expect([row.status, row.currentType, row.averagePrice?.toFixed()]).toEqual([
      'filled',
      'market',
      '48950',
    ]);
    expect(await position('BTCUSDT')).toBeNull();
    await expectConsistent(t.db, accountId);
  });

  it('stop-limit: triggers into a resting limit that fills later', async () => {
    const stop = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'stopLimit',
      quantity: '0.1',
      stopPrice: '51000',
      price: '51200',
    });
    expect(stop.order.status).toBe('untriggered');
    // the mark jumps past the limit: triggered, not marketable yet, rests as a limit
    await tick(t.db, prices, accountId, 'BTCUSDT', '51500');
    const mid = await t.db.order.findUniqueOrThrow({ where: { id: stop.order.id } });
    expect([mid.status, mid.currentType]).toEqual(['new', 'limit']);
    await tick(t.db, prices, accountId, 'BTCUSDT', '51150');
    expect(await statusOf(stop.order.id)).toBe('filled');
    expect((await position('BTCUSDT'))?.quantity.toFixed()).toBe('0.1');
    await expectConsistent(t.db, accountId);
  });

  it('take-profit market and limit close a long when the price rises', async () => {
    await place({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '2' });
    const tpm = await place({
      symbol: 'ETHUSDT',
      side: 'sell',
      type: 'takeProfitMarket',
      quantity: '1',
      stopPrice: '3100',
      reduceOnly: true,
    });
    const tpl = await place({
      symbol: 'ETHUSDT',
      side: 'sell',
      type: 'takeProfitLimit',
      quantity: '1',
      stopPrice: '3200',
      price: '3200',
      reduceOnly: true,
    });
    await tick(t.db, prices, accountId, 'ETHUSDT', '3150');
    expect(await statusOf(tpm.order.id)).toBe('filled');
    expect(await statusOf(tpl.order.id)).toBe('untriggered');
    await tick(t.db, prices, accountId, 'ETHUSDT', '3210');
    expect(await statusOf(tpl.order.id)).toBe('filled');
    expect(await position('ETHUSDT')).toBeNull();
    // the take-profit limit (sell at 3,200 or better) triggers at 3,210 and takes at the mark:
    // realized 1 x (3150 - 3000) + 1 x (3210 - 3000) = 360
    const fills = await t.db.fill.findMany({ where: { accountId, orderId: { not: null } } });
    expect(fills.reduce((s, f) => s.plus(f.realizedPnl), fills[0]!.fee.mul(0)).toFixed()).toBe(
      '360',
    );
    await expectConsistent(t.db, accountId);
  });

  it('a trigger by last price follows the last trade, not the mark', async () => {
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const stop = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stopMarket',
      quantity: '0.1',
      stopPrice: '49000',
      reduceOnly: true,
      workingType: 'last',
    });
    // the mark stays above the stop, the last trade goes below it
    await tick(t.db, prices, accountId, 'BTCUSDT', '49500', '48900');
    expect(await statusOf(stop.order.id)).toBe('filled');
    await expectConsistent(t.db, accountId);
  });

  it('close-position stop closes whatever the position is at the trigger', async () => {
    await place({ symbol: 'SOLUSDT', side: 'sell', type: 'market', quantity: '10' });
    const stop = await place({
      symbol: 'SOLUSDT',
      side: 'buy',
      type: 'stopMarket',
      stopPrice: '160',
      closePosition: true,
    });
    expect(stop.order).toMatchObject({ closePosition: true, quantity: '0' });
    await place({ symbol: 'SOLUSDT', side: 'sell', type: 'market', quantity: '5' });
    await tick(t.db, prices, accountId, 'SOLUSDT', '161');
    const row = await t.db.order.findUniqueOrThrow({ where: { id: stop.order.id } });
    expect([row.status, row.filledQuantity.toFixed()]).toEqual(['filled', '15']);
    expect(await position('SOLUSDT')).toBeNull();
    await expectConsistent(t.db, accountId);
  });

  it('attached take-profit and stop-loss are placed with the entry; the take-profit closes it', async () => {
    const placed = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
      takeProfit: { stopPrice: '52000' },
      stopLoss: { stopPrice: '48000' },
    });
    expect(placed.attached.map((o) => [o.type, o.stopPrice, o.closePosition])).toEqual([
      ['takeProfitMarket', '52000', true],
      ['stopMarket', '48000', true],
    ]);
    await tick(t.db, prices, accountId, 'BTCUSDT', '52100');
    const [tp, sl] = placed.attached;
    expect(await statusOf(tp!.id)).toBe('filled');
    expect(await position('BTCUSDT')).toBeNull();
    await tick(t.db, prices, accountId, 'BTCUSDT', '47000');
    // nothing left to close: the stop-loss ends without a fill
    expect(['expired', 'canceled']).toContain(await statusOf(sl!.id));
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('an untriggered stop-limit can be canceled; a close-position stop with nothing to close expires', async () => {
    const stop = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'stopLimit',
      quantity: '0.1',
      stopPrice: '52000',
      price: '52100',
    });
    const { canceled } = await cancelOrder(t.db, prices, me, accountId, { orderId: stop.order.id });
    expect(canceled.map((o) => [o.status, o.type])).toEqual([['canceled', 'stopLimit']]);
    await tick(t.db, prices, accountId, 'BTCUSDT', '52500');
    expect(await statusOf(stop.order.id)).toBe('canceled');
    expect(await t.db.fill.count({ where: { accountId } })).toBe(0);

    prices.set('BTCUSDT', { markPrice: '50000', lastPrice: '50000' });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const sl = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stopMarket',
      stopPrice: '49000',
      closePosition: true,
    });
    await closePosition(t.db, prices, me, accountId, { symbol: 'BTCUSDT' });
    await tick(t.db, prices, accountId, 'BTCUSDT', '48900');
    const row = await t.db.order.findUniqueOrThrow({ where: { id: sl.order.id } });
    expect([row.status, row.statusCode]).toEqual(['expired', 'NO_POSITION_TO_CLOSE']);
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('a stop that would trigger at once is refused and stores nothing', async () => {
    await expect(
      place({
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'stopMarket',
        quantity: '0.1',
        stopPrice: '50500',
      }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION',
      reason: 'STOP_WOULD_TRIGGER_IMMEDIATELY',
      field: 'stopPrice',
    });
    expect(await t.db.order.count({ where: { accountId } })).toBe(0);
  });
});

describe('reduce-only and closing', () => {
  it('reduce-only never opens or adds', async () => {
    await expect(
      place({ symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.1', reduceOnly: true }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'REDUCE_ONLY_WOULD_INCREASE' });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.2' });
    const r = await place({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'market',
      quantity: '0.1',
      reduceOnly: true,
    });
    expect(r.order.status).toBe('filled');
    expect((await position('BTCUSDT'))?.quantity.toFixed()).toBe('0.1');
    await expectConsistent(t.db, accountId);
  });

  it('closePosition at market closes the whole position', async () => {
    await place({ symbol: 'ETHUSDT', side: 'sell', type: 'market', quantity: '1.5' });
    prices.set('ETHUSDT', { markPrice: '2900', lastPrice: '2900' });
    const c = await closePosition(t.db, prices, me, accountId, { symbol: 'ETHUSDT' });
    expect(c.order).toMatchObject({ side: 'buy', quantity: '1.5', reduceOnly: true });
    // realized: 1.5 x (3000 - 2900) = 150
    expect(c.fills.map((f) => f.realizedPnl)).toEqual(['150']);
    expect(await position('ETHUSDT')).toBeNull();
    await expect(
      closePosition(t.db, prices, me, accountId, { symbol: 'ETHUSDT' }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'NO_POSITION_TO_CLOSE' });
    await expectConsistent(t.db, accountId);
  });

  it('closePosition with a limit rests reduce-only until the market reaches it', async () => {
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const c = await closePosition(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      type: 'limit',
      price: '50500',
    });
    expect(c.order).toMatchObject({ status: 'new', reduceOnly: true, price: '50500' });
    await tick(t.db, prices, accountId, 'BTCUSDT', '50600');
    expect(await statusOf(c.order.id)).toBe('filled');
    expect(await position('BTCUSDT')).toBeNull();
    await expectConsistent(t.db, accountId);
  });
});
