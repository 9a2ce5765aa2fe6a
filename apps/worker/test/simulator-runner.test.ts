// The simulator runner against a real PostgreSQL, on an injected clock: a first start simulates the
// backfill window into candles; a restart continues the saved market (no jump, no lost candle
// data); a long downtime moves the saved market forward by whole 8h funding intervals.
import { MemoryTickBus, SimulatorSource, type SimState, type TradeTick } from '@lab/market-data';
import { describe, expect, it } from 'vitest';
import { MarketDataService } from '../src/market/market-data-service.ts';
import {
  createSimulator,
  startSimulator,
  type SimulatorRunnerOptions,
} from '../src/market/simulator-runner.ts';
import { loadSimState } from '../src/market/simulator-state.ts';
import { dec, fromScaled, memoryLog, scaled, useWorkerDb } from './helpers.ts';

const t = useWorkerDb();
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const MIN = 60_000;
const FUNDING_MS = 8 * 3600_000;
const NOW = Date.UTC(2026, 2, 3, 12, 34, 56, 789);

let clock = NOW;
const { lines, log } = memoryLog();
const opts: SimulatorRunnerOptions = {
  get pool() {
    return t.pool;
  },
  seed: 'runner-test',
  ticksPerSecond: 4,
  backfillHours: 0.5,
  symbols: SYMBOLS,
  log,
  now: () => clock,
};

/** Starts the runner with a fresh service; the live source only moves through advance() (the clock stands still). */
async function start() {
  const service = new MarketDataService({
    pool: t.pool,
    publisher: new MemoryTickBus(),
    log,
    now: () => clock,
  });
  const run = await startSimulator(opts, service);
  const trades: TradeTick[] = [];
  run.source.onTick((k) => {
    if (k.kind === 'trade') trades.push(k);
  });
  return { ...run, service, trades };
}

async function minutes(symbol: string, interval = '1m') {
  const r = await t.pool.query<{
    open_time: Date;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string;
    trades: number;
  }>(
    `SELECT open_time, open::text, high::text, low::text, close::text, volume::text, trades FROM candles
     WHERE symbol = $1 AND interval = $2 ORDER BY open_time`,
    [symbol, interval],
  );
  return r.rows.map((x) => ({
    ...x,
    t: x.open_time.getTime(),
    open: dec(x.open)!,
    close: dec(x.close)!,
    volume: dec(x.volume)!,
  }));
}

const lastPrice = (trades: TradeTick[], symbol: string) =>
  Number(trades.filter((x) => x.symbol === symbol).at(-1)!.price);
const firstPrice = (trades: TradeTick[], symbol: string) =>
  Number(trades.find((x) => x.symbol === symbol)!.price);

describe('simulator runner', () => {
  let saved: SimState;
  let beforeStop: TradeTick[] = [];

  it('first start simulates the backfill window into 1m candles (one per minute, no gaps) and derived ones', async () => {
    const run = await start();
    const windowStart = Math.floor((NOW - 30 * MIN) / MIN) * MIN;
    const m1 = await minutes('BTCUSDT');
    expect(m1[0]!.t).toBe(windowStart);
    expect(m1.at(-1)!.t).toBe(Math.floor(NOW / MIN) * MIN);
    expect(m1.length).toBe(31); // 12:04 … 12:34
    for (let i = 1; i < m1.length; i++) expect(m1[i]!.t - m1[i - 1]!.t).toBe(MIN);
    expect(m1.every((c) => c.trades > 0)).toBe(true);
    expect((await minutes('ETHUSDT')).length).toBe(31);
    const first5m = Math.floor(windowStart / (5 * MIN)) * 5 * MIN; // 12:00
    expect((await minutes('BTCUSDT', '5m')).map((c) => c.t)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => first5m + i * 5 * MIN),
    );
    expect(lines.some((l) => /simulated 0\.5\d h of market history \(\d+ candles\)/.test(l))).toBe(
      true,
    );
    // Live continues where history ended (within one coarse 5 s step of now).
    expect(run.source.time).toBeGreaterThan(NOW - 5000);
    expect(run.source.time).toBeLessThanOrEqual(NOW);

    run.source.advance(3000);
    beforeStop = run.trades;
    await run.stop();
    saved = (await loadSimState(t.pool, 'simulator'))!;
    expect(saved.time).toBe(run.source.time);
  });

  it('a restart resumes the saved market: the first live prices continue from the saved state', async () => {
    clock = saved.time + 500; // back within a second: nothing to catch up
    const before1m = (await minutes('BTCUSDT')).at(-1)!;
    const before1d = (await minutes('BTCUSDT', '1d')).at(-1)!;
    const run = await start();
    expect(run.source.time).toBe(saved.time);
    run.source.advance(1000);
    // Exactly the market a SimulatorSource resumed from the stored snapshot produces…
    const expected = new SimulatorSource({
      resumeFrom: saved,
      market: { symbols: SYMBOLS },
      now: () => 0,
    });
    const expectedTrades: TradeTick[] = [];
    expected.onTick((k) => void (k.kind === 'trade' && expectedTrades.push(k)));
    expected.advance(1000);
    expect(run.trades).toEqual(expectedTrades);
    // …so no jump: the first price after the restart is one normal step from the last before it.
    for (const s of SYMBOLS) {
      expect(Math.abs(Math.log(firstPrice(run.trades, s) / lastPrice(beforeStop, s)))).toBeLessThan(
        0.003,
      );
    }
    beforeStop = run.trades;
    await run.stop();
    // The minute in progress at the restart keeps what it had before it (open, volume, trades).
    const after1m = (await minutes('BTCUSDT')).find((c) => c.t === before1m.t)!;
    expect(after1m.open).toBe(before1m.open);
    expect(after1m.trades).toBeGreaterThan(before1m.trades);
    expect(Number(after1m.volume)).toBeGreaterThan(Number(before1m.volume));
    // The day's candle is the stored one plus exactly the trades since the restart.
    const btc = run.trades.filter((x) => x.symbol === 'BTCUSDT');
    const after1d = (await minutes('BTCUSDT', '1d')).find((c) => c.t === before1d.t)!;
    expect(after1d.open).toBe(before1d.open);
    expect(after1d.trades).toBe(before1d.trades + btc.length);
    expect(after1d.volume).toBe(
      fromScaled(btc.reduce((a, x) => a + scaled(x.quantity), scaled(before1d.volume))),
    );
    saved = (await loadSimState(t.pool, 'simulator'))!;
  });

  it('after a downtime within the window, history fills the gap: candles stay continuous and the price continues', async () => {
    const lastBefore = lastPrice(beforeStop, 'BTCUSDT');
    clock = saved.time + 10 * MIN;
    const run = await start();
    expect(run.source.time).toBeGreaterThan(clock - 5000);
    const m1 = await minutes('BTCUSDT');
    for (let i = 1; i < m1.length; i++) expect(m1[i]!.t - m1[i - 1]!.t).toBe(MIN);
    expect(m1.at(-1)!.t).toBe(Math.floor(clock / MIN) * MIN);
    // The candle of the minute the worker stopped in continues with the saved market.
    const stopMinute = m1.find((c) => c.t === Math.floor(saved.time / MIN) * MIN)!;
    expect(Math.abs(Math.log(Number(stopMinute.close) / lastBefore))).toBeLessThan(0.02);
    await run.stop();
    saved = (await loadSimState(t.pool, 'simulator'))!;
  });

  it('after a downtime longer than the window, the saved market moves forward by whole funding intervals', async () => {
    const down = 24 * 3600_000 + 30 * MIN + 10 * MIN; // window (30 min) + 24h + 10 min
    clock = saved.time + down;
    const history = createSimulator(opts, saved, 0.2);
    const shift = history.time - saved.time;
    expect(shift).toBe(3 * FUNDING_MS);
    expect(history.snapshot().nextFundingTime % FUNDING_MS).toBe(0);
    expect(history.snapshot().nextFundingTime - saved.nextFundingTime).toBe(shift);
    // Prices continue where they stopped: only the clock jumped.
    expect(history.snapshot().instruments).toEqual(saved.instruments);
    expect(clock - history.time).toBeLessThanOrEqual(opts.backfillHours * 3600_000 + FUNDING_MS);

    const lastClose = (await minutes('BTCUSDT')).at(-1)!;
    const run = await start();
    expect(run.source.time).toBeGreaterThan(clock - 5000);
    const m1 = await minutes('BTCUSDT');
    const resumed = m1.filter((c) => c.t > lastClose.t);
    expect(resumed[0]!.t).toBe(Math.floor(history.time / MIN) * MIN);
    expect(Math.abs(Math.log(Number(resumed[0]!.open) / Number(lastClose.close)))).toBeLessThan(
      0.02,
    );
    expect(resumed.length).toBe(Math.floor(clock / MIN) - Math.floor(history.time / MIN) + 1);
    await run.stop();
  });

  it('a backfill that takes a while leaves no offset: the live market runs on the wall clock', async () => {
    saved = (await loadSimState(t.pool, 'simulator'))!;
    clock = saved.time + 10 * MIN;
    // the clock moves on while the start works (a slow backfill): 8 s, then 4 s, 2 s, ...
    let moving = true;
    let lapse = 16_000;
    const slow = { ...opts, now: () => (moving ? (clock += lapse /= 2) : clock) };
    const service = new MarketDataService({ pool: t.pool, publisher: new MemoryTickBus(), log });
    const run = await startSimulator(slow, service);
    moving = false;
    // history went again over the seconds its first pass took
    expect(run.source.time).toBeGreaterThan(clock - 5000);
    const trades: TradeTick[] = [];
    run.source.onTick((k) => void (k.kind === 'trade' && trades.push(k)));
    await new Promise((r) => setTimeout(r, 400)); // the live timer's first callbacks
    expect(run.source.time).toBeGreaterThan(clock - 250);
    expect(run.source.time).toBeLessThanOrEqual(clock);
    expect(trades.at(-1)!.time).toBeGreaterThan(clock - 250);
    await run.stop();
  });
});
