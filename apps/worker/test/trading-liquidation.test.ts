// Liquidations through the worker's trading loop on a real PostgreSQL: a scripted price path
// liquidates an isolated position while the cross account survives, then one where the cross
// account takes everything while an isolated position survives; the liquidation price shown
// (figuresOf, the one definition of displayed figures) is where the loop liquidates, to the tick.
import { figuresOf } from '@lab/services';
import { afterEach, describe, expect, it } from 'vitest';
import { useWorkerDb } from './helpers.ts';
import {
  configure,
  createTrader,
  createVenue,
  expectConsistent,
  marketAt,
  place,
  startHarness,
  type Trader,
  type TradingHarness,
} from './trading-helpers.ts';

const t = useWorkerDb();
const T0 = Date.UTC(2026, 0, 6, 2, 0, 0);
const BTC = 'BTCUSDT';
const ETH = 'ETHUSDT';
const SOL = 'SOLUSDT';
const m0 = marketAt({ [BTC]: '50000', [ETH]: '3000', [SOL]: '150' });

let h: TradingHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start() {
  const venue = await createVenue(t.db);
  h = await startHarness(t, venue, T0);
  await h.tick([
    { symbol: BTC, mark: '50000', last: '50000' },
    { symbol: ETH, mark: '3000', last: '3000' },
    { symbol: SOL, mark: '150', last: '150' },
  ]);
  return { h, venue };
}

/** The displayed liquidation price of each position, as the account stands in memory. */
function shownLiquidationPrices(h: TradingHarness, trader: Trader, marks: Record<string, string>) {
  const mem = h.runner.accountInMemory(trader.accountId)!;
  return Object.fromEntries(
    figuresOf(mem.account, marketAt(marks)).positions.map((p) => [p.symbol, p.liquidationPrice]),
  );
}

const positions = async (accountId: string) =>
  (await t.db.position.findMany({ where: { accountId }, orderBy: { symbol: 'asc' } })).map((p) => [
    p.symbol,
    p.quantity.toFixed(),
  ]);

describe('liquidation through the loop', () => {
  it('an isolated position goes at its shown liquidation price, the cross account survives, then cross takes everything', async () => {
    const { h } = await start();
    const trader = await createTrader(t.db, h.venue);
    // examples/cross-vs-isolated.json: BTC isolated 10x, ETH cross 10x
    await configure(t.db, trader, m0, BTC, { mode: 'isolated', leverage: 10 });
    await configure(t.db, trader, m0, ETH, { leverage: 10 });
    await place(t.db, trader, m0, { symbol: BTC, side: 'buy', type: 'market', quantity: '0.5' });
    const last = await place(t.db, trader, m0, {
      symbol: ETH,
      side: 'buy',
      type: 'market',
      quantity: '5',
    });
    await h.synced(trader.accountId, last.persisted!.version);
    const shown = shownLiquidationPrices(h, trader, { [BTC]: '50000', [ETH]: '3000' });
    expect(shown).toEqual({ [BTC]: '45180.7', [ETH]: '1511.55' });

    // BTC falls to one tick above its shown liquidation price: nothing happens
    await h.tick([{ symbol: BTC, mark: '46000', last: '46000' }]);
    await h.tick([{ symbol: BTC, mark: '45180.8', last: '45180.8' }]);
    expect(await t.db.liquidation.count({ where: { accountId: trader.accountId } })).toBe(0);
    // at the shown price it goes, alone
    await h.tick([{ symbol: BTC, mark: '45180.7', last: '45180.7' }]);
    const liqs = await t.db.liquidation.findMany({ where: { accountId: trader.accountId } });
    expect(liqs.map((l) => [l.mode, l.symbol, l.markPrice?.toFixed()])).toEqual([
      ['ISOLATED', BTC, '45180.7'],
    ]);
    expect(await positions(trader.accountId)).toEqual([[ETH, '5']]);
    await expectConsistent(t.db, trader.accountId);

    // the cross position's shown price is unchanged by the isolated loss (only its 2,500 was at risk)
    expect(shownLiquidationPrices(h, trader, { [ETH]: '3000' })).toEqual({ [ETH]: '1511.55' });
    await h.tick([{ symbol: ETH, mark: '1700', last: '1700' }]);
    await h.tick([{ symbol: ETH, mark: '1511.56', last: '1511.56' }]);
    expect(await t.db.liquidation.count({ where: { accountId: trader.accountId } })).toBe(1);
    await h.tick([{ symbol: ETH, mark: '1511.55', last: '1511.55' }]);
    const all = await t.db.liquidation.findMany({
      where: { accountId: trader.accountId },
      orderBy: { id: 'asc' },
    });
    expect(all.map((l) => [l.mode, l.markPrice?.toFixed()])).toEqual([
      ['ISOLATED', '45180.7'],
      ['CROSS', '1511.55'],
    ]);
    expect(await positions(trader.accountId)).toEqual([]);
    // each close is a liquidation fill pointing at its liquidation
    const fills = await t.db.fill.findMany({
      where: { accountId: trader.accountId, isLiquidation: true },
      orderBy: { id: 'asc' },
    });
    expect(fills.map((f) => [f.symbol, f.liquidationId])).toEqual([
      [BTC, all[0]!.id],
      [ETH, all[1]!.id],
    ]);
    await expectConsistent(t.db, trader.accountId);
  });

  it('a cross crash takes every cross position and leaves the isolated one; other accounts are untouched', async () => {
    const { h } = await start();
    const victim = await createTrader(t.db, h.venue);
    const bystander = await createTrader(t.db, h.venue);
    await configure(t.db, victim, m0, SOL, { mode: 'isolated', leverage: 5 });
    await configure(t.db, victim, m0, BTC, { leverage: 20 });
    await configure(t.db, victim, m0, ETH, { leverage: 20 });
    await place(t.db, victim, m0, { symbol: SOL, side: 'buy', type: 'market', quantity: '10' });
    await place(t.db, victim, m0, { symbol: BTC, side: 'buy', type: 'market', quantity: '1' });
    const v = await place(t.db, victim, m0, {
      symbol: ETH,
      side: 'buy',
      type: 'market',
      quantity: '30',
    });
    const b = await place(t.db, bystander, m0, {
      symbol: ETH,
      side: 'buy',
      type: 'market',
      quantity: '1',
    });
    await h.synced(victim.accountId, v.persisted!.version);
    await h.synced(bystander.accountId, b.persisted!.version);
    const walletBefore = await t.db.paperAccount.findUniqueOrThrow({
      where: { id: victim.accountId },
    });

    // ETH falls 13% in one published batch: the cross account (BTC 50,000 + ETH 90,000 notional
    // on a 9,659 cross wallet) goes, largest loss first, until nothing cross is left
    await h.path([
      [{ symbol: ETH, mark: '2900', last: '2900' }],
      [{ symbol: ETH, mark: '2750', last: '2750' }],
      [{ symbol: ETH, mark: '2600', last: '2600' }],
    ]);
    const liqs = await t.db.liquidation.findMany({ where: { accountId: victim.accountId } });
    expect(liqs).toHaveLength(1);
    expect(liqs[0]!.mode).toBe('CROSS');
    const closed = (liqs[0]!.positionsClosed as Array<{ symbol: string }>).map((c) => c.symbol);
    expect(closed.sort()).toEqual([BTC, ETH]);
    expect(await positions(victim.accountId)).toEqual([[SOL, '10']]);
    const after = await t.db.paperAccount.findUniqueOrThrow({ where: { id: victim.accountId } });
    const sol = await t.db.position.findUniqueOrThrow({
      where: { accountId_symbol: { accountId: victim.accountId, symbol: SOL } },
    });
    // what is left is the isolated SOL margin (300) and whatever cross money survived the fees
    expect(after.walletBalance.lt(walletBefore.walletBalance)).toBe(true);
    expect(sol.isolatedWallet.toFixed()).toBe('300');
    expect(await positions(bystander.accountId)).toEqual([[ETH, '1']]);
    expect(await t.db.liquidation.count({ where: { accountId: bystander.accountId } })).toBe(0);
    await expectConsistent(t.db, victim.accountId, bystander.accountId);
  });
});
