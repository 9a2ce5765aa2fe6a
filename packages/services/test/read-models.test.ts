// Read models of an account after real trading: the summary and positions carry the engine's
// figures, the lists page newest first by cursor without gaps or repeats, and the house books
// show where every movement of money went.
import { Decimal } from '@lab/margin-engine';
import { beforeEach, describe, expect, it } from 'vitest';
import { houseBooks, listInsuranceMovements } from '../src/trading/house.ts';
import {
  closePosition,
  placeOrder,
  setLeverage,
  setMarginMode,
  type PlaceOrderRequest,
} from '../src/trading/orders.ts';
import type { StaticPrices } from '../src/trading/prices.ts';
import {
  getOrder,
  getSymbolSettings,
  getTradingSummary,
  listFills,
  listFundingPayments,
  listLedger,
  listLiquidations,
  listOpenOrders,
  listOrderHistory,
  listPositions,
  type Page,
} from '../src/trading/read-models.ts';
import { userActor, type Actor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import {
  figuresOfStored,
  fund,
  ledgerBalancesAfterEach,
  testPrices,
  tick,
  worker,
} from './trading-helpers.ts';

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

/**
 * Every item of a paged list, following nextCursor; checks that pages never overlap: the cursor
 * is the last item's seq (or what `cursorOf` says it is).
 */
async function allPages<T extends { seq: number }>(
  get: (cursor: number | null) => Promise<Page<T>>,
  cursorOf: (page: readonly T[]) => number = (page) => page.at(-1)!.seq,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: number | null = null;
  for (let i = 0; i < 100; i++) {
    const p = await get(cursor);
    pages.push(p.items);
    if (p.nextCursor === null) break;
    expect(p.nextCursor).toBe(cursorOf(p.items));
    cursor = p.nextCursor;
  }
  return pages;
}

describe('summary and positions', () => {
  it('are the engine figures at the current marks, with funding paid since the position opened', async () => {
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 10 });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.2' });
    await place({ symbol: 'ETHUSDT', side: 'sell', type: 'market', quantity: '1' });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.1', price: '45000' });
    // funding: longs pay 0.0001 x 0.2 x 50,000 = 1; the short receives 0.0001 x 3,000 = 0.3
    await fund(t.db, prices, accountId, { BTCUSDT: '0.0001', ETHUSDT: '0.0001' }, Date.now());
    prices.set('BTCUSDT', { markPrice: '51000', lastPrice: '51000' });

    const summary = await getTradingSummary(t.db, prices, me, accountId);
    const oracle = await figuresOfStored(t.db, prices, accountId);
    expect(summary).toMatchObject({ ...oracle.account, openPositions: 2, openOrders: 1 });
    // wallet: 10,000 - fees (5 + 1.5) - 1 + 0.3 = 9,992.8; unrealized 0.2 x 1,000 = 200
    expect([summary.walletBalance, summary.unrealizedPnl, summary.marginBalance]).toEqual([
      '9992.8',
      '200',
      '10192.8',
    ]);

    const positions = await listPositions(t.db, prices, me, accountId);
    expect(positions.map((p) => [p.symbol, p.quantity, p.markPrice, p.fundingPaid])).toEqual([
      ['BTCUSDT', '0.2', '51000', '1'],
      ['ETHUSDT', '-1', '3000', '-0.3'],
    ]);
    expect(positions.map(({ openedAt: _o, fundingPaid: _f, marketStatus: _m, ...f }) => f)).toEqual(
      oracle.positions,
    );
    expect(positions.every((p) => p.marketStatus === 'live' && p.openedAt > 0)).toBe(true);

    // a position closed and opened again starts counting its funding afresh
    await closePosition(t.db, prices, me, accountId, { symbol: 'BTCUSDT' });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const [btc] = await listPositions(t.db, prices, me, accountId);
    expect(btc).toMatchObject({ symbol: 'BTCUSDT', fundingPaid: '0' });
    await expectConsistent(t.db, accountId);
  });

  it('settings list every symbol with its defaults, and the ones set', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'SOLUSDT', marginMode: 'isolated' });
    const all = await getSymbolSettings(t.db, me, accountId);
    expect(all.find((s) => s.symbol === 'SOLUSDT')).toEqual({
      symbol: 'SOLUSDT',
      leverage: 20,
      marginMode: 'isolated',
      maxLeverage: 50,
      marginModes: ['cross', 'isolated'],
      marketRule: null,
    });
    expect(all.find((s) => s.symbol === 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      leverage: 20,
      marginMode: 'cross',
      maxLeverage: 125,
      marginModes: ['cross', 'isolated'],
      marketRule: null,
    });
    await expect(
      getSymbolSettings(t.db, me, accountId, { symbol: 'NOPEUSDT' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_SYMBOL' });
  });

  it("another user's account reads as NOT_FOUND everywhere", async () => {
    const other = userActor((await createUser(t.db)).user.id);
    const q = { limit: 10 };
    for (const read of [
      () => getTradingSummary(t.db, prices, other, accountId),
      () => listPositions(t.db, prices, other, accountId),
      () => getSymbolSettings(t.db, other, accountId),
      () => listOpenOrders(t.db, other, accountId, q),
      () => listOrderHistory(t.db, other, accountId, q),
      () => listFills(t.db, other, accountId, q),
      () => listFundingPayments(t.db, other, accountId, q),
      () => listLiquidations(t.db, other, accountId, q),
      () => listLedger(t.db, other, accountId, q),
      () => getOrder(t.db, other, accountId, { orderNo: '1' }),
    ])
      await expect(read()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // the system reads any account
    await expect(getTradingSummary(t.db, prices, worker, accountId)).resolves.toBeTruthy();
  });
});

describe('lists', () => {
  it('orders: open and history page newest first; one order by id, number or client id', async () => {
    for (let i = 0; i < 7; i++)
      await place({
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.01',
        price: String(45000 + i * 10),
        clientOrderId: `o-${i}`,
      });
    await place({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '0.1' });
    const open = await allPages((cursor) =>
      listOpenOrders(t.db, me, accountId, { limit: 3, cursor }),
    );
    expect(open.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(open.flat().map((o) => o.clientOrderId)).toEqual([
      'o-6',
      'o-5',
      'o-4',
      'o-3',
      'o-2',
      'o-1',
      'o-0',
    ]);
    const history = (
      await allPages((cursor) => listOrderHistory(t.db, me, accountId, { limit: 5, cursor }))
    ).flat();
    expect(history.map((o) => o.status)).toEqual(['filled', ...Array<string>(7).fill('new')]);
    const eth = await listOrderHistory(t.db, me, accountId, { limit: 5, symbol: 'ETHUSDT' });
    expect(eth.items.map((o) => o.symbol)).toEqual(['ETHUSDT']);

    const o3 = open.flat().find((o) => o.clientOrderId === 'o-3')!;
    expect(await getOrder(t.db, me, accountId, { orderId: o3.id })).toEqual(o3);
    expect(await getOrder(t.db, me, accountId, { orderNo: o3.orderNo })).toEqual(o3);
    expect(await getOrder(t.db, me, accountId, { clientOrderId: 'o-3' })).toEqual(o3);
    await expect(getOrder(t.db, me, accountId, { clientOrderId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      field: 'clientOrderId',
    });
  });

  it('fills, funding payments, liquidations and the ledger page by cursor', async () => {
    for (let i = 0; i < 4; i++)
      await place({
        symbol: 'SOLUSDT',
        side: i % 2 ? 'sell' : 'buy',
        type: 'market',
        quantity: '2',
      });
    await place({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '1' });
    const base = Date.now();
    for (let i = 0; i < 3; i++)
      await fund(t.db, prices, accountId, { ETHUSDT: '0.0001' }, base + i);
    // an isolated 50x BTC long (wallet 500, maintenance 0.4%) that a fall to 49,150 liquidates
    // with margin left: 500 - 0.5 x 850 = 75 < 0.5 x 49,150 x 0.004 = 98.3
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 50 });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.5' });
    await tick(t.db, prices, accountId, 'BTCUSDT', '49150');

    const fills = (
      await allPages((cursor) => listFills(t.db, me, accountId, { limit: 2, cursor }))
    ).flat();
    expect(fills.map((f) => [f.symbol, f.isLiquidation])).toEqual([
      ['BTCUSDT', true],
      ['BTCUSDT', false],
      ['ETHUSDT', false],
      ['SOLUSDT', false],
      ['SOLUSDT', false],
      ['SOLUSDT', false],
      ['SOLUSDT', false],
    ]);
    const sol = await listFills(t.db, me, accountId, { limit: 10, symbol: 'SOLUSDT' });
    expect(sol.items).toHaveLength(4);

    const funding = (
      await allPages((cursor) => listFundingPayments(t.db, me, accountId, { limit: 2, cursor }))
    ).flat();
    // a long of 1 ETH pays 0.0001 x 3,000 = 0.3 each time
    expect(funding.map((f) => f.amount)).toEqual(['-0.3', '-0.3', '-0.3']);
    expect(funding.map((f) => f.fundingTime)).toEqual([base + 2, base + 1, base]);

    const liq = await listLiquidations(t.db, me, accountId, { limit: 10 });
    expect(liq.items).toHaveLength(1);
    expect(liq.items[0]).toMatchObject({ mode: 'isolated', symbol: 'BTCUSDT', markPrice: '49150' });
    expect(liq.items[0]!.positionsClosed[0]).toMatchObject({ symbol: 'BTCUSDT', quantity: '0.5' });

    // the ledger's cursor is the page's oldest line id
    const ledgerPages = await allPages(
      (cursor) => listLedger(t.db, me, accountId, { limit: 2, cursor }),
      (page) => Math.min(...page.map((l) => Number(l.id))),
    );
    const lines = ledgerPages.flat();
    // newest event first, an event's lines in the order written
    for (let i = 1; i < lines.length; i++)
      expect(
        lines[i - 1]!.seq > lines[i]!.seq ||
          (lines[i - 1]!.seq === lines[i]!.seq && Number(lines[i - 1]!.id) < Number(lines[i]!.id)),
      ).toBe(true);
    // whole events per page: an event's lines never straddle two pages
    const seqsPerPage = ledgerPages.map((p) => new Set(p.map((l) => l.seq)));
    for (let i = 1; i < seqsPerPage.length; i++)
      for (const s of seqsPerPage[i]!) expect(seqsPerPage[i - 1]!.has(s)).toBe(false);
    // the lines add up to the wallet
    const wallet = (await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } }))
      .walletBalance;
    expect(lines.reduce((s, l) => s.plus(l.amount), new Decimal(0)).toFixed()).toBe(
      wallet.toFixed(),
    );
    expect(lines.at(-1)).toMatchObject({
      kind: 'deposit',
      amount: '10000',
      eventType: 'accountOpened',
    });
    expect(lines.find((l) => l.kind === 'liquidationFee')).toMatchObject({ symbol: 'BTCUSDT' });
    const fees = await listLedger(t.db, me, accountId, { limit: 100, kind: 'funding' });
    expect(fees.items.map((l) => [l.kind, l.amount, l.symbol])).toEqual(
      Array<string[]>(3).fill(['funding', '-0.3', 'ETHUSDT']),
    );
    await expectConsistent(t.db, accountId);
  });
});

describe('house books (admins)', () => {
  it('balance with the traders: fees, funding, the insurance fund, and a zero total', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 50 });
    await place({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.5' });
    await tick(t.db, prices, accountId, 'BTCUSDT', '49150');
    const h = await houseBooks(t.db);
    expect(h.total).toBe('0');
    expect(h.books.map((b) => b.book)).toEqual([
      'house:treasury',
      'house:trading',
      'house:fees',
      'house:funding',
      'house:insurance',
    ]);
    expect(new Decimal(h.insuranceFund).gt(0)).toBe(true);
    expect(h.liquidations).toBeGreaterThanOrEqual(1);
    const moves = await listInsuranceMovements(t.db, { limit: 50 });
    expect(moves.items.some((m) => m.accountId === accountId && m.kind === 'liquidationFee')).toBe(
      true,
    );
    const sum = await t.db.ledgerEntry.aggregate({
      where: { book: 'house:insurance' },
      _sum: { amount: true },
    });
    expect(h.insuranceFund).toBe(sum._sum.amount!.toFixed());
  });
});
