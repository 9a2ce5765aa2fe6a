// The story of a liquidation for the trading screen: the stored liquidation and the account's
// engine events up to it, which replay (as the browser replays them) into the account the engine
// liquidated; nobody else's liquidation is reachable.
import { eventFromJson, replay, type EngineEvent } from '@lab/margin-engine';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadAccountState } from '../src/engine-state.ts';
import { getLiquidationStory } from '../src/trading/liquidation-story.ts';
import { placeOrder, setLeverage, setMarginMode } from '../src/trading/orders.ts';
import type { StaticPrices } from '../src/trading/prices.ts';
import { listLiquidations } from '../src/trading/read-models.ts';
import { userActor, type Actor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { ledgerBalancesAfterEach, testPrices, tick } from './trading-helpers.ts';

const t = useTestDb();
ledgerBalancesAfterEach(t);

const ENGINE_TYPES = new Set([
  'accountOpened',
  'deposit',
  'orderAccepted',
  'orderTriggered',
  'orderCanceled',
  'orderAmended',
  'orderExpired',
  'fill',
  'positionChanged',
  'leverageChanged',
  'marginModeChanged',
  'isolatedMarginAdjusted',
  'fundingPaid',
  'liquidationTriggered',
  'liquidation',
]);

let prices: StaticPrices;
let me: Actor;
let accountId: string;

beforeEach(async () => {
  prices = testPrices();
  const u = await createUser(t.db);
  me = userActor(u.user.id);
  accountId = u.accountId;
});

describe('liquidation story', () => {
  it('gives the liquidation and the events that replay into the account it liquidated', async () => {
    // an isolated 50x BTC long (wallet 500) that a fall to 49,150 liquidates
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 50 });
    await placeOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.5',
    });
    await tick(t.db, prices, accountId, 'BTCUSDT', '49150');
    const [liq] = (await listLiquidations(t.db, me, accountId, { limit: 5 })).items;
    expect(liq).toBeDefined();

    const story = await getLiquidationStory(t.db, me, accountId, liq!.id);
    expect(story.tooLong).toBe(false);
    expect(story.liquidation).toEqual(liq);
    const seqs = story.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const trigger = story.events.find((e) => e.seq === liq!.seq)!;
    expect(trigger.type).toBe('liquidationTriggered');
    expect(story.events.filter((e) => e.seq > liq!.seq).map((e) => e.type)).toContain(
      'liquidation',
    );

    // replaying every engine event gives the stored account
    const events: EngineEvent[] = story.events
      .filter((e) => ENGINE_TYPES.has(e.type))
      .map((e) => eventFromJson(e.payload));
    const replayed = replay(accountId, events);
    const stored = (await loadAccountState(t.db, accountId))!.engine;
    expect(replayed.walletBalance.toFixed()).toBe(stored.walletBalance.toFixed());
    expect(Object.keys(replayed.positions)).toEqual([]);
    // just before the trigger the position was open, isolated
    const before = replay(
      accountId,
      story.events
        .filter((e) => e.seq < liq!.seq && ENGINE_TYPES.has(e.type))
        .map((e) => eventFromJson(e.payload)),
    );
    expect(before.positions.BTCUSDT?.quantity.toFixed()).toBe('0.5');
    expect(before.settings.BTCUSDT).toMatchObject({ marginMode: 'isolated', leverage: 50 });
    await expectConsistent(t.db, accountId);
  });

  it('another user, or an unknown id, finds nothing', async () => {
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    await setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 50 });
    await placeOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.5',
    });
    await tick(t.db, prices, accountId, 'BTCUSDT', '49150');
    const [liq] = (await listLiquidations(t.db, me, accountId, { limit: 5 })).items;
    const other = await createUser(t.db);
    await expect(
      getLiquidationStory(t.db, userActor(other.user.id), accountId, liq!.id),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      getLiquidationStory(t.db, userActor(other.user.id), other.accountId, liq!.id),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'liquidationId' });
    await expect(getLiquidationStory(t.db, me, accountId, '999999')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
