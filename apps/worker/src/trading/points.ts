// What the trading loop acts on: the venue's ticks turned into price points (a symbol's mark and
// last trade price at an instant) and funding points (a funding time with each due symbol's rate).
import type { Decimal, Market } from '@lab/margin-engine';

export interface PricePoint {
  kind: 'price';
  symbol: string;
  markPrice: Decimal;
  /** The latest trade price (resting limits fill against it; 'last' stops trigger on it). */
  lastPrice: Decimal | undefined;
  /** Source time of the tick, epoch ms: the time of the engine's events at this point. */
  time: number;
  /** True when the mark moved (a mark tick), false for a trade tick. */
  markMoved: boolean;
}

export interface FundingPoint {
  kind: 'funding';
  /** The funding time the payments belong to (on the funding interval's UTC grid). */
  fundingTime: number;
  /** Rate of each symbol due at this time: the last one its mark ticks announced before it. */
  rates: Record<string, Decimal>;
  /** The market at the funding time (the marks before the first tick past it). */
  market: Market;
  /** When the loop reached it (the tick past the funding time, or the start after a restart). */
  time: number;
}

export type Point = PricePoint | FundingPoint;
