// The contract every price source and consumer of market data shares.
// Prices and sizes are decimal strings (exact); times are epoch milliseconds.

export type Decimalish = string;

/** One executed trade on the market (or a simulated one). */
export interface TradeTick {
  kind: 'trade';
  symbol: string;
  time: number;
  price: Decimalish;
  quantity: Decimalish;
  /** Side of the aggressor. */
  side: 'buy' | 'sell';
}

/** Mark, index and funding state of a perpetual, as an exchange publishes it. */
export interface MarkTick {
  kind: 'mark';
  symbol: string;
  time: number;
  markPrice: Decimalish;
  indexPrice: Decimalish;
  /** Funding rate that will be applied at nextFundingTime (e.g. "0.0001" = 0.01%). */
  fundingRate: Decimalish;
  nextFundingTime: number;
}

/** Top of book plus optional depth levels, best first. */
export interface BookTick {
  kind: 'book';
  symbol: string;
  time: number;
  bids: Array<[price: Decimalish, quantity: Decimalish]>;
  asks: Array<[price: Decimalish, quantity: Decimalish]>;
}

/** Health of a market's feed. A halted market must never be filled on. */
export interface StatusTick {
  kind: 'status';
  symbol: string;
  time: number;
  status: 'live' | 'stale' | 'halted' | 'connecting';
  reason?: string;
}

export type MarketTick = TradeTick | MarkTick | BookTick | StatusTick;

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
