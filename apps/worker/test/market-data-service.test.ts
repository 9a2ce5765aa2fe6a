// MarketDataService against a real PostgreSQL: a manually advanced simulator's ticks become exactly
// the candles that batch aggregation of the same trades gives, and tickers carry the latest
// mark/index/funding plus 24h statistics of the 1m candles.
import {
  CANDLE_INTERVALS,
  MemoryTickBus,
  SimulatorSource,
  aggregateTrades,
  type Candle,
  type MarkTick,
  type TickBatch,
  type TradeTick,
} from '@lab/market-data';
import { describe, expect, it } from 'vitest';
import { upsertCandles } from '../src/market/candle-store.ts';
import { MarketDataService } from '../src/market/market-data-service.ts';
import { dec, fromScaled, memoryLog, scaled, useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

interface CandleRow {
  symbol: string;
  interval: string;
  open_time: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
}

const canon = (c: Candle) => ({
  symbol: c.symbol,
  interval: c.interval,
  openTime: c.openTime,
  open: dec(c.open),
  high: dec(c.high),
  low: dec(c.low),
  close: dec(c.close),
  volume: dec(c.volume),
  trades: c.trades,
});
const fromRow = (r: CandleRow) => ({
  symbol: r.symbol,
  interval: r.interval,
  openTime: r.open_time.getTime(),
  open: dec(r.open),
  high: dec(r.high),
  low: dec(r.low),
  close: dec(r.close),
  volume: dec(r.volume),
  trades: r.trades,
});

/** A simulator that only moves when the test calls advance() (its wall clock never moves). */
function manualSimulator(startTime: number, ticksPerSecond: number) {
  return new SimulatorSource({
    seed: 'worker-test',
    startTime,
    ticksPerSecond,
    market: { symbols: SYMBOLS },
    now: () => startTime,
  });
}

async function runService(startTime: number, ticksPerSecond: number, advanceMs: number) {
  const sim = manualSimulator(startTime, ticksPerSecond);
  const trades: TradeTick[] = [];
  let lastMark: Record<string, MarkTick> = {};
  sim.onTick((tick) => {
    if (tick.kind === 'trade') trades.push(tick);
    if (tick.kind === 'mark') lastMark = { ...lastMark, [tick.symbol]: tick };
  });
  const bus = new MemoryTickBus();
  const published: TickBatch[] = [];
  bus.onBatch((b) => published.push(b));
  const { lines, log } = memoryLog();
  const service = new MarketDataService({
    pool: t.pool,
    publisher: bus,
    log,
    now: () => sim.time,
    publishEveryMs: 10,
    persistEveryMs: 20,
  });
  await service.start(sim);
  sim.advance(advanceMs);
  // Let the timers publish and persist at least once with the simulated clock, then stop (final flush).
  await waitFor(() => published.length > 0, 'a published batch');
  await new Promise((r) => setTimeout(r, 60));
  await service.stop();
  return { sim, trades, lastMark, published, service, lines };
}

async function dbCandles(symbol: string, interval: string) {
  const r = await t.pool.query<CandleRow>(
    `SELECT symbol, interval, open_time, open::text, high::text, low::text, close::text, volume::text, trades
     FROM candles WHERE symbol = $1 AND interval = $2 ORDER BY open_time`,
    [symbol, interval],
  );
  return r.rows.map(fromRow);
}

describe('MarketDataService', () => {
  it('persists exactly the candles that aggregateTrades gives for the same trades, every interval', async () => {
    const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
    const { trades, sim, service, lines, published } = await runService(T0, 4, 10 * 60_000);
    expect(sim.time).toBe(T0 + 10 * 60_000);
    expect(trades.length).toBeGreaterThan(2 * 2400 - 1);
    expect(service.stats.errors).toBe(0);
    expect(lines.filter((l) => l.includes('failed'))).toEqual([]);
    expect(published.reduce((n, b) => n + b.ticks.length, 0)).toBe(service.stats.ticks);

    await expectCandlesOf(trades);
    // Trades are stamped at the end of their step, so the last one opens minute 10: 11 minutes traded.
    const m1 = await dbCandles('BTCUSDT', '1m');
    expect(m1.filter((c) => c.trades > 0)).toHaveLength(11);
  });

  it('history (recordHistory + flush, as the backfill does) stores the same exact candles and no tickers', async () => {
    await t.pool.query('TRUNCATE candles, market_tickers');
    const T0 = Date.UTC(2026, 0, 7, 23, 30, 0); // crosses midnight: 1d candles too
    const sim = manualSimulator(T0, 0.2);
    const trades: TradeTick[] = [];
    const bus = new MemoryTickBus();
    const published: TickBatch[] = [];
    bus.onBatch((b) => published.push(b));
    const service = new MarketDataService({ pool: t.pool, publisher: bus, log: memoryLog().log });
    sim.onTick((tick) => {
      if (tick.kind === 'trade') trades.push(tick);
      service.recordHistory(tick);
    });
    sim.advance(3600_000);
    const written = await service.flush();
    expect(written).toBeGreaterThan(60 * 2);
    await expectCandlesOf(trades);
    expect((await t.pool.query('SELECT 1 FROM market_tickers')).rowCount).toBe(0);
    await service.stop();
    expect(published).toEqual([]);
  });
});

async function expectCandlesOf(trades: TradeTick[]) {
  for (const symbol of SYMBOLS) {
    for (const interval of CANDLE_INTERVALS) {
      const expected = aggregateTrades(
        trades.filter((x) => x.symbol === symbol),
        interval,
      ).map(canon);
      const stored = await dbCandles(symbol, interval);
      // The aggregator also keeps a flat candle open for the minute that starts at the sim's end
      // (fillGaps, as Binance does): it has no trades and changes nothing else.
      const last = expected.at(-1)!;
      const extra = stored.filter((c) => c.openTime > last.openTime);
      expect(
        extra.every(
          (c) =>
            c.trades === 0 && c.volume === '0' && c.open === last.close && c.high === last.close,
        ),
      ).toBe(true);
      expect(stored.filter((c) => c.openTime <= last.openTime)).toEqual(expected);
    }
  }
}

describe('MarketDataService tickers', () => {
  it('keeps tickers: last trade, mark/index/funding of the last mark tick, 24h stats from 1m candles', async () => {
    await t.pool.query('TRUNCATE candles, market_tickers');
    const T0 = Date.UTC(2026, 1, 2, 0, 0, 0);
    const END = T0 + 5 * 60_000;
    // Older 1m candles written before the run: one 25h before the end (outside the 24h window, with
    // extreme prices that must not show), one 23h before (inside: it sets the 24h open).
    const old = (
      openTime: number,
      p: string,
      high: string,
      low: string,
      volume: string,
    ): Candle => ({
      symbol: 'BTCUSDT',
      interval: '1m',
      openTime,
      open: p,
      high,
      low,
      close: p,
      volume,
      trades: 3,
    });
    const outside = old(END - 25 * 3600_000, '1', '99999999', '0.5', '1000000');
    const inside = old(END - 23 * 3600_000, '90000.5', '90001', '89999', '2.5');
    await upsertCandles(t.pool, [outside, inside]);

    const { trades, lastMark, sim } = await runService(T0, 4, 5 * 60_000);
    expect(sim.time).toBe(END);
    const rows = await t.pool.query<{
      symbol: string;
      last_price: string;
      mark_price: string;
      index_price: string;
      funding_rate: string;
      next_funding_time: Date;
      open_24h: string;
      high_24h: string;
      low_24h: string;
      volume_24h: string;
      status: string;
      updated_at: Date;
    }>(
      `SELECT symbol, next_funding_time, status, updated_at, last_price::text, mark_price::text, index_price::text,
              funding_rate::text, open_24h::text, high_24h::text, low_24h::text, volume_24h::text
       FROM market_tickers ORDER BY symbol`,
    );
    expect(rows.rows.map((r) => r.symbol)).toEqual([...SYMBOLS].sort());
    for (const r of rows.rows) {
      const own = trades.filter((x) => x.symbol === r.symbol);
      const mark = lastMark[r.symbol]!;
      expect(mark.time).toBe(END);
      expect(dec(r.last_price)).toBe(dec(own.at(-1)!.price));
      expect(dec(r.mark_price)).toBe(dec(mark.markPrice));
      expect(dec(r.index_price)).toBe(dec(mark.indexPrice));
      expect(dec(r.funding_rate)).toBe(dec(mark.fundingRate));
      expect(r.next_funding_time.getTime()).toBe(mark.nextFundingTime);
      expect(r.next_funding_time.getTime() % (8 * 3600_000)).toBe(0);
      expect(r.updated_at.getTime()).toBe(mark.time);
      // service.stop() stops the simulator, which reports its markets halted.
      expect(r.status).toBe('HALTED');

      const sim1m = aggregateTrades(own, '1m');
      const window = r.symbol === 'BTCUSDT' ? [inside, ...sim1m] : sim1m;
      const highs = window.map((c) => scaled(c.high));
      const lows = window.map((c) => scaled(c.low));
      expect(dec(r.open_24h)).toBe(dec(window[0]!.open));
      expect(dec(r.high_24h)).toBe(fromScaled(highs.reduce((a, b) => (b > a ? b : a))));
      expect(dec(r.low_24h)).toBe(fromScaled(lows.reduce((a, b) => (b < a ? b : a))));
      expect(dec(r.volume_24h)).toBe(fromScaled(window.reduce((a, c) => a + scaled(c.volume), 0n)));
    }
  });
});
