import type { MarketTick } from '../types.ts';

/**
 * How ticks leave the process that produces them (the worker) and reach every process that serves
 * them (each web server). PostgreSQL LISTEN/NOTIFY implements it for one database; a message broker
 * can replace it when one machine is outgrown, without touching producers or consumers.
 */
export interface TickPublisher {
  /** Publishes ticks of one venue (default: the main market). */
  publish(ticks: readonly MarketTick[], venue?: string): Promise<void>;
  close(): Promise<void>;
}

export interface TickBatch {
  ticks: MarketTick[];
  /** The venue whose market the ticks are (absent: the main market). */
  venue?: string;
  /** Publisher's clock when the batch was sent, epoch ms (for latency measurement). */
  publishedAt: number;
}

export interface TickSubscriber {
  onBatch(listener: (batch: TickBatch) => void): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}
