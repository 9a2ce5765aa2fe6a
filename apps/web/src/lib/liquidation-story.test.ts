import {
  candlePath,
  CATALOGUE,
  Decimal,
  engineEvents,
  eventToJson,
  onPrice,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  replayUnder,
  type Account,
  type Candle,
  type EngineEvent,
  type Market,
  type StoredEvent,
} from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { frameStory, ratioSeries, storyWindow } from './liquidation-story';

const T0 = Date.UTC(2026, 0, 5, 12, 0);
const MIN = 60_000;

/**
 * A 20x isolated BTC long of 1 BTC at 50,000 (margin 2,500) beside a 0.5 ETH cross long, on a
 * 10,000 wallet; BTC then falls 1% a minute for half an hour: the engine liquidates it on the way.
 */
function scenario() {
  const events: EngineEvent[] = [];
  const run = (r: { account: Account; events: EngineEvent[] }) => {
    events.push(...r.events);
    return r.account;
  };
  let market: Market = {
    instruments: CATALOGUE,
    marks: { BTCUSDT: new Decimal(50000), ETHUSDT: new Decimal(3000) },
    lastPrices: { BTCUSDT: new Decimal(50000), ETHUSDT: new Decimal(3000) },
  };
  let a = run(openAccount('acc', new Decimal(10000), T0));
  a = run(setMarginMode(a, market, 'BTCUSDT', 'isolated', T0));
  a = run(setLeverage(a, market, 'BTCUSDT', 20, T0));
  a = run(
    placeOrder(
      a,
      market,
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: T0 + 1000 },
    ),
  );
  a = run(
    placeOrder(
      a,
      market,
      { symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '0.5' },
      { now: T0 + 2000 },
    ),
  );
  const candles: Record<string, Candle[]> = { BTCUSDT: [], ETHUSDT: [] };
  let price = new Decimal(50000);
  for (let m = 0; m < 30; m++) {
    const open = price;
    const close = open.times(0.99).toDecimalPlaces(1);
    candles.BTCUSDT!.push({
      openTime: T0 + m * MIN,
      open: open.toFixed(),
      high: open.toFixed(),
      low: close.toFixed(),
      close: close.toFixed(),
    });
    candles.ETHUSDT!.push({
      openTime: T0 + m * MIN,
      open: '3000',
      high: '3000',
      low: '3000',
      close: '3000',
    });
    const r = onPrice(
      a,
      market,
      'BTCUSDT',
      { markPrice: close, lastPrice: close },
      T0 + (m + 1) * MIN - 1,
    );
    events.push(...r.events);
    a = r.account;
    market = r.market;
    price = close;
  }
  const stored: StoredEvent[] = events.map((ev, i) => ({
    seq: i + 1,
    type: ev.type,
    payload: eventToJson(ev),
  }));
  return { stored, candles };
}

describe('a liquidation explained', () => {
  const { stored, candles } = scenario();
  const events = engineEvents(stored);
  const triggerSeq = stored.find((e) => e.type === 'liquidationTriggered')!.seq;
  const frame = frameStory('acc', events, triggerSeq)!;

  it('finds the trigger, its closes and where the position began', () => {
    expect(frame.trigger).toMatchObject({ mode: 'isolated', symbol: 'BTCUSDT' });
    expect(frame.closes.map((c) => c.symbol)).toEqual(['BTCUSDT']);
    expect(frame.symbols).toEqual(['BTCUSDT']);
    expect(frame.priced).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(frame.windowStart).toBe(T0 + 1000);
    expect(frame.before.positions.BTCUSDT?.quantity.toFixed()).toBe('1');
    expect(frame.after.positions.BTCUSDT).toBeUndefined();
  });

  it('the margin ratio climbs to the engine’s figure at the trigger', () => {
    const series = ratioSeries('acc', events, frame, CATALOGUE, candles, MIN);
    const ratios = series.map((p) => p.ratio!);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]!).toBeGreaterThan(ratios[i - 1]!);
    expect(ratios.at(-1)).toBe(frame.trigger.marginRatio.toNumber());
    expect(ratios.at(-1)!).toBeGreaterThanOrEqual(1);
  });

  it('replayed as it was, the engine liquidates it along the same candles; under cross the wallet carries it', () => {
    const end = frame.trigger.time + 10 * MIN;
    const window = storyWindow(events, frame, end);
    const path = candlePath(candles, MIN, frame.windowStart, end, frame.priced);
    const same = replayUnder('acc', events, window, 'isolated', CATALOGUE, path);
    expect(same.liquidations).toHaveLength(1);
    expect(same.liquidations[0]!.symbols).toEqual(['BTCUSDT']);
    expect(Math.abs(same.liquidations[0]!.time - frame.trigger.time)).toBeLessThanOrEqual(MIN);
    const cross = replayUnder('acc', events, window, 'cross', CATALOGUE, path);
    expect(cross.refused).toEqual([]);
    expect(cross.liquidations).toEqual([]);
    // still holding the BTC long, and down more than the isolated margin it would have lost
    expect(cross.openAtEnd.map((p) => p.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(new Decimal(cross.change).lt(new Decimal(same.change))).toBe(true);
  });
});
