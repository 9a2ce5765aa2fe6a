import { Prisma } from '@lab/db';
import { describe, expect, it } from 'vitest';
import { callerFor, createUser } from '../src/testing/index.ts';
import { ledgerTotal, trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();

async function signedIn() {
  const u = await createUser(t.db);
  return { ...u, api: callerFor(t.db, u.user) };
}

async function bookSum(accountId: string) {
  const agg = await t.db.ledgerEntry.aggregate({
    where: { book: `account:${accountId}` },
    _sum: { amount: true },
  });
  return agg._sum.amount?.toFixed() ?? '0';
}

async function seedMarket(symbol: string, mark: string) {
  await t.db.instrument.upsert({
    where: { symbol },
    create: { symbol, baseAsset: symbol.replace('USDT', ''), quoteAsset: 'USDT', spec: {} },
    update: {},
  });
  await t.db.marketTicker.upsert({
    where: { symbol },
    create: {
      symbol,
      lastPrice: mark,
      markPrice: mark,
      indexPrice: mark,
      fundingRate: '0.0001',
      nextFundingTime: new Date(Date.now() + 3_600_000),
      updatedAt: new Date(),
    },
    update: { markPrice: mark },
  });
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
    const { api, accountId } = await signedIn();
    await seedMarket('BTCUSDT', '61000');
    // Long 0.5 BTC from 60000 (cross), short 2 ETH from 3000 (isolated, 300 margin), ETH unpriced.
    await t.db.position.createMany({
      data: [
        {
          accountId,
          symbol: 'BTCUSDT',
          quantity: '0.5',
          entryPrice: '60000',
          marginMode: 'CROSS',
          leverage: 10,
        },
        {
          accountId,
          symbol: 'ETHUSDT',
          quantity: '-2',
          entryPrice: '3000',
          marginMode: 'ISOLATED',
          leverage: 20,
          isolatedWallet: '300',
        },
      ],
    });
    // The wallet holds all the account's USDT, the 300 of isolated ETH margin included.
    const a = await api.account.get({ accountId });
    // unrealized = 0.5 x (61000 - 60000) = 500; equity = 10000 + 500 = 10500; pnl = +500 = +5.00 %
    expect(a).toMatchObject({
      unrealizedPnl: '500',
      equity: '10500',
      pnl: '500',
      pnlPercent: '5.00',
      openPositions: 2,
    });
    expect(a.unpricedSymbols).toEqual(['ETHUSDT']);
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
  it('closes positions, clears settings, restores the starting balance with a ledger adjustment and an event', async () => {
    const { api } = await signedIn();
    const a = await api.account.open({ name: 'Reset me', startingBalance: '5000' });
    await seedMarket('BTCUSDT', '58000');
    // A losing trade happened: the wallet fell to 4200 (as the trading service will record it).
    await t.db.$transaction(async (tx) => {
      await tx.paperAccount.update({ where: { id: a.id }, data: { walletBalance: '4200' } });
      await tx.ledgerEntry.createMany({
        data: [
          {
            txId: crypto.randomUUID(),
            book: `account:${a.id}`,
            kind: 'realizedPnl',
            amount: '-800',
          },
          { txId: crypto.randomUUID(), book: 'house:treasury', kind: 'realizedPnl', amount: '800' },
        ],
      });
      await tx.position.create({
        data: {
          accountId: a.id,
          symbol: 'BTCUSDT',
          quantity: '0.1',
          entryPrice: '60000',
          marginMode: 'CROSS',
          leverage: 5,
        },
      });
      await tx.accountSymbolSetting.create({
        data: { accountId: a.id, symbol: 'BTCUSDT', leverage: 5, marginMode: 'CROSS' },
      });
    });
    const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: a.id } });

    const after = await api.account.reset({ accountId: a.id });
    expect(after).toMatchObject({
      walletBalance: '5000',
      equity: '5000',
      pnl: '0',
      openPositions: 0,
    });
    expect(await t.db.position.count({ where: { accountId: a.id } })).toBe(0);
    expect(await t.db.accountSymbolSetting.count({ where: { accountId: a.id } })).toBe(0);
    expect(await bookSum(a.id)).toBe('5000');
    expect(await ledgerTotal(t.db)).toBe('0');
    const row = await t.db.paperAccount.findUniqueOrThrow({ where: { id: a.id } });
    expect(row.version).toBe(before.version + 1);
    const { events } = await api.account.events({ accountId: a.id, limit: 10 });
    expect(events.map((e) => e.type)).toEqual(['accountReset', 'deposit', 'accountOpened']);
    expect(events[0]!.payload).toMatchObject({
      previousWalletBalance: '4200',
      walletBalance: '5000',
      adjustment: '800',
      clearedSettings: 1,
      closedPositions: [
        { symbol: 'BTCUSDT', quantity: '0.1', entryPrice: '60000', markPrice: '58000' },
      ],
    });
  });

  it('posts nothing to the ledger when the account is already at its starting balance', async () => {
    const { api, accountId } = await signedIn();
    const n = await t.db.ledgerEntry.count();
    await api.account.reset({ accountId });
    expect(await t.db.ledgerEntry.count()).toBe(n);
  });

  it('serialises concurrent resets (row lock): events stay gapless, book equals the start', async () => {
    const { api, accountId } = await signedIn();
    await t.db.ledgerEntry.createMany({
      data: [
        { txId: crypto.randomUUID(), book: `account:${accountId}`, kind: 'fee', amount: '-12.345' },
        { txId: crypto.randomUUID(), book: 'house:fees', kind: 'fee', amount: '12.345' },
      ],
    });
    await Promise.all(Array.from({ length: 5 }, () => api.account.reset({ accountId })));
    expect(await bookSum(accountId)).toBe('10000');
    const seqs = (
      await t.db.accountEvent.findMany({ where: { accountId }, orderBy: { seq: 'asc' } })
    ).map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Only the first reset had something to adjust.
    expect(
      await t.db.ledgerEntry.count({ where: { book: `account:${accountId}`, kind: 'reset' } }),
    ).toBe(1);
    expect(await ledgerTotal(t.db)).toBe('0');
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

  it('refuses to archive the personal account and an account with open positions', async () => {
    const { api, accountId } = await signedIn();
    const e1 = await trpcError(api.account.archive({ accountId }));
    expect(e1.code).toBe('PRECONDITION_FAILED');
    expect(e1.message).toMatch(/personal account cannot be archived/);
    const a = await api.account.open({ name: 'Busy', startingBalance: '1000' });
    await t.db.position.create({
      data: {
        accountId: a.id,
        symbol: 'SOLUSDT',
        quantity: '1',
        entryPrice: '150',
        marginMode: 'CROSS',
        leverage: 3,
      },
    });
    expect((await trpcError(api.account.archive({ accountId: a.id }))).message).toMatch(
      /positions/,
    );
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
    await t.db.paperAccount.update({
      where: { id: a.id },
      data: { walletBalance: new Prisma.Decimal('100.1').minus('0.2') },
    });
    expect((await api.account.get({ accountId: a.id })).walletBalance).toBe('99.9');
  });
});

describe('account.events', () => {
  it('pages newest first through the account history', async () => {
    const { api, accountId } = await signedIn();
    await api.account.rename({ accountId, name: 'Main' });
    await api.account.reset({ accountId });
    const p1 = await api.account.events({ accountId, limit: 2 });
    expect(p1.events.map((e) => [e.seq, e.type])).toEqual([
      [4, 'accountReset'],
      [3, 'accountRenamed'],
    ]);
    expect(p1.events[1]!.payload).toEqual({ from: 'Personal', to: 'Main' });
    const p2 = await api.account.events({ accountId, limit: 2, cursor: p1.nextCursor });
    expect(p2.events.map((e) => e.type)).toEqual(['deposit', 'accountOpened']);
    expect(p2.nextCursor).toBeNull();
  });
});
