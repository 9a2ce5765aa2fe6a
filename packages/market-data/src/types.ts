// The contract every price source and consumer of market data shares.
// Prices and sizes are decimal strings (exact); times are epoch milliseconds.
export type Decimalish = string;

import type { MarketTick } from '@lab/contracts';

// Tick shapes are defined once, as zod schemas, in @lab/contracts.
export type { TradeTick, MarkTick, BookTick, StatusTick, MarketTick } from '@lab/contracts';

export type TickListener = (tick: MarketTick) => void;

/**
 * A source of market data for one or more symbols: the simulator, a live exchange connector,
 * or a replay of a recorded file. Sources push ticks to listeners; they never touch the database.
 */
export interface PriceSource {
  readonly name: string;
  readonly symbols: readonly string[];
  onTick(listener: TickListener): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type CandleInterval = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';

export interface Candle {
  symbol: string;
  interval: CandleInterval;
  /** Open time, epoch ms, aligned to the interval. */
  openTime: number;
  open: Decimalish;
  high: Decimalish;
  low: Decimalish;
  close: Decimalish;
  /** Base-asset volume. */
  volume: Decimalish;
  trades: number;
}
