import type { MarketTick } from '../types.ts';
import type { TickBatch, TickPublisher, TickSubscriber } from './types.ts';

/** Publisher and subscriber in one process: for tests and single-process tools. */
export class MemoryTickBus implements TickPublisher, TickSubscriber {
  private readonly listeners = new Set<(batch: TickBatch) => void>();

  onBatch(listener: (batch: TickBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(ticks: readonly MarketTick[], venue?: string): Promise<void> {
    const batch: TickBatch = {
      ticks: [...ticks],
      publishedAt: Date.now(),
      ...(venue ? { venue } : {}),
    };
    for (const l of this.listeners) l(batch);
    return Promise.resolve();
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
