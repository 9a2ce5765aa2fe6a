// The batch path (runOnAccounts: one lock statement, bulk loads and bulk writes) stores exactly
// what the single-account path stores for the same engine operations, and every account stays
// consistent (replay == stored, ledger book == wallet, every ledger transaction balanced).
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
import { loadAccountStates, type LoadedAccount } from '../src/engine-state.ts';
import { runOnAccount, runOnAccounts, systemActor, type Step } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';

const t = useTestDb();
const system = systemActor('test-worker');

const marketAt = (marks: Record<string, string>): Market => ({
  instruments: CATALOGUE,
  marks: Object.fromEntries(Object.entries(marks).map(([s, m]) => [s, new Decimal(m)])),
  lastPrices: {},
});
const m0 = marketAt({ BTCUSDT: '50000', ETHUSDT: '3000' });

/** Isolated BTC long at 50x, a cross ETH long with a resting sell, and a stop: one per variant. */
function setup(i: number) {
  return (l: LoadedAccount): Step<null> => {
    let a = l.engine;
    const events = [];
    const steps = [
      (x: typeof a) => setMarginMode(x, m0, 'BTCUSDT', 'isolated', 1),
      (x: typeof a) => setLeverage(x, m0, 'BTCUSDT', 50, 2),
      (x: typeof a) =>
        placeOrder(
          x,
          m0,
          { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: ['0.1', '0.11', '0.12'][i]! },
          { now: 3 },
        ),
      (x: typeof a) =>
        placeOrder(
          x,
          m0,
          { symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '1' },
          { now: 4 },
        ),
      (x: typeof a) =>
        placeOrder(
          x,
          m0,
          { symbol: 'ETHUSDT', side: 'sell', type: 'limit', price: '3100', quantity: '0.5' },
          { now: 5 },
        ),
      (x: typeof a) =>
        placeOrder(
          x,
          m0,
          {
            symbol: 'ETHUSDT',
            side: 'sell',
            type: 'stopMarket',
            stopPrice: '2500',
            quantity: '0.5',
            reduceOnly: true,
          },
          { now: 6 },
        ),
    ];
    for (const f of steps) {
      const r = f(a);
      a = r.account;
      events.push(...r.events);
    }
    return { result: { account: a, events }, context: { market: m0 }, value: null };
  };
}

/** BTC falls to 48,000 (the isolated long is liquidated), ETH trades up through the resting sell. */
function tick(l: LoadedAccount): Step<null> {
  const a = onPrice(l.engine, m0, 'BTCUSDT', { markPrice: new Decimal('48000') }, 10);
  const b = onPrice(
    a.account,
    a.market,
    'ETHUSDT',
    { markPrice: new Decimal('3100'), lastPrice: new Decimal('3100') },
    11,
  );
  return {
    result: { account: b.account, events: [...a.events, ...b.events] },
    context: { market: b.market },
    value: null,
  };
}

async function storedRows(accountId: string) {
  const strip = <T extends Record<string, unknown>>(rows: T[], drop: string[]) =>
    rows.map((r) => {
      const o: Record<string, unknown> = { ...r };
      for (const k of drop) delete o[k];
      return JSON.parse(
        JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      ) as unknown;
    });
  const orders = await t.db.order.findMany({ where: { accountId }, orderBy: { seq: 'asc' } });
  return {
    // from seq 2: accountOpened carries the wall-clock time of the sign-up
    events: strip(
      await t.db.accountEvent.findMany({
        where: { accountId, seq: { gt: 1 } },
        orderBy: { seq: 'asc' },
      }),
      ['id', 'accountId', 'createdAt'],
    ).map((e) => {
      const x = e as { payload: Record<string, unknown> };
      return JSON.stringify(x).replaceAll(accountId, 'A');
    }),
    orders: strip(orders, ['id', 'accountId', 'orderNo', 'parentId']),
    history: strip(
      await t.db.orderStatusChange.findMany({
        where: { orderId: { in: orders.map((o) => o.id) } },
        orderBy: { id: 'asc' },
      }),
      ['id', 'orderId'],
    ),
    fills: strip(await t.db.fill.findMany({ where: { accountId }, orderBy: { id: 'asc' } }), [
      'id',
      'accountId',
      'orderId',
      'liquidationId',
    ]),
    liquidations: strip(await t.db.liquidation.findMany({ where: { accountId } }), [
      'id',
      'accountId',
      'ordersCanceled',
    ]),
    positions: strip(await t.db.position.findMany({ where: { accountId } }), [
      'accountId',
      'openedAt',
      'updatedAt',
    ]),
    settings: strip(await t.db.accountSymbolSetting.findMany({ where: { accountId } }), [
      'accountId',
    ]),
    ledger: strip(
      await t.db.ledgerEntry.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
      ['id', 'txId', 'accountId', 'createdAt', 'book'],
    ),
    account: strip(
      [await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } })],
      ['id', 'userId', 'createdAt', 'name'],
    ),
  };
}

describe('the batch path', () => {
  it('stores for many accounts in one transaction exactly what the single path stores for each', async () => {
    const single = await Promise.all([0, 1, 2].map(() => createUser(t.db)));
    const batch = await Promise.all([0, 1, 2].map(() => createUser(t.db)));
    for (const [i, u] of single.entries()) {
      await runOnAccount(t.db, system, u.accountId, setup(i));
      await runOnAccount(t.db, system, u.accountId, tick);
    }
    const ids = batch.map((u) => u.accountId);
    const index = new Map(ids.map((id, i) => [id, i]));
    await runOnAccounts(t.db, ids, (accounts) => {
      return new Map(accounts.map((l) => [l.id, setup(index.get(l.id)!)(l)]));
    });
    const out = await runOnAccounts(
      t.db,
      ids,
      (accounts) => new Map(accounts.map((l) => [l.id, tick(l)])),
    );
    expect(out.size).toBe(3);
    for (const o of out.values())
      expect(o.persisted?.events.map((e) => e.type)).toContain('liquidation');
    for (let i = 0; i < 3; i++) {
      await expectConsistent(t.db, single[i]!.accountId);
      await expectConsistent(t.db, batch[i]!.accountId);
      const a = await storedRows(single[i]!.accountId);
      const b = await storedRows(batch[i]!.accountId);
      expect(b).toEqual(a);
    }
    // the liquidation's fill points at its liquidation row
    const liq = await t.db.liquidation.findFirstOrThrow({ where: { accountId: ids[0]! } });
    const fill = await t.db.fill.findFirstOrThrow({
      where: { accountId: ids[0]!, isLiquidation: true },
    });
    expect(fill.liquidationId).toBe(liq.id);
  });

  it('skips accounts that do not exist and writes nothing for accounts without a step', async () => {
    const u = await createUser(t.db);
    const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: u.accountId } });
    const missing = '00000000-0000-4000-8000-000000000000';
    const seen: string[] = [];
    const out = await runOnAccounts(t.db, [missing, u.accountId], (accounts) => {
      seen.push(...accounts.map((a) => a.id));
      return new Map();
    });
    expect(seen).toEqual([u.accountId]);
    expect(out.size).toBe(0);
    expect(await t.db.paperAccount.findUniqueOrThrow({ where: { id: u.accountId } })).toEqual(
      before,
    );
  });

  it('takes a state the caller holds at the locked version instead of loading it again', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => createUser(t.db)));
    const ids = [a!.accountId, b!.accountId, c!.accountId];
    const held = await loadAccountStates(t.db, ids);
    // b changes after the caller read it; c's known state disagrees with its row at its version
    await runOnAccount(t.db, system, b!.accountId, (l) => ({
      result: setLeverage(l.engine, m0, 'BTCUSDT', 7, 1),
      context: { market: m0 },
      value: null,
    }));
    const cHeld = held.get(c!.accountId)!;
    const known = new Map([
      [
        a!.accountId,
        { account: held.get(a!.accountId)!.engine, version: held.get(a!.accountId)!.version },
      ],
      [
        b!.accountId,
        { account: held.get(b!.accountId)!.engine, version: held.get(b!.accountId)!.version },
      ],
      [
        c!.accountId,
        {
          account: { ...cHeld.engine, walletBalance: cHeld.engine.walletBalance.plus(1) },
          version: cHeld.version,
        },
      ],
    ]);
    const seen = new Map<string, LoadedAccount>();
    await runOnAccounts(
      t.db,
      ids,
      (accounts) => {
        for (const l of accounts) seen.set(l.id, l);
        return new Map();
      },
      { known: (id) => known.get(id) },
    );
    expect([...seen.keys()]).toEqual([...ids].sort());
    expect(seen.get(a!.accountId)!.engine).toBe(known.get(a!.accountId)!.account);
    expect(seen.get(a!.accountId)!.version).toBe(held.get(a!.accountId)!.version);
    // loaded again: the stored state, not the one the caller held
    const fresh = await loadAccountStates(t.db, [b!.accountId, c!.accountId]);
    for (const id of [b!.accountId, c!.accountId]) {
      expect(seen.get(id)!.engine).not.toBe(known.get(id)!.account);
      expect(seen.get(id)).toEqual(fresh.get(id));
    }
    expect(seen.get(b!.accountId)!.engine.settings.BTCUSDT?.leverage).toBe(7);
  });
});
