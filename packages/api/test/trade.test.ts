// The trade router through the tRPC caller (the same checks as HTTP requests) against a real
// PostgreSQL and fixed prices: inputs are validated before any work, refusals carry the engine's
// code, 200 simultaneous orders on one account never overspend it, and the read models follow.
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  openOrderMargin,
} from '@lab/margin-engine';
import {
  loadAccountState,
  marketOf,
  MAX_QUEUED_PER_ACCOUNT,
  StaticPrices,
  type VenuePrices,
} from '@lab/services';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { beforeEach, describe, expect, it } from 'vitest';
import { appRouter } from '../src/root.ts';
import { callerFor, createUser, type CreatedUser } from '../src/testing/index.ts';
import { expectConsistent, ledgerBalancesAfterEach } from '@lab/services/testing/vitest';
import { ledgerTotal, trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();
ledgerBalancesAfterEach(t);

let prices: StaticPrices;
let u: CreatedUser;
let api: ReturnType<typeof callerFor>;
let accountId: string;

beforeEach(async () => {
  prices = new StaticPrices()
    .set('BTCUSDT', { markPrice: '50000', lastPrice: '50000' })
    .set('ETHUSDT', { markPrice: '3000', lastPrice: '3000' });
  u = await createUser(t.db);
  api = callerFor(t.db, u.user, '127.0.0.1', prices);
  accountId = u.accountId;
});

const buy = (quantity: string) =>
  ({ accountId, symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity }) as const;

/** The engine's available balance of the stored account, unclamped (never below zero). */
async function rawAvailable(p: VenuePrices = prices) {
  const loaded = (await t.db.$transaction((tx) => loadAccountState(tx, accountId)))!;
  const market = marketOf(await p.quotes(loaded.venueId));
  const a = loaded.engine;
  return {
    available: availableBalanceRaw(
      crossFigures(a, allPositionRisks(a, market)),
      openOrderMargin(a, market),
    ),
    crossWallet: crossFigures(a, allPositionRisks(a, market)).crossWallet,
  };
}

describe('input', () => {
  it.each([
    ['a NUL byte in the symbol', { symbol: 'BTC\u0000USDT' }, 'symbol'],
    ['a NUL byte in the client order id', { clientOrderId: 'a\u0000b' }, 'clientOrderId'],
    ['a number as quantity', { quantity: 0.1 }, 'quantity'],
    ['an exponent', { quantity: '1e-3' }, 'quantity'],
    ['a negative quantity', { quantity: '-1' }, 'quantity'],
    ['zero', { quantity: '0.000' }, 'quantity'],
    ['an unknown type', { type: 'iceberg' }, 'type'],
    ['an unknown time in force', { type: 'limit', price: '1', timeInForce: 'GTD' }, 'timeInForce'],
    ['a huge price', { type: 'limit', price: '9'.repeat(30) }, 'price'],
    ['an oversized client order id', { clientOrderId: 'x'.repeat(37) }, 'clientOrderId'],
  ])('refuses %s with BAD_REQUEST on the field, storing nothing', async (_n, extra, field) => {
    const err = await trpcError(api.trade.placeOrder({ ...buy('0.1'), ...extra } as never));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(new RegExp(field));
    expect(await t.db.order.count({ where: { accountId } })).toBe(0);
  });

  it('refuses cursors past int4, times past year 9999 and two order references', async () => {
    for (const call of [
      () => api.trade.fills({ accountId, cursor: 2147483648 }),
      () => api.trade.orderHistory({ accountId, from: 9007199254740991 }),
      () => api.trade.ledger({ accountId, limit: 101 }),
      () => api.trade.cancelOrder({ accountId, orderNo: '1', clientOrderId: 'x' }),
      () => api.trade.cancelOrder({ accountId }),
      () => api.trade.order({ accountId, orderNo: '99999999999999999999' }),
      () => api.trade.setLeverage({ accountId, symbol: 'BTCUSDT', leverage: 1.5 }),
      () => api.trade.adjustMargin({ accountId, symbol: 'BTCUSDT', action: 'add', amount: '-5' }),
    ])
      expect((await trpcError(call())).code).toBe('BAD_REQUEST');
  });
});

describe('refusals', () => {
  it('carry the engine code as reason and the field, over the wire too', async () => {
    const err = await trpcError(api.trade.placeOrder(buy('10')));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.cause).toMatchObject({ reason: 'INSUFFICIENT_MARGIN' });

    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://localhost/api/trpc/trade.placeOrder', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...buy('0.0001') }),
      }),
      router: appRouter,
      createContext: () => ({
        db: t.db,
        prices,
        ip: '127.0.0.1',
        user: { id: u.user.id, email: u.email, displayName: 'T', role: 'TRADER' as const },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { message: string; data: Record<string, unknown> };
    };
    expect(body.error.data).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'quantity',
      reason: 'QUANTITY_NOT_ON_STEP',
    });
    expect(body.error.message).toBe('Quantity must be a multiple of the lot size');
  });

  it('on a halted market say so', async () => {
    prices.set('BTCUSDT', { markPrice: '50000', status: 'halted' });
    const err = await trpcError(api.trade.placeOrder(buy('0.1')));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.cause).toMatchObject({ reason: 'MARKET_HALTED', field: 'symbol' });
  });
});

describe('a trade through the API', () => {
  it('place, read, amend, cancel, close: the read models follow', async () => {
    await api.trade.setLeverage({ accountId, symbol: 'BTCUSDT', leverage: 10 });
    const placed = await api.trade.placeOrder({ ...buy('0.2'), clientOrderId: 'entry-1' });
    expect(placed.order.status).toBe('filled');
    const again = await api.trade.placeOrder({ ...buy('0.2'), clientOrderId: 'entry-1' });
    expect(again).toMatchObject({ duplicate: true, order: { id: placed.order.id } });

    const limit = await api.trade.placeOrder({
      accountId,
      symbol: 'ETHUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '1',
      price: '2900',
    });
    await api.trade.amendOrder({ accountId, orderNo: limit.order.orderNo, price: '2950' });
    const open = await api.trade.openOrders({ accountId });
    expect(open.items.map((o) => [o.symbol, o.price])).toEqual([['ETHUSDT', '2950']]);

    const summary = await api.trade.summary({ accountId });
    // margin: 10,000 / 10 = 1,000 (position) + 2,950 / 20 = 147.5 (open order); fee 5
    expect(summary).toMatchObject({
      walletBalance: '9995',
      positionInitialMargin: '1000',
      openOrderMargin: '147.5',
      availableBalance: '8847.5',
      openPositions: 1,
      openOrders: 1,
    });
    const [pos] = await api.trade.positions({ accountId });
    expect(pos).toMatchObject({ symbol: 'BTCUSDT', quantity: '0.2', leverage: 10, roe: '0' });

    await api.trade.cancelAllOrders({ accountId });
    prices.set('BTCUSDT', { markPrice: '51000', lastPrice: '51000' });
    const closed = await api.trade.closePosition({ accountId, symbol: 'BTCUSDT' });
    expect(closed.fills.map((f) => f.realizedPnl)).toEqual(['200']);
    expect(await api.trade.positions({ accountId })).toEqual([]);
    const fills = await api.trade.fills({ accountId, limit: 10 });
    expect(fills.items.map((f) => f.side)).toEqual(['sell', 'buy']);
    const history = await api.trade.orderHistory({ accountId });
    expect(history.items.map((o) => o.status)).toEqual(['filled', 'canceled', 'filled']);
    expect(await ledgerTotal(t.db)).toBe('0');
    await expectConsistent(t.db, accountId);
  });
});

describe('200 simultaneous orders on one account', () => {
  it('never overspend it, and every accepted order is stored', async () => {
    // each market buy of 0.1 BTC needs 5,000 / 20 = 250 of margin and 2.5 of fee; each resting
    // buy of 0.1 at 49,000 reserves 245; 10,000 of wallet pays for about 39 of them
    const requests = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 3
        ? ({
            accountId,
            symbol: 'BTCUSDT',
            side: 'buy',
            type: 'limit',
            quantity: '0.1',
            price: '49000',
          } as const)
        : buy('0.1'),
    );
    const checks: Array<Promise<void>> = [];
    const outcomes = await Promise.all(
      requests.map((r) =>
        api.trade.placeOrder(r).then(
          (placed) => {
            checks.push(
              rawAvailable().then(({ available, crossWallet }) => {
                expect(available.gte(0)).toBe(true);
                expect(crossWallet.gte(0)).toBe(true);
              }),
            );
            return { ok: true as const, id: placed.order.id };
          },
          (e: { code?: string; cause?: { reason?: string } }) => ({
            ok: false as const,
            code: e.code,
            reason: e.cause?.reason,
          }),
        ),
      ),
    );
    await Promise.all(checks);
    const accepted = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => !o.ok);
    // nothing failed unexpectedly: only margin refusals and the per-account queue's limit
    expect(new Set(refused.map((o) => `${o.code}:${o.reason}`))).toEqual(
      new Set(['PRECONDITION_FAILED:INSUFFICIENT_MARGIN', 'TOO_MANY_REQUESTS:undefined']),
    );
    expect(refused.filter((o) => o.code === 'TOO_MANY_REQUESTS').length).toBeLessThanOrEqual(
      200 - MAX_QUEUED_PER_ACCOUNT,
    );
    expect(accepted.length).toBeGreaterThan(20);
    expect(await t.db.order.count({ where: { accountId } })).toBe(accepted.length);
    expect(new Set(accepted.map((o) => o.id)).size).toBe(accepted.length);
    const end = await rawAvailable();
    expect(end.available.gte(0)).toBe(true);
    const summary = await api.trade.summary({ accountId });
    expect(Number(summary.availableBalance)).toBeLessThan(260);
    const unbalanced = await t.db.$queryRaw<unknown[]>`
      SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
    expect(unbalanced).toEqual([]);
    expect(await ledgerTotal(t.db)).toBe('0');
    await expectConsistent(t.db, accountId);
  });
});
