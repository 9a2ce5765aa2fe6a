// Runs one price source: ticks -> candles (persisted), latest tickers (persisted), and batches
// published to every web server. Persistence and publishing are batched on timers so that a burst
// of ticks costs one round trip, not one per tick.
import {
  CandleAggregator,
  mergeCandles,
  type Candle,
  type CandleUpdate,
  type MarkTick,
  type MarketTick,
  type PriceSource,
  type StatusTick,
  type TickPublisher,
  type TradeTick,
} from '@lab/market-data';
import { MAIN_VENUE } from '@lab/contracts';
import type pg from 'pg';
import { loadCandlesAt, upsertCandles } from './candle-store.ts';
import { upsertTickers } from './ticker-store.ts';

export interface MarketDataServiceOptions {
  pool: pg.Pool;
  /** The venue whose market this is (default: the main market). */
  venue?: string;
  publisher: TickPublisher;
  log: (msg: string) => void;
  /** Publish interval (ms). */
  publishEveryMs?: number;
  /** Candle/ticker persistence interval (ms). */
  persistEveryMs?: number;
  /** Wall clock, for tests. */
  now?: () => number;
}

const candleKey = (c: Candle) => `${c.symbol}|${c.interval}|${c.openTime}`;

export class MarketDataService {
  private readonly aggregator = new CandleAggregator();
  private pendingTicks: MarketTick[] = [];
  private pendingCandles = new Map<string, Candle>();
  /** Stored candles of the periods in progress when this process took over (see resumeCandles). */
  private readonly bases = new Map<string, Candle>();
  private readonly marks = new Map<string, MarkTick>();
  private readonly trades = new Map<string, TradeTick>();
  private readonly statuses = new Map<string, StatusTick['status']>();
  private readonly dirtyTickers = new Set<string>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private unsubscribe: (() => void) | null = null;
  private persisting: Promise<void> = Promise.resolve();
  /** While true, ticks build candles but are neither published nor stored as tickers (backfill). */
  private quiet = false;
  private readonly now: () => number;
  stats = { ticks: 0, published: 0, candlesWritten: 0, errors: 0 };

  readonly venue: string;
  private readonly batchListeners = new Set<(ticks: readonly MarketTick[]) => void>();

  constructor(private readonly opts: MarketDataServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.venue = opts.venue ?? MAIN_VENUE;
  }

  /**
   * Every live tick of the source, in order, in the batches that are published (history from a
   * backfill is not included). The worker's trading loop runs on these, in this process, so that
   * it trades on exactly the prices the web servers receive.
   */
  onTicks(listener: (ticks: readonly MarketTick[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** A tick from history (a backfill): it builds candles, but is neither published nor a ticker. */
  recordHistory(t: MarketTick): void {
    this.quiet = true;
    try {
      this.onTick(t);
    } finally {
      this.quiet = false;
    }
  }

  /**
   * Continue the candles stored by a previous run: the periods in progress at `time` (the 1m candle
   * of that minute, and the 5m … 1d candles around it) already hold the trades before the restart,
   * and this process's aggregator only sees the trades after it. Without this, the first upsert of
   * each of those candles would overwrite them (a restart at 18:00 left a 1d candle of 6 hours).
   * Call before the first tick, with the time the source continues from.
   */
  async resumeCandles(symbols: readonly string[], time: number): Promise<number> {
    const stored = await loadCandlesAt(this.opts.pool, symbols, time, this.venue);
    for (const c of stored) this.bases.set(candleKey(c), c);
    return stored.length;
  }

  /** Writes everything recorded so far; returns the number of candles written. */
  async flush(): Promise<number> {
    for (const symbol of this.trades.keys()) {
      this.collect(
        this.aggregator.openCandles(symbol).map((candle) => ({ candle, closed: false })),
      );
    }
    const n = this.pendingCandles.size;
    await this.persist();
    return n;
  }

  private source: PriceSource | null = null;

  async start(source: PriceSource): Promise<void> {
    this.source = source;
    this.unsubscribe = source.onTick((t) => this.onTick(t));
    await source.start();
    this.timers.push(setInterval(() => void this.publish(), this.opts.publishEveryMs ?? 100));
    this.timers.push(
      setInterval(() => {
        this.collect(this.aggregator.advanceTime(this.now()));
        void this.persist();
      }, this.opts.persistEveryMs ?? 1000),
    );
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.source?.stop();
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.publish();
    await this.persist();
  }

  private onTick(t: MarketTick): void {
    this.stats.ticks++;
    if (t.kind === 'trade') {
      // History only needs closed candles per trade; the open ones are read once in flush().
      this.collect(this.aggregator.addTrade(t, !this.quiet));
      this.trades.set(t.symbol, t);
    } else if (t.kind === 'mark') {
      this.marks.set(t.symbol, t);
      if (!this.statuses.has(t.symbol)) this.statuses.set(t.symbol, 'live');
    } else if (t.kind === 'status') {
      this.statuses.set(t.symbol, t.status);
    }
    if (this.quiet) return;
    this.dirtyTickers.add(t.symbol);
    this.pendingTicks.push(t);
  }

  private collect(updates: readonly CandleUpdate[]): void {
    for (const u of updates) {
      const key = candleKey(u.candle);
      const base = this.bases.get(key);
      this.pendingCandles.set(key, base ? mergeCandles(base, u.candle) : u.candle);
      if (base && u.closed) this.bases.delete(key);
    }
  }

  private async publish(): Promise<void> {
    if (!this.pendingTicks.length) return;
    const batch = this.pendingTicks;
    this.pendingTicks = [];
    for (const l of this.batchListeners) {
      try {
        l(batch);
      } catch (e) {
        this.opts.log(`tick listener failed: ${(e as Error).message}`);
      }
    }
    try {
      await this.opts.publisher.publish(batch, this.venue);
      this.stats.published += batch.length;
    } catch (e) {
      this.stats.errors++;
      this.opts.log(`publishing ${batch.length} ticks failed: ${(e as Error).message}`);
    }
  }

  /** Serialised: one persistence round at a time, each taking what accumulated since the last. */
  private persist(): Promise<void> {
    this.persisting = this.persisting.then(async () => {
      const candles = [...this.pendingCandles.values()];
      this.pendingCandles = new Map();
      const symbols = [...this.dirtyTickers];
      this.dirtyTickers.clear();
      try {
        if (candles.length) {
          await upsertCandles(this.opts.pool, candles, this.venue);
          this.stats.candlesWritten += candles.length;
        }
        const rows = symbols.flatMap((symbol) => {
          const mark = this.marks.get(symbol);
          return mark
            ? [
                {
                  symbol,
                  mark,
                  lastTrade: this.trades.get(symbol),
                  status: this.statuses.get(symbol) ?? 'live',
                },
              ]
            : [];
        });
        if (rows.length) await upsertTickers(this.opts.pool, rows, this.venue);
      } catch (e) {
        this.stats.errors++;
        // Keep what failed for the next round (newer versions of a candle win).
        for (const c of candles)
          if (!this.pendingCandles.has(candleKey(c))) this.pendingCandles.set(candleKey(c), c);
        for (const s of symbols) this.dirtyTickers.add(s);
        this.opts.log(`persisting market data failed: ${(e as Error).message}`);
      }
    });
    return this.persisting;
  }
}
