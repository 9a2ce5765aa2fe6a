// Paper accounts through the API, with real trading against fixed prices: equity is valued at the
// latest marks, and reset and archive cancel the orders and close the positions at the mark in
// the same transaction (issue 14 item 7), with the ledger balanced and the account equal to the
// replay of its events.
import { StaticPrices } from '@lab/services';
import { describe, expect, it } from 'vitest';
import { expectConsistent, ledgerBalancesAfterEach } from '@lab/services/testing/vitest';
import { callerFor, createUser } from '../src/testing/index.ts';
import { ledgerTotal, trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();
ledgerBalancesAfterEach(t);

const marketPrices = () =>
  new StaticPrices()
    .set('BTCUSDT', { markPrice: '60000', lastPrice: '60000' })
    .set('ETHUSDT', { markPrice: '3000', lastPrice: '3000' })
    .set('SOLUSDT', { markPrice: '150', lastPrice: '150' });

async function signedIn(prices = marketPrices()) {
  const u = await createUser(t.db);
  return { ...u, prices, api: callerFor(t.db, u.user, '127.0.0.1', prices) };
}

async function bookSum(accountId: string) {
  const agg = await t.db.ledgerEntry.aggregate({
    where: { book: `account:${accountId}` },
    _sum: { amount: true },
  });
  return agg._sum.amount?.toFixed() ?? '0';
}

describe('account.list / get', () => {
  it('lists the personal account with equity = wallet and zero PnL', async () => {
    const { api, accountId } = await signedIn();
    const list = await api.account.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: accountId,
      kind: 'PERSONAL',
      status: 'ACTIVE',
      asset: 'USDT',
      startingBalance: '10000',
      walletBalance: '10000',
      unrealizedPnl: '0',
      equity: '10000',
      pnl: '0',
      pnlPercent: '0.00',
      openPositions: 0,
    });
  });

  it('values positions at the latest mark: equity = wallet (isolated margin included) + unrealized PnL', async () => {
    const { api, accountId, user, prices } = await signedIn();
    // long 0.5 BTC at 60,000 (cross), short 2 ETH at 3,000 (isolated, 10x: 600 of margin)
    await api.trade.placeOrder({
      accountId,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.5',
    });
    await api.trade.setMarginMode({ accountId, symbol: 'ETHUSDT', marginMode: 'isolated' });
    await api.trade.setLeverage({ accountId, symbol: 'ETHUSDT', leverage: 10 });
    await api.trade.placeOrder({
      accountId,
      symbol: 'ETHUSDT',
      side: 'sell',
      type: 'market',
      quantity: '2',
    });
    prices.set('BTCUSDT', { markPrice: '61000', lastPrice: '61000' });
    // fees: 0.5 x 60,000 x 0.05% = 15 and 2 x 3,000 x 0.05% = 3: wallet 9,982 (ETH's 600 in it)
    // unrealized = 0.5 x (61,000 - 60,000) = 500; equity 10,482; pnl +482 = +4.82 %
    const a = await api.account.get({ accountId });
    expect(a).toMatchObject({
      walletBalance: '9982',
      unrealizedPnl: '500',
      equity: '10482',
      pnl: '482',
      pnlPercent: '4.82',
      openPositions: 2,
      unpricedSymbols: [],
    });
    // where no ETH price is known yet, ETH is valued at its entry and reported unpriced
    const btcOnly = new StaticPrices().set('BTCUSDT', { markPrice: '61000' });
    const b = await callerFor(t.db, user, '127.0.0.1', btcOnly).account.get({ accountId });
    expect(b).toMatchObject({ equity: '10482', unpricedSymbols: ['ETHUSDT'] });
    await expectConsistent(t.db, accountId);
  });
});

describe('account.open', () => {
  it('opens a funded extra account, balanced in the ledger', async () => {
    const { api } = await signedIn();
    const a = await api.account.open({ name: '  Scalping   lab ', startingBalance: '2500.50' });
    expect(a).toMatchObject({
      name: 'Scalping lab',
      kind: 'EXTRA',
      startingBalance: '2500.5',
      equity: '2500.5',
    });
    expect(await bookSum(a.id)).toBe('2500.5');
    expect(await ledgerTotal(t.db)).toBe('0');
    expect((await api.account.list()).map((x) => x.name)).toEqual(['Personal', 'Scalping lab']);
  });

  it.each([
    ['below the minimum', '99.99', /between 100 and 1,000,000 USDT/],
    ['above the maximum', '1000000.01', /between 100 and 1,000,000 USDT/],
    ['more than 2 decimals', '150.001', /2 decimal places/],
  ])(
    'rejects a starting balance %s on the startingBalance field',
    async (_n, startingBalance, msg) => {
      const { api } = await signedIn();
      const err = await trpcError(api.account.open({ name: 'X', startingBalance }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toMatch(msg);
      expect((err.cause as { field?: string }).field).toBe('startingBalance');
    },
  );

  it('rejects a malformed amount, an empty and an overlong name', async () => {
    const { api } = await signedIn();
    expect((await trpcError(api.account.open({ name: 'X', startingBalance: '1e5' }))).code).toBe(
      'BAD_REQUEST',
    );
    expect((await trpcError(api.account.open({ name: '  ', startingBalance: '500' }))).code).toBe(
      'BAD_REQUEST',
    );
    expect(
      (await trpcError(api.account.open({ name: 'n'.repeat(65), startingBalance: '500' }))).code,
    ).toBe('BAD_REQUEST');
    expect(await api.account.list()).toHaveLength(1);
  });

  it('keeps names unique (ignoring case) among active accounts', async () => {
    const { api } = await signedIn();
    await api.account.open({ name: 'Swing', startingBalance: '1000' });
    const err = await trpcError(api.account.open({ name: 'swing', startingBalance: '1000' }));
    expect(err.code).toBe('CONFLICT');
    expect((err.cause as { field?: string }).field).toBe('name');
  });

  it('allows at most 10 active accounts, even when opened all at once', async () => {
    const { api, user } = await signedIn();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        api.account.open({ name: `Acc ${i}`, startingBalance: '100' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
    expect(await t.db.paperAccount.count({ where: { userId: user.id, status: 'ACTIVE' } })).toBe(
      10,
    );
    const err = await trpcError(api.account.open({ name: 'One more', startingBalance: '100' }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(await ledgerTotal(t.db)).toBe('0');
  });
});

describe('account.reset', () => {
  it('cancels the orders and closes the positions at the mark, restores the settings and the starting balance, in one transaction', async () => {
    const { api, prices } = await signedIn();
    const a = await api.account.open({ name: 'Reset me', startingBalance: '5000' });
    const accountId = a.id;
    await api.trade.setLeverage({ accountId, symbol: 'BTCUSDT', leverage: 5 });
    await api.trade.setMarginMode({ accountId, symbol: 'SOLUSDT', marginMode: 'isolated' });
    await api.trade.placeOrder({
      accountId,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    await api.trade.placeOrder({
      accountId,
      symbol: 'SOLUSDT',
      side: 'sell',
      type: 'market',
      quantity: '10',
    });
    await api.trade.placeOrder({
      accountId,
      symbol: 'ETHUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.5',
      price: '2800',
    });
    // the market falls: BTC is closed at its mark, 58,000, a loss of 200
    prices.set('BTCUSDT', { markPrice: '58000', lastPrice: '58000' });
    const eventsBefore = await t.db.accountEvent.count({ where: { accountId } });
    const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });

    const after = await api.account.reset({ accountId });
    expect(after).toMatchObject({
      walletBalance: '5000',
      equity: '5000',
      pnl: '0',
      openPositions: 0,
    });
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    expect(await t.db.order.count({ where: { accountId, status: 'new' } })).toBe(0);
    const closes = await t.db.fill.findMany({
      where: { accountId, eventSeq: { gt: before.lastEventSeq } },
      orderBy: { eventSeq: 'asc' },
    });
    // the isolated position closes first; at the mark and without fee
    expect(closes.map((f) => [f.symbol, f.price.toFixed(), f.fee.toFixed()])).toEqual([
      ['SOLUSDT', '150', '0'],
      ['BTCUSDT', '58000', '0'],
    ]);
    expect(closes[1]!.realizedPnl.toFixed()).toBe('-200');
    const settings = await api.trade.settings({ accountId });
    expect(settings.filter((s) => s.leverage !== 20 || s.marginMode !== 'cross')).toEqual([]);
    expect(await bookSum(accountId)).toBe('5000');
    expect(await ledgerTotal(t.db)).toBe('0');
    // one transaction: one version step, every event in one contiguous range
    const row = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(row.version).toBe(before.version + 1);
    const events = await t.db.accountEvent.findMany({
      where: { accountId, seq: { gt: eventsBefore } },
      orderBy: { seq: 'asc' },
    });
    // the engine's deposit moves the money back; the summary follows it
    expect(events.at(-2)).toMatchObject({ type: 'deposit' });
    expect(events.at(-1)).toMatchObject({ type: 'accountReset' });
    expect(events.filter((e) => e.type === 'orderCanceled')).toHaveLength(1);
    await expectConsistent(t.db, accountId);
  });

  it('posts nothing to the ledger when the account is already at its starting balance', async () => {
    const { api, accountId } = await signedIn();
    const n = await t.db.ledgerEntry.count();
    await api.account.reset({ accountId });
    expect(await t.db.ledgerEntry.count()).toBe(n);
  });

  it('serialises concurrent resets (row lock): only the first has something to undo', async () => {
    const { api, accountId } = await signedIn();
    await api.trade.placeOrder({
      accountId,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    await Promise.all(Array.from({ length: 5 }, () => api.account.reset({ accountId })));
    expect(await bookSum(accountId)).toBe('10000');
    const seqs = (
      await t.db.accountEvent.findMany({ where: { accountId }, orderBy: { seq: 'asc' } })
    ).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(await t.db.accountEvent.count({ where: { accountId, type: 'deposit' } })).toBe(1);
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    expect(await ledgerTotal(t.db)).toBe('0');
    await expectConsistent(t.db, accountId);
  });
});

describe('account.archive / restore / rename', () => {
  it('archives an extra account, hides it from the default list, and restores it', async () => {
    const { api } = await signedIn();
    const a = await api.account.open({ name: 'Old', startingBalance: '1000' });
    const archived = await api.account.archive({ accountId: a.id });
    expect(archived.status).toBe('ARCHIVED');
    expect(archived.archivedAt).not.toBeNull();
    expect((await api.account.list()).map((x) => x.id)).not.toContain(a.id);
    expect((await api.account.list({ includeArchived: true })).map((x) => x.id)).toContain(a.id);
    expect((await trpcError(api.account.reset({ accountId: a.id }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect((await trpcError(api.account.archive({ accountId: a.id }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    // Its name is free again among active accounts…
    const b = await api.account.open({ name: 'Old', startingBalance: '1000' });
    // …so restoring the archived one now conflicts until the new one is renamed.
    expect((await trpcError(api.account.restore({ accountId: a.id }))).code).toBe('CONFLICT');
    await api.account.rename({ accountId: b.id, name: 'Newer' });
    expect((await api.account.restore({ accountId: a.id })).status).toBe('ACTIVE');
  });

  it('refuses to archive the personal account', async () => {
    const { api, accountId } = await signedIn();
    const e1 = await trpcError(api.account.archive({ accountId }));
    expect(e1.code).toBe('PRECONDITION_FAILED');
    expect(e1.message).toMatch(/personal account cannot be archived/);
  });

  it('archiving cancels the orders and closes the positions at the mark in the same transaction', async () => {
    const { api, prices } = await signedIn();
    const a = await api.account.open({ name: 'Busy', startingBalance: '1000' });
    const accountId = a.id;
    await api.trade.placeOrder({
      accountId,
      symbol: 'SOLUSDT',
      side: 'buy',
      type: 'market',
      quantity: '3',
    });
    await api.trade.placeOrder({
      accountId,
      symbol: 'SOLUSDT',
      side: 'sell',
      type: 'limit',
      quantity: '3',
      price: '160',
      reduceOnly: true,
    });
    prices.set('SOLUSDT', { markPrice: '155', lastPrice: '155' });
    const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    const archived = await api.account.archive({ accountId });
    expect(archived).toMatchObject({ status: 'ARCHIVED', openPositions: 0 });
    // bought 3 at 150 (fee 0.225), closed at the mark 155 without fee: +15
    expect(archived.walletBalance).toBe('1014.775');
    expect(await t.db.order.count({ where: { accountId, status: 'new' } })).toBe(0);
    const row = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(row.lastEventSeq).toBeGreaterThan(before.lastEventSeq);
    // an archived account cannot trade until restored
    const err = await trpcError(
      api.trade.placeOrder({
        accountId,
        symbol: 'SOLUSDT',
        side: 'buy',
        type: 'market',
        quantity: '1',
      }),
    );
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(await ledgerTotal(t.db)).toBe('0');
    await expectConsistent(t.db, accountId);
  });

  it('renames with the same rules as open', async () => {
    const { api, accountId } = await signedIn();
    await api.account.open({ name: 'Taken', startingBalance: '1000' });
    expect((await trpcError(api.account.rename({ accountId, name: 'TAKEN' }))).code).toBe(
      'CONFLICT',
    );
    expect((await api.account.rename({ accountId, name: 'Main' })).name).toBe('Main');
  });
});

describe('money', () => {
  it('keeps decimals exact (no floats anywhere)', async () => {
    const { api } = await signedIn();
    const a = await api.account.open({ name: 'Exact', startingBalance: '100.10' });
    // fee: 0.003 x 60,000 x 0.05% = 0.09: 100.1 - 0.09 = 100.01 exactly
    await api.trade.placeOrder({
      accountId: a.id,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.003',
    });
    expect((await api.account.get({ accountId: a.id })).walletBalance).toBe('100.01');
  });
});

describe('account.events', () => {
  it('pages newest first through the account history', async () => {
    const { api, accountId } = await signedIn();
    await api.account.rename({ accountId, name: 'Main' });
    await api.trade.placeOrder({
      accountId,
      symbol: 'ETHUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    // the history is the account's activity: the fill, not the order's acceptance or the
    // position change (the order history and positions show those)
    const p1 = await api.account.events({ accountId, limit: 2 });
    expect(p1.events.map((e) => e.type)).toEqual(['fill', 'accountRenamed']);
    expect(p1.events[1]!.payload).toEqual({ from: 'Personal', to: 'Main' });
    const p2 = await api.account.events({ accountId, limit: 2, cursor: p1.nextCursor });
    expect(p2.events.map((e) => e.type)).toEqual(['accountOpened']);
    expect(p2.nextCursor).toBeNull();
  });
});
