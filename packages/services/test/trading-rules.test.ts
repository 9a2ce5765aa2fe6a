// The rules around placing: markets that are not live, client order ids, engine refusals as
// domain errors (one table), leverage, margin mode and isolated margin, the preview, and the
// loss-carrying decision (a risk-cutting order is never refused, whatever the loss).
import { ERROR_CATEGORY, ERROR_CODES, ERROR_MESSAGES } from '@lab/margin-engine';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { engineAppError } from '../src/trading/engine-errors.ts';
import {
  adjustIsolatedMargin,
  cancelOrder,
  closePosition,
  placeOrder,
  setLeverage,
  setMarginMode,
  type PlaceOrderRequest,
} from '../src/trading/orders.ts';
import { previewOrder } from '../src/trading/preview.ts';
import { StaticPrices } from '../src/trading/prices.ts';
import { getTradingSummary, listPositions } from '../src/trading/read-models.ts';
import { userActor, type Actor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { ledgerBalancesAfterEach, testPrices } from './trading-helpers.ts';

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
const buyBtc = (quantity = '0.1', extra: Partial<PlaceOrderRequest> = {}) =>
  place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity, ...extra });

async function rowCounts() {
  const [orders, events, ledger, acc] = await Promise.all([
    t.db.order.count({ where: { accountId } }),
    t.db.accountEvent.count({ where: { accountId } }),
    t.db.ledgerEntry.count(),
    t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } }),
  ]);
  return { orders, events, ledger, acc };
}

describe('engine refusals map to domain errors through one table', () => {
  it('every engine code has a domain code by its category, the engine message and its reason', () => {
    const expected = {
      input: 'VALIDATION',
      rule: 'PRECONDITION',
      notFound: 'NOT_FOUND',
      conflict: 'CONFLICT',
    };
    for (const code of ERROR_CODES) {
      const e = engineAppError(code, 'quantity');
      expect(e).toBeInstanceOf(AppError);
      expect([e.code, e.message, e.reason, e.field]).toEqual([
        expected[ERROR_CATEGORY[code]],
        ERROR_MESSAGES[code],
        code,
        'quantity',
      ]);
    }
  });

  it('a refused order carries the field and the engine code, and stores nothing', async () => {
    const before = await rowCounts();
    await expect(buyBtc('0.0001')).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'QUANTITY_NOT_ON_STEP',
      field: 'quantity',
      message: ERROR_MESSAGES.QUANTITY_NOT_ON_STEP,
    });
    await expect(buyBtc('100')).rejects.toMatchObject({
      code: 'PRECONDITION',
      reason: 'INSUFFICIENT_MARGIN',
    });
    await expect(
      place({ symbol: 'NOPEUSDT', side: 'buy', type: 'market', quantity: '1' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_SYMBOL', field: 'symbol' });
    await expect(
      place({ symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.1' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', reason: 'PRICE_REQUIRED', field: 'price' });
    expect(await rowCounts()).toEqual(before);
  });
});

describe('markets that are not live', () => {
  it.each([
    ['stale', 'MARKET_STALE'],
    ['halted', 'MARKET_HALTED'],
  ] as const)('refuses orders on a %s market with %s', async (status, reason) => {
    prices.set('BTCUSDT', { markPrice: '50000', status });
    const before = await rowCounts();
    await expect(buyBtc()).rejects.toMatchObject({ code: 'PRECONDITION', reason, field: 'symbol' });
    expect(await rowCounts()).toEqual(before);
    // other markets still trade
    await place({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '0.1' });
  });

  it('a live quote whose mark stopped moving is stale; no quote at all is connecting', async () => {
    const frozen = {
      quotes: () =>
        Promise.resolve(
          new Map([
            ['BTCUSDT', { markPrice: '50000', status: 'live' as const, time: Date.now() - 60_000 }],
          ]),
        ),
    };
    await expect(
      placeOrder(t.db, frozen, me, accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.1',
      }),
    ).rejects.toMatchObject({ reason: 'MARKET_STALE' });
    await expect(
      placeOrder(t.db, new StaticPrices(), me, accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.1',
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'MARKET_CONNECTING' });
  });
});

describe('client order ids', () => {
  it('a retry returns the order placed first, whatever happened to it since', async () => {
    const first = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
      clientOrderId: 'retry-1',
    });
    // a retry with different fields is still the same order: the id is what counts
    const again = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.2',
      price: '48000',
      clientOrderId: 'retry-1',
    });
    expect(again.duplicate).toBe(true);
    expect(again.order).toEqual(first.order);
    await cancelOrder(t.db, prices, me, accountId, { clientOrderId: 'retry-1' });
    const afterCancel = await place({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.1',
      price: '49000',
      clientOrderId: 'retry-1',
    });
    expect(afterCancel).toMatchObject({
      duplicate: true,
      order: { id: first.order.id, status: 'canceled' },
    });
    expect(await t.db.order.count({ where: { accountId } })).toBe(1);
    await expectConsistent(t.db, accountId);
  });

  it('twenty simultaneous retries create one order', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => buyBtc('0.01', { clientOrderId: 'burst' })),
    );
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await t.db.order.count({ where: { accountId } })).toBe(1);
    expect(await t.db.fill.count({ where: { accountId } })).toBe(1);
    await expectConsistent(t.db, accountId);
  });

  it('the same client order id on two accounts is two orders', async () => {
    const other = await createUser(t.db);
    await buyBtc('0.01', { clientOrderId: 'shared' });
    const theirs = await placeOrder(t.db, prices, userActor(other.user.id), other.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
      clientOrderId: 'shared',
    });
    expect(theirs.duplicate).toBe(false);
  });
});

describe('leverage, margin mode, isolated margin', () => {
  it('sets leverage within the bracket and refuses above it', async () => {
    expect(
      await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 10 }),
    ).toEqual({
      symbol: 'BTCUSDT',
      leverage: 10,
      marginMode: 'cross',
      maxLeverage: 125,
      marginModes: ['cross', 'isolated'],
      marketRule: null,
    });
    await expect(
      setLeverage(t.db, prices, me, accountId, { symbol: 'SOLUSDT', leverage: 75 }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION',
      reason: 'LEVERAGE_TOO_HIGH',
      field: 'leverage',
    });
    await expectConsistent(t.db, accountId);
  });

  it('switches margin mode only without a position, and adjusts isolated margin', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'ETHUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'ETHUSDT', leverage: 10 });
    await place({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '1' });
    await expect(
      setMarginMode(t.db, prices, me, accountId, { symbol: 'ETHUSDT', marginMode: 'cross' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'MARGIN_MODE_CHANGE_WITH_POSITION' });
    // isolated wallet: initial margin 3000 / 10 = 300
    const added = await adjustIsolatedMargin(t.db, prices, me, accountId, {
      symbol: 'ETHUSDT',
      action: 'add',
      amount: '50',
    });
    expect(added).toEqual({ symbol: 'ETHUSDT', isolatedWallet: '350' });
    const removed = await adjustIsolatedMargin(t.db, prices, me, accountId, {
      symbol: 'ETHUSDT',
      action: 'remove',
      amount: '20',
    });
    expect(removed.isolatedWallet).toBe('330');
    await expect(
      adjustIsolatedMargin(t.db, prices, me, accountId, {
        symbol: 'ETHUSDT',
        action: 'remove',
        amount: '320',
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'MARGIN_REMOVAL_TOO_LARGE' });
    await expect(
      adjustIsolatedMargin(t.db, prices, me, accountId, {
        symbol: 'BTCUSDT',
        action: 'add',
        amount: '1',
      }),
    ).rejects.toMatchObject({ reason: 'NO_ISOLATED_POSITION' });
    const [pos] = await listPositions(t.db, prices, me, accountId);
    expect(pos).toMatchObject({ symbol: 'ETHUSDT', marginMode: 'isolated', isolatedWallet: '330' });
    await expectConsistent(t.db, accountId);
  });
});

describe('preview', () => {
  it('shows what placing does, with the engine figures, and stores nothing', async () => {
    const req: PlaceOrderRequest = {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.2',
    };
    const before = await rowCounts();
    const p = await previewOrder(t.db, prices, me, accountId, req);
    expect(await rowCounts()).toEqual(before);
    // fee 0.2 x 50,000 x 0.05% = 5; margin at 20x: 10,000 / 20 = 500; cost = 505
    expect(p).toMatchObject({
      accepted: true,
      rejection: null,
      filledQuantity: '0.2',
      averagePrice: '50000',
      fee: '5',
      cost: '505',
      positionQuantity: '0.2',
      availableBalanceBefore: '10000',
      availableBalanceAfter: '9495',
    });
    const placed = await place(req);
    expect(placed.fills[0]!.fee).toBe(p.fee);
    const [pos] = await listPositions(t.db, prices, me, accountId);
    expect(pos!.liquidationPrice).toBe(p.liquidationPrice);
    const summary = await getTradingSummary(t.db, prices, me, accountId);
    expect(summary.availableBalance).toBe(p.availableBalanceAfter);
    expect(summary.crossMarginRatio).toBe(p.crossMarginRatio);
    // a cross position: its compartment is the cross account; the stress moves the mark against it
    expect(p.marginRatio).toBe(p.crossMarginRatio);
    expect(p.stress.map((x) => [x.movePercent, x.markPrice, x.liquidated])).toEqual([
      [5, '47500', false],
      [10, '45000', false],
      [20, '40000', false],
    ]);
    // 20% down: wallet 10,000 - fee 5 + 0.2 x (40,000 - 50,000) = 7,995
    expect(p.stress[2]!.equity).toBe('7995');
  });

  it('stresses an isolated position on its own margin: liquidated from a 10% move at 10x', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 10 });
    const p = await previewOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.2',
    });
    // isolated margin 10,000 / 10 = 1,000; at 47,500 the loss is 500: equity 500 against a
    // maintenance of 0.2 x 47,500 x 0.4% = 38 (ratio 0.076); at 45,000 the margin is gone
    expect(p.stress.map((x) => [x.movePercent, x.markPrice, x.equity, x.liquidated])).toEqual([
      [5, '47500', '500', false],
      [10, '45000', '0', true],
      [20, '40000', '-1000', true],
    ]);
    expect(p.stress[0]!.marginRatio).toBe('0.076');
    // the liquidation price lies between the 5% and the 10% move
    expect(Number(p.liquidationPrice)).toBeGreaterThan(45000);
    expect(Number(p.liquidationPrice)).toBeLessThan(47500);
  });

  it('says why the engine would refuse', async () => {
    const p = await previewOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '100',
    });
    expect(p.accepted).toBe(false);
    expect(p.rejection?.code).toBe('INSUFFICIENT_MARGIN');
  });
});

describe('losses beyond the wallet (README: a trader can always cut risk)', () => {
  it('an isolated close past bankruptcy is filled; the insurance fund pays the shortfall', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 50 });
    await buyBtc('1');
    // the mark gaps far below the bankruptcy price before any tick could liquidate
    prices.set('BTCUSDT', { markPrice: '45000', lastPrice: '45000' });
    const c = await closePosition(t.db, prices, me, accountId, { symbol: 'BTCUSDT' });
    expect(c.order.status).toBe('filled');
    const fill = c.fills[0]!;
    // isolated wallet 1,000 (50,000 / 50); loss 5,000: the fund pays 4,000, the fee is waived
    expect([fill.realizedPnl, fill.shortfall, fill.fee]).toEqual(['-5000', '4000', '0']);
    const insurance = await t.db.ledgerEntry.aggregate({
      where: { book: 'house:insurance', kind: 'shortfall' },
      _sum: { amount: true },
    });
    expect(insurance._sum.amount?.toFixed()).toBe('-4000');
    const acc = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    // 10,000 - 25 (entry fee) - 1,000 (the isolated wallet lost)
    expect(acc.walletBalance.toFixed()).toBe('8975');
    await expectConsistent(t.db, accountId);
  });
});
