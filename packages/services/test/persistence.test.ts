// Persisting engine results: whatever the engine did, the stored account equals the replay of its
// stored events, the account's ledger book equals its wallet, and every ledger transaction
// balances. Orders, fills, status history and positions are the rows the engine's events imply.
import {
  CATALOGUE,
  Decimal,
  onPrice,
  placeOrder,
  setLeverage,
  setMarginMode,
  type Market,
} from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { runOnAccount, userActor, type Actor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';

const t = useTestDb();

const marketAt = (marks: Record<string, string>): Market => ({
  instruments: CATALOGUE,
  marks: Object.fromEntries(Object.entries(marks).map(([s, m]) => [s, new Decimal(m)])),
  lastPrices: {},
});

async function run(
  actor: Actor,
  accountId: string,
  market: Market,
  f: Parameters<typeof runOnAccount>[3],
) {
  return runOnAccount(t.db, actor, accountId, async (loaded, tx) => {
    const step = await f(loaded, tx);
    return { ...step, context: { market } };
  });
}

/** A long of 1 BTC, isolated at 50x, bought at market (a 4% fall liquidates it). */
async function isolatedBtcLong50x(actor: Actor, accountId: string, m: Market) {
  await run(actor, accountId, m, (l) => ({
    result: setMarginMode(l.engine, m, 'BTCUSDT', 'isolated', 1),
    value: null,
  }));
  await run(actor, accountId, m, (l) => ({
    result: setLeverage(l.engine, m, 'BTCUSDT', 50, 2),
    value: null,
  }));
  await run(actor, accountId, m, (l) => ({
    result: placeOrder(
      l.engine,
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: 3 },
    ),
    value: null,
  }));
}

describe('persisting engine results', () => {
  it('a new account is funded through its engine events and the ledger', async () => {
    const { accountId } = await createUser(t.db);
    const rows = await t.db.accountEvent.findMany({ where: { accountId } });
    expect(rows.map((r) => r.type)).toEqual(['accountOpened']);
    await expectConsistent(t.db, accountId);
    const acc = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(acc.walletBalance.toFixed()).toBe('10000');
    expect(acc.lastEventSeq).toBe(1);
  });

  it('orders, fills, positions, settings and history follow the engine; replay equals the stored account', async () => {
    const { user, accountId } = await createUser(t.db);
    const me = userActor(user.id);
    const m = marketAt({ BTCUSDT: '50000', ETHUSDT: '3000' });
    // 10x on BTC, isolated ETH
    await run(me, accountId, m, (l) => ({
      result: setLeverage(l.engine, m, 'BTCUSDT', 10, 1000),
      value: null,
    }));
    await run(me, accountId, m, (l) => ({
      result: setMarginMode(l.engine, m, 'ETHUSDT', 'isolated', 1001),
      value: null,
    }));
    // market buy 0.1 BTC; a resting sell limit; an isolated ETH long with a stop-loss attached
    const buy = await run(me, accountId, m, (l) => {
      const r = placeOrder(
        l.engine,
        m,
        { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' },
        { now: 2000 },
      );
      expect(r.rejected).toBeUndefined();
      return { result: r, value: null };
    });
    expect(buy.persisted?.events.some((e) => e.type === 'fill')).toBe(true);
    await run(me, accountId, m, (l) => ({
      result: placeOrder(
        l.engine,
        m,
        {
          symbol: 'BTCUSDT',
          side: 'sell',
          type: 'limit',
          price: '51000',
          quantity: '0.05',
          clientOrderId: 'tp-1',
        },
        { now: 3000 },
      ),
      value: null,
    }));
    await run(me, accountId, m, (l) => ({
      result: placeOrder(
        l.engine,
        m,
        {
          symbol: 'ETHUSDT',
          side: 'buy',
          type: 'market',
          quantity: '1',
          stopLoss: { stopPrice: '2800' },
        },
        { now: 4000 },
      ),
      value: null,
    }));
    await expectConsistent(t.db, accountId);

    // the market reaches the sell limit: a maker fill through onPrice (as the worker does it)
    const up = marketAt({ BTCUSDT: '51000', ETHUSDT: '3000' });
    await run({ kind: 'system', name: 'test-worker' }, accountId, up, (l) => ({
      result: onPrice(
        l.engine,
        m,
        'BTCUSDT',
        { markPrice: new Decimal('51000'), lastPrice: new Decimal('51000') },
        5000,
      ),
      value: null,
    }));
    await expectConsistent(t.db, accountId);

    const orders = await t.db.order.findMany({ where: { accountId }, orderBy: { seq: 'asc' } });
    expect(orders.map((o) => [o.type, o.status])).toEqual([
      ['market', 'filled'],
      ['limit', 'filled'],
      ['market', 'filled'],
      ['stopMarket', 'untriggered'],
    ]);
    const limit = orders[1]!;
    expect(limit.clientOrderId).toBe('tp-1');
    expect(limit.averagePrice?.toFixed()).toBe('51000');
    const history = await t.db.orderStatusChange.findMany({
      where: { orderId: limit.id },
      orderBy: { id: 'asc' },
    });
    expect(history.map((h) => [h.event, h.status])).toEqual([
      ['accepted', 'new'],
      ['fill', 'filled'],
    ]);
    const fills = await t.db.fill.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
    expect(
      fills.map((f) => [f.symbol, f.liquidity, f.quantity.toFixed(), f.markPrice.toFixed()]),
    ).toEqual([
      ['BTCUSDT', 'taker', '0.1', '50000'],
      ['ETHUSDT', 'taker', '1', '3000'],
      ['BTCUSDT', 'maker', '0.05', '51000'],
    ]);
    // realized PnL of the maker fill: 0.05 x (51000 - 50000) = 50
    expect(fills[2]!.realizedPnl.toFixed()).toBe('50');
    const positions = await t.db.position.findMany({
      where: { accountId },
      orderBy: { symbol: 'asc' },
    });
    expect(positions.map((p) => [p.symbol, p.quantity.toFixed(), p.costBasis.toFixed()])).toEqual([
      ['BTCUSDT', '0.05', '2500'],
      ['ETHUSDT', '1', '3000'],
    ]);
    const settings = await t.db.accountSymbolSetting.findMany({
      where: { accountId },
      orderBy: { symbol: 'asc' },
    });
    expect(settings.map((s) => [s.symbol, s.leverage, s.marginMode])).toEqual([
      ['BTCUSDT', 10, 'CROSS'],
      ['ETHUSDT', 20, 'ISOLATED'],
    ]);
  });

  it('a liquidation is stored with its figures, its closes as liquidation fills, and the insurance fund in the ledger', async () => {
    const { user, accountId } = await createUser(t.db);
    const m = marketAt({ BTCUSDT: '50000' });
    await isolatedBtcLong50x(userActor(user.id), accountId, m);
    const crash = marketAt({ BTCUSDT: '48000' });
    const liq = await run({ kind: 'system', name: 'test-worker' }, accountId, crash, (l) => ({
      result: onPrice(l.engine, m, 'BTCUSDT', { markPrice: new Decimal('48000') }, 4),
      value: null,
    }));
    expect(liq.persisted?.events.map((e) => e.type)).toContain('liquidation');
    const rows = await t.db.liquidation.findMany({ where: { accountId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.mode).toBe('ISOLATED');
    expect(rows[0]!.markPrice?.toFixed()).toBe('48000');
    const liqFills = await t.db.fill.findMany({ where: { accountId, isLiquidation: true } });
    expect(liqFills).toHaveLength(1);
    expect(liqFills[0]!.liquidationId).toBe(rows[0]!.id);
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('fills are stored in the order of their events, with a liquidation’s closes among them', async () => {
    // the worker folds several price points into one result: here a liquidation on BTC, then a
    // resting ETH limit reached; the fills' ids must follow their events (the bot API's trade ids)
    const { user, accountId } = await createUser(t.db);
    const me = userActor(user.id);
    const m = marketAt({ BTCUSDT: '50000', ETHUSDT: '3000' });
    await isolatedBtcLong50x(me, accountId, m);
    await run(me, accountId, m, (l) => ({
      result: placeOrder(
        l.engine,
        m,
        { symbol: 'ETHUSDT', side: 'buy', type: 'limit', quantity: '1', price: '2900' },
        { now: 4 },
      ),
      value: null,
    }));
    const after = marketAt({ BTCUSDT: '48000', ETHUSDT: '2900' });
    await run({ kind: 'system', name: 'test-worker' }, accountId, after, (l) => {
      const btc = onPrice(l.engine, m, 'BTCUSDT', { markPrice: new Decimal('48000') }, 10);
      const eth = onPrice(
        btc.account,
        btc.market,
        'ETHUSDT',
        { markPrice: new Decimal('2900'), lastPrice: new Decimal('2900') },
        11,
      );
      return {
        result: { account: eth.account, events: [...btc.events, ...eth.events] },
        value: null,
      };
    });
    const fills = await t.db.fill.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
    expect(fills.map((f) => [f.symbol, f.isLiquidation])).toEqual([
      ['BTCUSDT', false],
      ['BTCUSDT', true],
      ['ETHUSDT', false],
    ]);
    const seqs = fills.map((f) => f.eventSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await expectConsistent(t.db, accountId);
  });

  it('an account’s history is deleted with it (triggers, not foreign keys)', async () => {
    const [a, b] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const m = marketAt({ BTCUSDT: '50000' });
    const system: Actor = { kind: 'system', name: 'test-worker' };
    for (const u of [a, b]) {
      await isolatedBtcLong50x(userActor(u.user.id), u.accountId, m);
      await run(system, u.accountId, marketAt({ BTCUSDT: '48000' }), (l) => ({
        result: onPrice(l.engine, m, 'BTCUSDT', { markPrice: new Decimal('48000') }, 4),
        value: null,
      }));
    }
    const rows = async (accountId: string) => ({
      events: await t.db.accountEvent.count({ where: { accountId } }),
      history: await t.db.orderStatusChange.count({
        where: { orderId: { startsWith: `${accountId}-` } },
      }),
      fills: await t.db.fill.count({ where: { accountId } }),
      liquidations: await t.db.liquidation.count({ where: { accountId } }),
      funding: await t.db.fundingPayment.count({ where: { accountId } }),
    });
    // a funding payment each (the worker's funding runs write them; here a row as they store it)
    for (const u of [a, b])
      await t.db.fundingPayment.create({
        data: {
          accountId: u.accountId,
          symbol: 'ETHUSDT',
          rate: '0.0001',
          markPrice: '3000',
          positionQuantity: '1',
          amount: '-0.3',
          uncollected: '0',
          fundingTime: new Date(0),
          eventSeq: 1,
          time: new Date(0),
        },
      });
    const before = await rows(a.accountId);
    const kept = await rows(b.accountId);
    for (const n of Object.values(before)) expect(n).toBeGreaterThan(0);
    await t.db.user.delete({ where: { id: a.user.id } });
    expect(await t.db.paperAccount.count({ where: { id: a.accountId } })).toBe(0);
    expect(await rows(a.accountId)).toEqual({
      events: 0,
      history: 0,
      fills: 0,
      liquidations: 0,
      funding: 0,
    });
    expect(await rows(b.accountId)).toEqual(kept);
  });

  it('a rejected order changes nothing', async () => {
    const { user, accountId } = await createUser(t.db);
    const m = marketAt({ BTCUSDT: '50000' });
    const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    const out = await run(userActor(user.id), accountId, m, (l) => {
      const r = placeOrder(
        l.engine,
        m,
        { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '100' },
        { now: 1 },
      );
      expect(r.rejected?.code).toBe('INSUFFICIENT_MARGIN');
      return { result: r, value: null };
    });
    expect(out.persisted?.events).toEqual([]);
    const after = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(after).toEqual(before);
    expect(await t.db.order.count({ where: { accountId } })).toBe(0);
  });

  it('another user cannot act on the account (NOT_FOUND), the system can', async () => {
    const owner = await createUser(t.db);
    const other = await createUser(t.db);
    const m = marketAt({ BTCUSDT: '50000' });
    await expect(
      run(userActor(other.user.id), owner.accountId, m, (l) => ({
        result: setLeverage(l.engine, m, 'BTCUSDT', 5, 1),
        value: null,
      })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await run({ kind: 'system', name: 'reset' }, owner.accountId, m, (l) => ({
      result: setLeverage(l.engine, m, 'BTCUSDT', 5, 1),
      value: null,
    }));
    await expectConsistent(t.db, owner.accountId);
  });
});
