// ReplaySource: plays a CSV of historical candles or trades as ticks, at 1x or faster.
//
// Trades files: each row becomes a TradeTick; a MarkTick (mark = index = last trade price) follows
// at most once per markIntervalMs of data time.
// Candles files: each candle becomes four trades along a deterministic path, at open_time + 0, ¼,
// ½ and ¾ of the interval: open → low → high → close when close ≥ open (a bullish bar dips
// first), open → high → low → close otherwise. The volume is split exactly over the four trades
// (in finer units when it has too few), so aggregating the replayed trades gives back the file's
// candles. A candle with zero volume yields mark ticks only. Each path point also yields a mark
// tick. Funding is a constant (config fundingRate), announced for the next 8h UTC boundary.

import { readFileSync } from 'node:fs';
import type {
  MarketTick,
  MarkTick,
  PriceSource,
  StatusTick,
  TickListener,
  TradeTick,
} from '../types.ts';
import type { CandleInterval } from '../types.ts';
import { INTERVAL_MS } from '../candles/intervals.ts';
import { compareDecimals, parseReplayCsv, type ParsedReplay } from './csv.ts';

export interface ReplayOptions {
  symbol: string;
  /** Path of the CSV file (read synchronously by the constructor, which throws on a bad file). */
  path?: string;
  /** CSV text, instead of path. */
  csv?: string;
  /** Interval of the candles in a candles file. Default "1m". */
  interval?: CandleInterval;
  /** Data ms per wall ms: 1 = real time, 60 = an hour per minute. Default 1. */
  speed?: number;
  /**
   * Shift times so that the first row plays "now": emitted time = wall start + (t − t0)/speed.
   * Default false: ticks carry the file's own times.
   */
  rebase?: boolean;
  /** Funding rate announced in mark ticks. Default "0.0001". */
  fundingRate?: string;
  /** Minimum data-time spacing of mark ticks in a trades file. Default 1000. */
  markIntervalMs?: number;
  /** Called when a listener throws; default console.error. */
  onListenerError?: (error: unknown, tick: MarketTick) => void;
  /** Wall clock, for tests. Default Date.now. */
  now?: () => number;
}

interface ReplayEvent {
  time: number;
  ticks: MarketTick[];
}

const FUNDING_INTERVAL = 8 * 60 * 60 * 1000;

function decimalsOf(d: string): number {
  const dot = d.indexOf('.');
  return dot < 0 ? 0 : d.length - dot - 1;
}

function formatUnits(units: bigint, decimals: number): string {
  if (decimals === 0) return units.toString();
  const s = units.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
}

/** Split a decimal quantity into `parts` positive decimals summing exactly to it. */
export function splitQuantity(quantity: string, parts: number): string[] {
  let decimals = decimalsOf(quantity);
  let units = BigInt(quantity.replace('.', ''));
  if (units === 0n) return [];
  while (units < BigInt(parts)) {
    units *= 10n;
    decimals += 1;
  }
  const q = units / BigInt(parts);
  const r = units % BigInt(parts);
  return Array.from({ length: parts }, (_, k) =>
    formatUnits(q + (BigInt(k) < r ? 1n : 0n), decimals),
  );
}

export function buildReplayEvents(
  parsed: ParsedReplay,
  symbol: string,
  fundingRate: string,
  markIntervalMs: number,
): ReplayEvent[] {
  const mark = (time: number, price: string): MarkTick => ({
    kind: 'mark',
    symbol,
    time,
    markPrice: price,
    indexPrice: price,
    fundingRate,
    nextFundingTime: Math.floor(time / FUNDING_INTERVAL) * FUNDING_INTERVAL + FUNDING_INTERVAL,
  });
  const events: ReplayEvent[] = [];
  if (parsed.format === 'trades') {
    let nextMark = -Infinity;
    for (const r of parsed.rows) {
      const trade: TradeTick = {
        kind: 'trade',
        symbol,
        time: r.time,
        price: r.price,
        quantity: r.quantity,
        side: r.side,
      };
      const ticks: MarketTick[] = [trade];
      if (r.time >= nextMark) {
        ticks.push(mark(r.time, r.price));
        nextMark = r.time + markIntervalMs;
      }
      events.push({ time: r.time, ticks });
    }
    return events;
  }
  const ms = INTERVAL_MS[parsed.interval];
  let prevClose: string | null = null;
  for (const c of parsed.rows) {
    const path =
      compareDecimals(c.close, c.open) >= 0
        ? [c.open, c.low, c.high, c.close]
        : [c.open, c.high, c.low, c.close];
    const qty = splitQuantity(c.volume, 4);
    path.forEach((price, k) => {
      const time = c.openTime + Math.floor((ms * k) / 4);
      const ticks: MarketTick[] = [];
      const q = qty[k];
      if (q !== undefined) {
        // Aggressor follows the direction of the leg that ends here.
        const from = k === 0 ? (prevClose ?? price) : path[k - 1]!;
        const side = compareDecimals(price, from) >= 0 ? 'buy' : 'sell';
        ticks.push({ kind: 'trade', symbol, time, price, quantity: q, side });
      }
      ticks.push(mark(time, price));
      events.push({ time, ticks });
    });
    prevClose = c.close;
  }
  return events;
}

export class ReplaySource implements PriceSource {
  readonly name = 'replay';
  readonly symbols: readonly string[];
  readonly parsed: ParsedReplay;
  /** Resolves when the last row has been played (or the source is stopped). */
  readonly finished: Promise<void>;
  private readonly events: ReplayEvent[];
  private readonly listeners = new Set<TickListener>();
  private readonly speed: number;
  private readonly rebase: boolean;
  private readonly wallNow: () => number;
  private readonly onListenerError: (error: unknown, tick: MarketTick) => void;
  private cursor = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private done = false;
  private wallStart = 0;
  private resolveFinished!: () => void;

  constructor(options: ReplayOptions) {
    const speed = options.speed ?? 1;
    if (!(speed > 0 && Number.isFinite(speed))) throw new Error('replay speed must be > 0');
    this.speed = speed;
    this.rebase = options.rebase ?? false;
    this.wallNow = options.now ?? Date.now;
    this.onListenerError =
      options.onListenerError ??
      ((error) => {
        console.error('market-data replay: listener failed', error);
      });
    let text: string;
    let fileName: string;
    if (options.csv !== undefined) {
      text = options.csv;
      fileName = options.path ?? '<csv>';
    } else if (options.path !== undefined) {
      text = readFileSync(options.path, 'utf8');
      fileName = options.path;
    } else {
      throw new Error('ReplaySource needs a path or csv text');
    }
    const parseOpts = options.interval ? { fileName, interval: options.interval } : { fileName };
    this.parsed = parseReplayCsv(text, parseOpts);
    this.symbols = [options.symbol];
    this.events = buildReplayEvents(
      this.parsed,
      options.symbol,
      options.fundingRate ?? '0.0001',
      options.markIntervalMs ?? 1000,
    );
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** Data time of the first and last events. */
  get span(): { from: number; to: number } {
    return { from: this.events[0]!.time, to: this.events.at(-1)!.time };
  }

  /** Events still to play. */
  get remaining(): number {
    return this.events.length - this.cursor;
  }

  onTick(listener: TickListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.wallStart = this.wallNow() - (this.currentDataTime() - this.span.from) / this.speed;
    this.emitStatus('live');
    this.schedule();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.running = false;
      this.done = true;
      this.emitStatus('halted', 'replay stopped');
    }
    this.resolveFinished();
    return Promise.resolve();
  }

  /** Play synchronously every event up to `ms` of data time past the last one played (tests). */
  advance(ms: number): void {
    const until = this.currentDataTime() + ms;
    while (this.cursor < this.events.length && this.events[this.cursor]!.time <= until) {
      this.playNext();
    }
    if (this.cursor >= this.events.length) this.finish();
  }

  private currentDataTime(): number {
    return this.cursor === 0 ? this.span.from : this.events[this.cursor - 1]!.time;
  }

  private dueWall(dataTime: number): number {
    return this.wallStart + (dataTime - this.span.from) / this.speed;
  }

  private schedule(): void {
    if (!this.running) return;
    const next = this.events[this.cursor];
    if (!next) {
      this.finish();
      return;
    }
    const delay = Math.max(0, this.dueWall(next.time) - this.wallNow());
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = this.wallNow();
      while (this.running && this.cursor < this.events.length) {
        if (this.dueWall(this.events[this.cursor]!.time) > now) break;
        this.playNext();
      }
      this.schedule();
    }, delay);
  }

  private playNext(): void {
    const ev = this.events[this.cursor++]!;
    for (const tick of ev.ticks) {
      this.emit(this.rebase ? { ...tick, time: Math.round(this.dueWall(tick.time)) } : tick);
    }
  }

  private finish(): void {
    this.running = false;
    if (!this.done) {
      this.done = true;
      this.emitStatus('halted', 'replay finished');
    }
    this.resolveFinished();
  }

  private emitStatus(status: StatusTick['status'], reason?: string): void {
    const time = this.rebase ? this.wallNow() : this.currentDataTime();
    for (const symbol of this.symbols) {
      const tick: StatusTick = { kind: 'status', symbol, time, status };
      if (reason !== undefined) tick.reason = reason;
      this.emit(tick);
    }
  }

  private emit(tick: MarketTick): void {
    for (const l of this.listeners) {
      try {
        l(tick);
      } catch (error) {
        this.onListenerError(error, tick);
      }
    }
  }
}
